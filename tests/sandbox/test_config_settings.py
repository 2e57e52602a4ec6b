"""`--config-settings` reach the build backend inside the cage as pip gives them: a
requirements-file line's own settings to that project's build; the command line's `-C` to the
requirements named on the command line (and not to requirements-file lines, as in pip's
`get_requirements`), after the `config-settings` of pip's configuration (a file, or
PIP_CONFIG_SETTINGS), which the handoff's pip never reads. The backend writes what it
received into the wheel it builds."""

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

RECORDING_BACKEND = """\
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("configured/_settings.py", "w") as handle:
        handle.write("SETTINGS = " + repr(sorted((config_settings or {}).items())) + "\\n")
    return _meta.build_wheel(wheel_directory, None, metadata_directory)
"""

RECORDING_PYPROJECT = ('[build-system]\nrequires = ["setuptools>=70.1"]\n'
                       'build-backend = "recording_backend"\nbackend-path = ["."]\n\n'
                       '[project]\nname = "configured"\nversion = "1.0"\n')


def _index(tmp_path: Path, index_server: Callable[..., IndexServer]) -> IndexServer:
    dist = tmp_path / "dist"
    dist.mkdir()
    setuptools = _setuptools_wheel()
    shutil.copy(setuptools, dist / setuptools.name)
    sdist = make_sdist(dist, "configured", "1.0", pyproject_toml=RECORDING_PYPROJECT,
                       files={"recording_backend.py": RECORDING_BACKEND,
                              "configured/__init__.py": ""})
    return index_server([sdist, dist / setuptools.name])


PIP_CONF = "[install]\nconfig-settings = flavour=plum\n"


@pytest.mark.parametrize(("requirements", "args", "environ", "received"), [
    ("configured==1.0 --config-settings=flavour=mint --config-settings size=2\n",
     ["-r", "requirements.txt"], {}, "[('flavour', 'mint'), ('size', '2')]"),
    (None, ["-C", "flavour=lime", "configured"], {}, "[('flavour', 'lime')]"),
    ("configured==1.0\n", ["--config-settings=flavour=lime", "-r", "requirements.txt"], {},
     "[]"),
    (None, ["-C", "size=3", "configured"], {"PIP_CONFIG_FILE": "pip.conf"},
     "[('flavour', 'plum'), ('size', '3')]"),
    (None, ["configured"], {"PIP_CONFIG_SETTINGS": "flavour=plum"}, "[('flavour', 'plum')]"),
], ids=["requirements-file-line", "command-line", "command-line-not-for-file-lines",
        "pip-config-file-then-command-line", "pip-variable"])
def test_config_settings_reach_the_caged_build_as_pip_passes_them(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str], requirements: str | None, args: list[str],
    environ: dict[str, str], received: str,
) -> None:
    server = _index(tmp_path, index_server)
    venv = make_venv(tmp_path / "venv")
    if requirements is not None:
        (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    (tmp_path / "pip.conf").write_text(PIP_CONF, encoding="utf-8")
    env = dict(pip_env, **{key: str(tmp_path / value) if key == "PIP_CONFIG_FILE" else value
                           for key, value in environ.items()})
    result = _install(venv, server, env, tmp_path, "--yes", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built configured 1.0 from source in a cage" in result.stderr
    assert installed_in(venv, pip_env) == {"configured": "1.0"}
    (site_packages,) = venv.glob("lib/python*/site-packages")
    recorded = (site_packages / "configured" / "_settings.py").read_text(encoding="utf-8")
    assert recorded == f"SETTINGS = {received}\n"
