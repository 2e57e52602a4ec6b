"""Proof that scanning never runs, imports or executes scanned code.

The scan runs in a CHILD interpreter with an audit hook (PEP 578) that records and refuses
process creation, network use, imports of the fixtures' modules, writes to the canary and any
`exec` of a code object that came from a scanned file. Audit hooks cannot be removed, so none
is ever installed in the pytest process. `compile` audit events for scanned files are expected:
`ast.parse` raises them (it compiles to an AST only); what would matter is executing the
result, which the `exec` event catches, and `test_safepip_never_calls_compile` checks that
safepip calls no compile builtin at all.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.checks.hostile import CASES, make_sdist, make_wheel, setup_py

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
scan_root, canary, out = sys.argv[1], sys.argv[2], sys.argv[3]
targets = sys.argv[4:]
FORBIDDEN_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn", "os.fork", "socket.")
FORBIDDEN = {"subprocess.Popen", "os.system", "os.popen", "pty.spawn", "ctypes.dlopen",
             "os.startfile", "webbrowser.open"}
FIXTURE_MODULES = {"demo", "build_helpers", "backend", "demo_shim", "setup"}
fired = []

def hook(event, args):
    bad = event in FORBIDDEN or event.startswith(FORBIDDEN_PREFIXES)
    if event == "exec" and args:
        # Stdlib helpers (dataclasses, namedtuple) run "<string>" code; scanned files are
        # parsed under their archive-relative names, and hostile code names the canary.
        name = getattr(args[0], "co_filename", "")
        consts = repr(getattr(args[0], "co_consts", ()))
        bad = scan_root in name or not name.startswith(("/", "<")) or canary in consts
    if event == "import" and args and str(args[0]).split(".")[0] in FIXTURE_MODULES:
        bad = True
    if event == "open" and args and canary in str(args[0]):
        bad = True
    if bad:
        fired.append(f"{event} {str(args)[:200]}")
        raise RuntimeError(f"audit: forbidden {event}")

from safepip.cli import main  # imported before the hook: safepip's own imports are not under test
sys.addaudithook(hook)
code = main(["scan", "--format", "json", "-o", out, *targets])
print(json.dumps({"code": code, "fired": fired}))
"""


def _hostile_artifacts(tmp_path: Path, canary: Path) -> list[Path]:
    made: list[Path] = []
    for index, case in enumerate(CASES):
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        made.append(make_sdist(folder, "demo", "1.0", {"setup.py": setup_py(case.hostile, canary)}))
    folder = tmp_path / "extra"
    folder.mkdir()
    payload = canary_payload(canary)
    made.append(
        make_sdist(
            folder,
            "demo",
            "2.0",
            {
                "setup.py": "import build_helpers\n" + payload,
                "build_helpers.py": payload,
                "demo/__init__.py": payload,
                "pyproject.toml": (
                    "[build-system]\nbuild-backend = 'backend'\nbackend-path = ['.']\n"
                ),
                "backend.py": payload,
            },
        )
    )
    made.append(
        make_wheel(
            folder,
            "demo",
            "2.0",
            {
                "demo_shim.pth": f"import os; open({str(canary)!r}, 'w')\n",
                "demo/__init__.py": payload,
                "demo-2.0.data/scripts/demo-run": "#!/usr/bin/env python\n" + payload,
            },
        )
    )
    return made


def canary_payload(canary: Path) -> str:
    return f"import os\nopen({str(canary)!r}, 'w').write('ran')\nos.system('touch {canary}')\n"


def test_scan_never_executes_scanned_code(tmp_path: Path) -> None:
    canary = tmp_path / "canary-fired"
    targets = _hostile_artifacts(tmp_path, canary)
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), str(canary), str(report), *map(str, targets)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["fired"] == []
    assert outcome["code"] == 1  # the hostile samples block
    assert not canary.exists()
    rules = {f["rule"] for f in json.loads(report.read_text())["findings"]}
    assert {"hook/exec-obfuscated", "hook/pth-exec", "hook/custom-backend"} <= rules


def test_audit_hook_would_catch_execution(tmp_path: Path) -> None:
    """The child's hook is live: the same harness refuses a deliberate exec of scanned code."""
    canary = tmp_path / "canary"
    target = tmp_path / "x.py"
    target.write_text(f"open({str(canary)!r}, 'w')\n")
    probe = CHILD.replace(
        'code = main(["scan", "--format", "json", "-o", out, *targets])',
        'code = 0\ntry:\n    exec(compile(open(targets[0]).read(), targets[0], "exec"))\n'
        "except RuntimeError:\n    pass",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), str(canary), str(tmp_path / "r"), str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["fired"] and outcome["fired"][0].startswith("exec")
    assert not canary.exists()


def test_safepip_never_calls_compile_or_exec_builtins() -> None:
    calls = []
    for path in sorted((ROOT / "safepip").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and (node.func.id in {"compile", "exec", "eval", "__import__"})
            ):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == []
