"""What the build cage saw reaches `safepip install`'s machine-readable reports: a build that
reaches for the network (only medium to the static scan, so the plan is accepted) is stopped by
the cage, and the JSON and SARIF reports written with `-o` carry its `dynamic/network` finding,
with the rule's record from the catalogue in SARIF; nothing is installed, the canary hears
nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from safepip.catalog import catalog
from tests.integration.conftest import VenvFactory, installed_in
from tests.integration.test_handoff_pip import _setuptools_wheel
from tests.integration.test_install import _install
from tests.kit.archives import make_sdist
from tests.kit.index_server import IndexServer
from tests.sandbox.test_cage import CanaryServer

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cage_required")]

CALLING_BACKEND = """\
import socket
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    except OSError:
        pass
    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)
"""

CALLING_PYPROJECT = ('[build-system]\nrequires = ["setuptools>=70.1"]\n'
                     'build-backend = "calling_backend"\nbackend-path = ["."]\n\n'
                     '[project]\nname = "calling"\nversion = "1.0"\n')


@pytest.fixture
def canary() -> Iterator[CanaryServer]:
    server = CanaryServer()
    yield server
    server.close()


def _index(tmp_path: Path, index_server: Callable[..., IndexServer],
           canary: CanaryServer) -> IndexServer:
    dist = tmp_path / "dist"
    dist.mkdir()
    setuptools = _setuptools_wheel()
    shutil.copy(setuptools, dist / setuptools.name)
    backend = CALLING_BACKEND.format(port=canary.tcp.getsockname()[1])
    sdist = make_sdist(dist, "calling", "1.0", pyproject_toml=CALLING_PYPROJECT,
                       files={"calling_backend.py": backend, "calling/__init__.py": ""})
    return index_server([sdist, dist / setuptools.name])


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_build_the_cage_stopped_is_in_the_report(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str], canary: CanaryServer, fmt: str,
) -> None:
    server = _index(tmp_path, index_server, canary)
    venv = make_venv(tmp_path / "venv")
    (tmp_path / "requirements.txt").write_text("# tools\ncalling==1.0\n", encoding="utf-8")
    report = tmp_path / f"report.{fmt}"
    result = _install(venv, server, pip_env, tmp_path, "--yes", "--format", fmt,
                      "-o", str(report), "-r", "requirements.txt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dynamic/network" in result.stderr and "Nothing was installed" in result.stderr
    assert f"{fmt} report written to {report} (verdict block" in result.stderr
    assert canary.received == []
    assert installed_in(venv, pip_env) == {}
    document = json.loads(report.read_text(encoding="utf-8"))
    port = canary.tcp.getsockname()[1]
    if fmt == "json":
        assert document["verdict"] == "block"
        (dynamic,) = [f for f in document["findings"] if f["rule"] == "dynamic/network"]
        assert dynamic["severity"] == "high" and dynamic["package"] == "calling"
        assert dynamic["evidence"] == f"a TCP connection to 127.0.0.1 port {port}"
        assert "hook/network-fetch" in {f["rule"] for f in document["findings"]}
        assert [p["name"] for p in document["packages"]] == ["calling", "setuptools"]
        return
    (run,) = document["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    record = catalog()["dynamic/network"]
    assert rules["dynamic/network"]["shortDescription"]["text"] == record.short
    assert rules["dynamic/network"]["fullDescription"]["text"] == record.full
    assert rules["dynamic/network"]["help"]["text"] == record.help
    (result_,) = [r for r in run["results"] if r["ruleId"] == "dynamic/network"]
    assert result_["level"] == "error"
    assert result_["properties"]["security-severity"] == "8.0"
    assert f"127.0.0.1 port {port}" in result_["message"]["text"]
    physical = result_["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "requirements.txt"
    assert physical["region"]["startLine"] == 2


def test_a_machine_readable_report_needs_a_file_unless_nothing_is_installed(
    tmp_path: Path, index_server: Callable[..., IndexServer], make_venv: VenvFactory,
    pip_env: dict[str, str], canary: CanaryServer,
) -> None:
    server = _index(tmp_path, index_server, canary)
    venv = make_venv(tmp_path / "venv")
    refused = _install(venv, server, pip_env, tmp_path, "--format", "json", "calling")
    assert refused.returncode == 2
    assert "--format json needs -o FILE when installing" in refused.stderr
    assert not server.requests  # refused before anything was asked of the index
    dry = _install(venv, server, pip_env, tmp_path, "--dry-run", "--format", "json", "calling")
    assert dry.returncode == 0, dry.stderr
    document = json.loads(dry.stdout)  # the report alone: no plan table around it
    assert document["verdict"] == "warn"
    assert {f["rule"] for f in document["findings"]} >= {"hook/network-fetch"}
    assert installed_in(venv, pip_env) == {}
