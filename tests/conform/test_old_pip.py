"""Issue 13 item 7: an old pip in the target gets a safepip sentence and exit 3."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from tests.integration.conftest import VenvFactory, installed_in
from tests.integration.test_handoff_pip import SETUPTOOLS_BACKEND, _setuptools_wheel
from tests.kit.archives import make_sdist
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]
SETUP = "from setuptools import setup\nsetup(name='legacy-pkg', version='1.0')\n"


def _pip_version(venv: Path, env: dict[str, str]) -> Version:
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return Version(out.split()[1])


@pytest.mark.integration
@pytest.mark.parametrize("declared", [False, True])
def test_setup_py_only_sdist_into_an_old_pip_names_the_fix(
    declared: bool, tmp_path: Path, index_server: Factory, make_venv: VenvFactory,
    pip_env: dict[str, str],
) -> None:
    venv = make_venv(tmp_path / "venv")
    if _pip_version(venv, pip_env) >= Version("24.1"):
        pytest.skip("the test venvs' pip is new enough; the old-pip path cannot be shown")
    sdist = make_sdist(tmp_path / "dist", "legacy-pkg", "1.0", setup_py=SETUP,
                       pyproject_toml=SETUPTOOLS_BACKEND if declared else None,
                       files={"legacy_pkg/__init__.py": ""})
    server = index_server([sdist, _setuptools_wheel()])
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "install", "--python", str(venv), "--yes",
         "--index-url", server.index_url, "legacy-pkg"],
        env=pip_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if declared:  # a declared build system needs no `wheel`: old pip installs it
        assert result.returncode == 0, result.stdout + result.stderr
        assert installed_in(venv, pip_env) == {"legacy-pkg": "1.0"}
        return
    assert result.returncode == 3, result.stdout + result.stderr
    assert "safepip install -U pip" in result.stderr
    assert "No matching distribution found for wheel" not in result.stdout + result.stderr
    assert installed_in(venv, pip_env) == {}


@pytest.mark.parametrize(("source", "version", "wants"), [
    ('            "requires": ["setuptools>=40.8.0", "wheel"],\n', "23.2.1", True),
    ('            "requires": ["setuptools>=40.8.0"],\n', "26.2.1", False),
    (None, "23.0", True),
    (None, "25.0", False),
])
def test_whether_a_pip_wants_wheel_is_read_from_its_source(
    source: str | None, version: str, wants: bool, tmp_path: Path
) -> None:
    from packaging.utils import canonicalize_name

    from safepip.pipeline import _pip_wants_wheel
    from safepip.resolution.environment import InstalledProject

    info = tmp_path / f"pip-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Name: pip\nVersion: {version}\n")
    if source is not None:
        (tmp_path / "pip" / "_internal").mkdir(parents=True)
        (tmp_path / "pip" / "_internal" / "pyproject.py").write_text(source)
    pip = InstalledProject(canonicalize_name("pip"), Version(version), info / "METADATA")
    assert _pip_wants_wheel(pip) is wants
