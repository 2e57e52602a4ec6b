"""Issue 13 item 4: `-e .`, local paths and VCS URLs are refused (exit 1), never dropped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from safepip.cli import main
from tests.integration.conftest import VenvFactory, installed_in

PROJECT = '[project]\nname = "mine"\nversion = "1.0"\n'


@pytest.mark.parametrize("spec", [["-e", "."], ["./mine"], ["git+https://example.invalid/x.git"]])
def test_unvettable_requirements_are_refused_even_when_accepted(
    spec: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "pyproject.toml").write_text(PROJECT)
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "--fail-on", "critical", "--no-index", *spec])
    err = capsys.readouterr().err
    assert code == 1
    assert "refused" in err and "cannot vet it" in err


@pytest.mark.integration
def test_install_of_an_editable_is_refused_not_dropped(
    tmp_path: Path, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    venv = make_venv(tmp_path / "venv")
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "install", "--python", str(venv), "--no-index",
         "--fail-on", "critical", "--yes", "-e", "."],
        env=pip_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "refused '-e .'" in result.stderr and "Proceeding" not in result.stderr
    assert installed_in(venv, pip_env) == {}
