"""`safepip install` end to end with an sdist: the real resolver and checks vet it (and its
build requirement) from a loopback index, the cage builds it, pip installs the built wheel."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.conftest import VenvFactory, installed_in
from tests.integration.test_handoff_pip import _setuptools_wheel
from tests.integration.test_install import _install
from tests.kit.archives import make_sdist
from tests.kit.index_server import IndexServer

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cage_required")]


def _index(tmp_path: Path, index_server: Callable[..., IndexServer]) -> IndexServer:
    """An sdist and the real setuptools wheel it builds with, on a loopback index."""
    dist = tmp_path / "dist"
    dist.mkdir()
    setuptools = _setuptools_wheel()
    shutil.copy(setuptools, dist / setuptools.name)
    return index_server([make_sdist(dist, "plain-pkg", "1.0"), dist / setuptools.name])


def test_an_sdist_is_vetted_built_in_the_cage_and_installed(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str],
) -> None:
    server = _index(tmp_path, index_server)
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "plain-pkg")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built plain-pkg 1.0 from source in a cage" in result.stderr
    assert installed_in(venv, pip_env) == {"plain-pkg": "1.0"}


def test_the_waiver_is_an_install_option_the_configuration_accepts(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from safepip.sandbox.cage import unconfined_allowed

    server = _index(tmp_path, index_server)
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "--allow-unconfined-build", "--dry-run",
                      "plain-pkg")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not unconfined_allowed({})
    assert unconfined_allowed({"SAFEPIP_ALLOW_UNCONFINED_BUILD": "1"})


def test_the_users_fail_level_judges_what_the_cage_saw(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str],
) -> None:
    """`--fail-on critical` reaches the cage: its high dynamic/persistence finding is reported
    (text formatter), not blocking; under the default fail level the same build blocks
    (tests/sandbox/test_handoff_cage.py)."""
    from tests.sandbox.test_handoff_cage import PERSISTING_BACKEND, PERSISTING_PYPROJECT

    dist = tmp_path / "dist"
    dist.mkdir()
    setuptools = _setuptools_wheel()
    shutil.copy(setuptools, dist / setuptools.name)
    sdist = make_sdist(dist, "persisting", "1.0", pyproject_toml=PERSISTING_PYPROJECT,
                       files={"persisting_backend.py": PERSISTING_BACKEND,
                              "persisting/__init__.py": ""})
    server = index_server([sdist, dist / setuptools.name])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "--fail-on", "critical", "--yes",
                      "persisting")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HIGH dynamic/persistence persisting 1.0" in result.stderr
    assert installed_in(venv, pip_env) == {"persisting": "1.0"}
