"""Throwaway venvs for real pip, built fast: one shared pip, lent to each venv by a .pth file."""

from __future__ import annotations

import compileall
import ensurepip
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.kit.isolation import clean_pip_environment


@pytest.fixture(scope="session")
def pip_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pip-home")


@pytest.fixture(scope="session")
def pip_env(pip_home: Path) -> dict[str, str]:
    """Environment for pip/safepip subprocesses: no trace of this machine's pip setup."""
    return clean_pip_environment(os.environ, str(pip_home))


@pytest.fixture(scope="session")
def lent_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pip that `python -m venv` would install (ensurepip's bundled wheel), unpacked once."""
    bundled = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    if not bundled:
        pytest.skip("this Python has no bundled pip wheel to build test venvs with")
    path = tmp_path_factory.mktemp("lent-pip")
    with zipfile.ZipFile(bundled[-1]) as wheel:
        wheel.extractall(path)
    compileall.compile_dir(path, quiet=1, workers=0)
    return path


VenvFactory = Callable[[Path], Path]


@pytest.fixture
def make_venv(lent_pip: Path, pip_env: dict[str, str]) -> VenvFactory:
    """`make_venv(path) -> path`: a venv without its own pip, lent the shared one (~0.3 s)."""

    def factory(path: Path) -> Path:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)],
                       env=pip_env, check=True)
        (site_packages,) = path.glob("lib/python*/site-packages")
        (site_packages / "_lent_pip.pth").write_text(f"{lent_pip}\n", encoding="utf-8")
        return path

    return factory


def installed_in(venv: Path, env: dict[str, str]) -> dict[str, str]:
    """`pip list` of the venv, as normalised name -> version (pip itself left out)."""
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        env=env, capture_output=True, text=True, check=True,
    )
    listed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(result.stdout)}
    listed.pop("pip", None)
    return listed
