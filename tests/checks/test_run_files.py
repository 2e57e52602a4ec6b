"""Files of the tree that install-time code runs by path (exec of a file's text, runpy,
spec_from_file_location, zipimporter) are install-time code, whatever their suffix; a path
built as a pathlib method chain is folded like a literal one.

Payloads append to a generated dotfile name (never run); names are generated per test so
no rule can key on them.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

from safepip.checks.install_hooks import scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import beyond_canary, make_sdist, setup_py


def _name() -> str:
    return "n" + secrets.token_hex(4)


def _payload() -> str:
    """Harmless, but high at install time: a file changed outside the build."""
    return f"import os\nopen(os.path.expanduser('~/.{_name()}'), 'a').write('x')\n"


def _scan(tmp_path: Path, body: str, files: dict[str, str | bytes]) -> list[Finding]:
    canary = tmp_path / "canary"
    sdist = make_sdist(tmp_path, "demo", "1.0", {"setup.py": setup_py(body, canary), **files})
    findings = beyond_canary(scan_path(sdist), canary)
    assert not canary.exists()
    return findings


def _worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.INFO)


def _zip(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return out.getvalue()


def test_a_file_whose_text_setup_runs_is_scanned_as_install_time_code(tmp_path: Path) -> None:
    script = f"{_name()}.py"
    findings = _scan(tmp_path, f"exec(open({script!r}).read())\n", {script: _payload()})
    assert _worst(findings) >= Severity.HIGH, findings
    assert any(f.location and f.location.path.endswith(script) for f in findings), findings
    body = f"with open({script!r}) as handle:\n    exec(handle.read(), {{}})\n"
    assert _worst(_scan(tmp_path, body, {script: _payload()})) >= Severity.HIGH


def test_a_version_file_run_by_setup_stays_clean(tmp_path: Path) -> None:
    folder = _name()
    body = f"exec(open('{folder}/version.py').read())\n"
    findings = _scan(tmp_path, body, {f"{folder}/version.py": "__version__ = '1.0'\n"})
    assert _worst(findings) < Severity.MEDIUM, findings


def test_a_data_file_loaded_as_a_module_by_spec_is_install_time_code(tmp_path: Path) -> None:
    data = f"{_name()}/{_name()}.dat"
    body = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('m', {data!r})\n"
        "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n"
    )
    # In an sdist the scan reads only source-like members: a .dat run as code fails closed.
    assert _worst(_scan(tmp_path, body, {data: _payload()})) >= Severity.HIGH
    # In an unpacked project the file is read and its own code decides.
    project = tmp_path / "project"
    (project / data).parent.mkdir(parents=True)
    (project / "setup.py").write_text(body + "from setuptools import setup\nsetup()\n")
    (project / data).write_text(_payload())
    findings = scan_path(project)
    assert any(f.location and f.location.path.endswith(data) and f.severity >= Severity.HIGH
               for f in findings), findings


def test_an_archive_imported_from_by_setup_is_scanned_or_fails_closed(tmp_path: Path) -> None:
    archive, module = f"{_name()}.zip", _name()
    body = f"import zipimport\nzipimport.zipimporter({archive!r}).load_module({module!r})\n"
    # Read when it can be: its Python members are install-time code.
    project = tmp_path / "project"
    project.mkdir()
    (project / "setup.py").write_text(body + "from setuptools import setup\nsetup()\n")
    (project / archive).write_bytes(_zip({f"{module}.py": _payload()}))
    findings = scan_path(project)
    assert any(f.location and f.location.path.endswith(f"{archive}/{module}.py")
               and f.severity >= Severity.HIGH for f in findings), findings
    # Holding only bytecode, or not readable at all: high.
    (project / archive).write_bytes(_zip({f"{module}.pyc": b"\0" * 16}))
    assert _worst(scan_path(project)) >= Severity.HIGH
    assert _worst(_scan(tmp_path, body, {archive: b"PK"})) >= Severity.HIGH


def test_a_path_built_as_a_pathlib_method_chain_is_folded(tmp_path: Path) -> None:
    folder, name = _name(), _name()
    body = (
        "import pathlib\n"
        f"pathlib.Path('~/.{folder}').expanduser().resolve().joinpath('{name}.txt')"
        ".write_text('x')\n"
    )
    findings = _scan(tmp_path, body, {})
    assert any(f.rule == "hook/outside-write" and f.severity >= Severity.HIGH
               for f in findings), findings
    inside = "import pathlib\npathlib.Path('build').absolute().joinpath('x.txt').write_text('x')\n"
    assert _worst(_scan(tmp_path, inside, {})) < Severity.MEDIUM


def test_a_file_run_only_by_a_function_nothing_calls_at_install_is_not_install_code(
    tmp_path: Path,
) -> None:
    package, data = _name(), f"{_name()}.dat"
    module = f"import runpy\ndef later():\n    runpy.run_path({data!r})\n"
    findings = _scan(tmp_path, f"import {package}\n", {f"{package}/__init__.py": module})
    assert all(f.severity < Severity.HIGH for f in findings if f.message.find(data) >= 0
               and "install time" in f.message), findings
