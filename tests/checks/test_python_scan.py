"""PythonScan on source text directly: properties of the walk and the tracer."""

from __future__ import annotations

import ast

from safepip.checks.hooks.python import PythonScan
from safepip.findings import Severity


def _scan(source: str) -> PythonScan:
    return PythonScan(source, ast.parse(source))


def test_sibling_functions_do_not_share_traced_names() -> None:
    """Each function's `cmd` is its own: a finished scope's memo must not leak into the next
    one (they were keyed by id(scope), which CPython reuses for the next Scope object)."""
    parts = ["import os, base64\n"]
    for index in range(40):
        value = "'ls'" if index % 2 else "base64.b64decode('bHM=')"
        parts.append(f"def f{index}():\n    cmd = {value}\n    os.system(cmd)\n")
    scan = _scan("".join(parts))
    critical = sorted(h.line for h in scan.hits if h.severity is Severity.CRITICAL)
    low = sorted(h.line for h in scan.hits if h.severity is Severity.LOW)
    assert critical == [4 + 3 * i for i in range(0, 40, 2)]
    assert low == [4 + 3 * i for i in range(1, 40, 2)]

