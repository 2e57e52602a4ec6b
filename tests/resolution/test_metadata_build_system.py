"""An sdist's build requirements, read as pip reads them (pip/_internal/pyproject.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.resolution.metadata import (
    MetadataInvalidError,
    build_requirements_from_sdist,
    inspect_sdist,
)
from tests.kit.archives import make_sdist

SETUP_MIN = "from setuptools import setup\nsetup()\n"


def test_declared_build_requirements(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=(
        '[build-system]\nrequires = ["hatchling>=1.20", "hatch-vcs; python_version > \'3\'"]\n'
        'build-backend = "hatchling.build"\n'))
    assert [str(r) for r in build_requirements_from_sdist(sdist)] == [
        "hatchling>=1.20", 'hatch-vcs; python_version > "3"']
    build = inspect_sdist(sdist).build_system
    assert (build.backend, build.declared, build.in_tree_backend) == (
        "hatchling.build", True, False)


def test_no_pyproject_means_pips_legacy_default(tmp_path: Path) -> None:
    # pip 26.3 installs only setuptools>=40.8.0 here (older pips also added "wheel").
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_py=SETUP_MIN)
    assert [str(r) for r in build_requirements_from_sdist(sdist)] == ["setuptools>=40.8.0"]
    build = inspect_sdist(sdist).build_system
    assert (build.backend, build.declared) == ("setuptools.build_meta:__legacy__", False)


def test_pyproject_without_build_system_table_is_legacy_too(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_py=SETUP_MIN,
                       pyproject_toml='[tool.black]\nline-length = 100\n')
    assert [str(r) for r in build_requirements_from_sdist(sdist)] == ["setuptools>=40.8.0"]


def test_requires_without_backend_gets_the_legacy_backend(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_py=SETUP_MIN,
                       pyproject_toml='[build-system]\nrequires = ["setuptools", "cython"]\n')
    build = inspect_sdist(sdist).build_system
    assert [str(r) for r in build.requires] == ["setuptools", "cython"]
    assert build.backend == "setuptools.build_meta:__legacy__" and build.declared


def test_in_tree_backend_is_exposed(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'),
        files={"_build/backend.py": "raise SystemExit('never imported')\n"})
    build = inspect_sdist(sdist).build_system
    assert (build.requires, build.backend, build.backend_path, build.in_tree_backend) == (
        (), "backend", ("_build",), True)


@pytest.mark.parametrize(("pyproject", "message"), [
    ('[build-system]\nbuild-backend = "x"\n', "has no 'requires' key"),
    ('[build-system]\nrequires = "setuptools"\n', "is not a list of strings"),
    ('[build-system]\nrequires = ["ok", "not valid!!"]\n', "invalid requirement 'not valid!!'"),
    ('[build-system]\nrequires = []\nbackend-path = "x"\n', "backend-path is not a list"),
    ('[build-system]\nrequires = []\nbuild-backend = 3\n', "build-backend is not a string"),
])
def test_invalid_build_system_is_refused_as_pip_refuses_it(
        tmp_path: Path, pyproject: str, message: str) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=pyproject)
    with pytest.raises(MetadataInvalidError, match=message):
        build_requirements_from_sdist(sdist)
