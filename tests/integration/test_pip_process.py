"""pip started before the verdict (safepip.pip.process): it waits, told nothing, and installs
nothing until the handoff tells it; cancelled, it ends having done nothing.

Real pip in throwaway venvs (tests/integration/conftest.py), environments cleaned of this
machine's pip configuration.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from safepip.errors import UsageError
from safepip.pip.handoff import Handoff, VettedFile
from safepip.pip.process import WaitingPip
from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_wheel

pytestmark = pytest.mark.integration


@pytest.fixture
def venv(make_venv: VenvFactory, tmp_path: Path) -> Path:
    return make_venv(tmp_path / "venv")


def _python(venv: Path) -> str:
    return str(venv / "bin" / "python")


def _vetted(path: Path) -> VettedFile:
    name, version, _, _ = parse_wheel_filename(path.name)
    return VettedFile(name, version, path.name, hashlib.sha256(path.read_bytes()).hexdigest(), path)


def _wait_until_idle(pip: WaitingPip) -> None:
    """Time for the process to import pip and block on its pipe (it never says when)."""
    time.sleep(1.5)
    assert pip.process.poll() is None


def test_a_pip_started_early_installs_the_vetted_files(
    venv: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    files = [_vetted(make_wheel(tmp_path / "d", "alpha", "1.0")),
             _vetted(make_wheel(tmp_path / "d", "beta", "2.0"))]
    with Handoff(python=_python(venv), passthrough=["-q"], environ=pip_env,
                 start_pip=True) as prepared:
        assert prepared._pip is not None
        assert prepared.install(files) == 0
    assert installed_in(venv, pip_env) == {"alpha": "1.0", "beta": "2.0"}


def test_it_does_nothing_until_told_and_nothing_when_cancelled(
    venv: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    wheel = make_wheel(tmp_path / "d", "alpha", "1.0")
    with Handoff(python=_python(venv), passthrough=[], environ=pip_env,
                 start_pip=True) as prepared:
        pip = prepared._pip
        assert pip is not None
        # Even with files lying in the vetted directory, a waiting pip installs nothing.
        (prepared.vetted_dir / wheel.name).write_bytes(wheel.read_bytes())
        prepared.requirements.write_text("alpha==1.0\n", encoding="utf-8")
        _wait_until_idle(pip)
        assert installed_in(venv, pip_env) == {}
    assert pip.process.returncode == 0  # cancelled on leaving: ended having done nothing
    assert not prepared.vetted_dir.exists()
    assert installed_in(venv, pip_env) == {}


def test_ctrl_c_before_the_verdict_is_left_to_safepip(
    venv: Path, pip_env: dict[str, str], capfd: pytest.CaptureFixture[str],
) -> None:
    pip = WaitingPip.start(_python(venv), pip_env)
    assert pip is not None
    try:
        _wait_until_idle(pip)
        os.kill(pip.process.pid, signal.SIGINT)
        time.sleep(0.5)
        assert pip.process.poll() is None  # no traceback, no early exit: safepip decides
    finally:
        pip.cancel()
    assert pip.process.returncode == 0
    assert "Traceback" not in capfd.readouterr().err


def test_a_pip_that_ended_early_is_started_afresh(
    venv: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    files = [_vetted(make_wheel(tmp_path / "d", "alpha", "1.0"))]
    with Handoff(python=_python(venv), passthrough=["-q"], environ=pip_env,
                 start_pip=True) as prepared:
        assert prepared._pip is not None
        prepared._pip.process.kill()
        prepared._pip.process.wait()
        assert prepared.install(files) == 0  # `python -m pip`, as without the early start
    assert installed_in(venv, pip_env) == {"alpha": "1.0"}


def test_a_pip_that_cannot_start_is_reported_at_the_handoff(
    pip_env: dict[str, str], tmp_path: Path,
) -> None:
    files = [_vetted(make_wheel(tmp_path / "d", "alpha", "1.0"))]
    missing = tmp_path / "env" / "bin" / "python"
    missing.parent.mkdir(parents=True)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /nowhere\n", encoding="utf-8")
    with Handoff(python=str(missing), passthrough=[], environ=pip_env,
                 start_pip=True) as prepared:
        assert prepared._pip is None
        with pytest.raises(UsageError, match="Cannot run"):
            prepared.install(files)


def test_the_working_directory_is_never_imported_from(
    venv: Path, pip_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A `pip` package in the current directory must not stand in for the real one."""
    canary = tmp_path / "canary-fired"
    decoy = tmp_path / "cwd" / "pip"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text(
        f"open({str(canary)!r}, 'w').close()\n", encoding="utf-8"
    )
    monkeypatch.chdir(decoy.parent)
    files = [_vetted(make_wheel(tmp_path / "d", "alpha", "1.0"))]
    with Handoff(python=_python(venv), passthrough=["-q"], environ=pip_env,
                 start_pip=True) as prepared:
        assert prepared.install(files) == 0
    assert not canary.exists()
    monkeypatch.chdir(tmp_path)  # `python -m pip list` itself would import the decoy
    assert installed_in(venv, pip_env) == {"alpha": "1.0"}
