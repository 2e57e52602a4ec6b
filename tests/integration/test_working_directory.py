"""No process safepip starts imports from the working directory.

The working directory of `safepip install` may be a checkout of anything. Files planted there
(`signal.py`, `enum.py`, `contextlib.py`, `json.py`, `runpy.py`, a `pip/` package,
`sitecustomize.py`) each drop a canary file when imported; every process safepip starts (the
waiting pip, the handoff's pip, the pass-through `safepip list`, the scan workers, the
interpreter probe) is run from that directory, and no canary may appear.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from safepip.checks.scan_worker import WorkerProcess
from safepip.cli import run_pip_command
from safepip.pip.handoff import run_pip
from safepip.pip.process import WaitingPip, pip_argv, without_working_directory
from safepip.resolution.environment import StartedProbe
from tests.integration.conftest import VenvFactory
from tests.kit.archives import make_wheel

pytestmark = pytest.mark.integration

_PLANTED = ("signal.py", "enum.py", "contextlib.py", "json.py", "runpy.py",
            "sitecustomize.py", "usercustomize.py", "pip/__init__.py", "safepip/__init__.py")


@pytest.fixture
def venv(make_venv: VenvFactory, tmp_path: Path) -> Path:
    return make_venv(tmp_path / "venv")


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, venv: Path) -> Path:
    """A working directory full of modules that each leave a canary when imported (entered
    after the test's venv is made: making it is not under test)."""
    cwd = tmp_path / "cwd"
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    for name in _PLANTED:
        module = cwd / name
        module.parent.mkdir(parents=True, exist_ok=True)
        mark = canaries / name.replace("/", "_")
        # Nothing imported: a planted module must not depend on the other planted ones.
        module.write_text(f"open({str(mark)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.chdir(cwd)
    return canaries


def _fired(canaries: Path) -> list[str]:
    return sorted(path.name for path in canaries.iterdir())


def test_the_planted_directory_is_hostile_to_plain_python_m_pip(
    planted: Path, venv: Path, pip_env: dict[str, str],
) -> None:
    """The fixture works: `python -m pip` run there imports the planted files."""
    env = dict(pip_env, PYTHONPATH=":")  # an empty entry: the working directory at start-up
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], env=env,
                   capture_output=True, check=False)
    assert {"contextlib.py", "sitecustomize.py"} <= set(_fired(planted))


def test_the_waiting_pip_imports_nothing_from_the_working_directory(
    planted: Path, venv: Path, pip_env: dict[str, str],
) -> None:
    pip = WaitingPip.start(str(venv / "bin" / "python"), dict(pip_env, PYTHONPATH=":"))
    assert pip is not None
    assert pip.run(["--version"]) == 0
    assert _fired(planted) == []


def test_a_waiting_pip_cancelled_before_the_verdict_imported_nothing_either(
    planted: Path, venv: Path, pip_env: dict[str, str],
) -> None:
    pip = WaitingPip.start(str(venv / "bin" / "python"), pip_env)
    assert pip is not None
    pip.cancel()
    assert pip.process.returncode == 0
    assert _fired(planted) == []


def test_the_handoff_pip_imports_nothing_from_the_working_directory(
    planted: Path, venv: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    wheel = make_wheel(tmp_path / "wheels", "alpha", "1.0")
    command = pip_argv(str(venv / "bin" / "python"),
                       ["install", "-q", "--no-index", "--no-deps", str(wheel)])
    assert run_pip(command, dict(pip_env, PYTHONPATH=":")) == 0
    assert _fired(planted) == []
    assert list(venv.glob("lib/python*/site-packages/alpha*"))


def test_pip_passed_through_imports_nothing_from_the_working_directory(
    planted: Path, venv: Path, pip_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in pip_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", ":")
    assert run_pip_command(["list", "--python", str(venv), "--format", "json"]) == 0
    assert capfd.readouterr().out.startswith("[")
    assert _fired(planted) == []


def test_a_scan_worker_imports_nothing_from_the_working_directory(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["", *sys.path[1:]]))
    worker = WorkerProcess(prefilter=True)
    try:
        assert worker.scan(make_wheel(tmp_path / "wheels", "alpha", "1.0")) == []
    finally:
        worker.close()
    assert _fired(planted) == []


def test_the_interpreter_probe_imports_nothing_from_the_working_directory(
    planted: Path, venv: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONPATH", ":")
    with StartedProbe(str(venv / "bin" / "python")) as probe:
        assert "markers" in probe.facts()
    assert _fired(planted) == []


def test_pythonpath_entries_naming_the_working_directory_are_dropped() -> None:
    env = without_working_directory({"PYTHONPATH": ":/abs/a:rel:.:/abs/b", "X": "1"})
    assert env == {"PYTHONPATH": "/abs/a:/abs/b", "X": "1"}
    assert "PYTHONPATH" not in without_working_directory({"PYTHONPATH": ":"})
