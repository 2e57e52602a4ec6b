"""The cage in the handoff: an sdist is installed as the wheel built from it in the cage; a
build that tries anything is stopped (exit 1) and nothing is installed; the output names the
mechanisms that were enforced."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.findings import Severity
from safepip.pip.handoff import VettedFile
from safepip.pip.handoff import handoff as pip_handoff
from safepip.pipeline import build_in_cage
from safepip.policy.config import IgnoreEntry, PolicyConfig
from safepip.sandbox.handoff_builds import CageFindingsError
from tests.integration.conftest import installed_in
from tests.kit.archives import make_sdist
from tests.sandbox.test_cage import CanaryServer, _hostile_sdist


def handoff(files: Sequence[VettedFile], **options: Any) -> int:
    """The handoff as `safepip install` calls it: sdists are built by the pipeline's cage."""
    return pip_handoff(files, build_sdists=build_in_cage, **options)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cage_required")]


def _vetted(path: Path, name: str, version: str, *, build: bool = False) -> VettedFile:
    return VettedFile(canonicalize_name(name), Version(version), path.name,
                      hashlib.sha256(path.read_bytes()).hexdigest(), path,
                      build_dependency=build)


def _build_deps(vetted: Path) -> list[VettedFile]:
    (wheel,) = vetted.glob("setuptools-*.whl")
    return [_vetted(wheel, "setuptools", wheel.name.split("-")[1], build=True)]


def test_an_sdist_is_installed_as_the_wheel_built_in_the_cage(
    tmp_path: Path, venv: Path, vetted: Path, pip_env: dict[str, str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    sdist = make_sdist(tmp_path / "d", "plain-pkg", "1.0")
    files = [_vetted(sdist, "plain-pkg", "1.0"), *_build_deps(vetted)]
    assert handoff(files, python=str(venv / "bin" / "python"), passthrough=["-q"],
                   environ=pip_env) == 0
    assert installed_in(venv, pip_env) == {"plain-pkg": "1.0"}
    err = capfd.readouterr().err
    assert "built plain-pkg 1.0 from source in a cage: no network" in err
    assert "throwaway HOME" in err


def test_a_build_that_tries_anything_installs_nothing(
    tmp_path: Path, venv: Path, vetted: Path, pip_env: dict[str, str],
) -> None:
    canary = CanaryServer()
    try:
        sdist = _hostile_sdist(tmp_path, canary, tmp_path / "no-secret")
        files = [_vetted(sdist, "hostile", "1.0"), *_build_deps(vetted)]
        with pytest.raises(CageFindingsError) as info:
            handoff(files, python=str(venv / "bin" / "python"), passthrough=["-q"],
                    environ=pip_env)
        assert canary.received == []
    finally:
        canary.close()
    assert info.value.exit_code == 1
    message = info.value.diagnostics()
    for rule in ("dynamic/network", "dynamic/secret-read", "dynamic/persistence",
                 "dynamic/process"):
        assert rule in message
    assert "Nothing was installed" in message
    assert installed_in(venv, pip_env) == {}


PERSISTING_BACKEND = """\
import os
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.expanduser("~/.bashrc"), "a") as handle:
        handle.write("echo persisted\\n")
    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)
"""

PERSISTING_PYPROJECT = ('[build-system]\nrequires = ["setuptools>=70.1"]\n'
                        'build-backend = "persisting_backend"\nbackend-path = ["."]\n\n'
                        '[project]\nname = "persisting"\nversion = "1.0"\n')


def _persisting(tmp_path: Path, vetted: Path) -> list[VettedFile]:
    """An sdist whose build only appends to ~/.bashrc: one dynamic/persistence finding."""
    sdist = make_sdist(tmp_path / "p", "persisting", "1.0", pyproject_toml=PERSISTING_PYPROJECT,
                       files={"persisting_backend.py": PERSISTING_BACKEND,
                              "persisting/__init__.py": ""})
    return [_vetted(sdist, "persisting", "1.0"), *_build_deps(vetted)]


def _caged_with(policy: PolicyConfig) -> Any:
    def builder(files: Any, vetted_dir: Path, python: str, env: Any) -> Any:
        return build_in_cage(files, vetted_dir, python, env, policy=policy)
    return builder


@pytest.mark.parametrize("policy", [
    PolicyConfig(fail_on=Severity.CRITICAL),
    PolicyConfig(ignores=(IgnoreEntry("dynamic/persistence", canonicalize_name("persisting"),
                                      None, "our build writes a shell hook", None, "test"),)),
], ids=["fail-on-critical", "ignored"])
def test_the_policy_decides_what_the_cage_saw(
    tmp_path: Path, venv: Path, vetted: Path, pip_env: dict[str, str], policy: PolicyConfig,
    capfd: pytest.CaptureFixture[str],
) -> None:
    files = _persisting(tmp_path, vetted)
    assert pip_handoff(files, python=str(venv / "bin" / "python"), passthrough=["-q"],
                       environ=pip_env, build_sdists=_caged_with(policy)) == 0
    assert installed_in(venv, pip_env) == {"persisting": "1.0"}
    err = capfd.readouterr().err
    if policy.ignores:  # an ignored finding is not reported, as in the plan's report
        assert "dynamic/persistence" not in err
    else:  # below the fail level: shown by the report's text formatter, not blocking
        assert "HIGH dynamic/persistence persisting 1.0: Its build wrote ~/.bashrc" in err
        assert "evidence: ~/.bashrc" in err and "verdict: warn" in err


def test_by_default_what_the_cage_saw_blocks_and_is_reported_as_text(
    tmp_path: Path, venv: Path, vetted: Path, pip_env: dict[str, str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    files = _persisting(tmp_path, vetted)
    with pytest.raises(CageFindingsError) as info:
        handoff(files, python=str(venv / "bin" / "python"), passthrough=["-q"], environ=pip_env)
    assert info.value.exit_code == 1 and "dynamic/persistence" in info.value.diagnostics()
    err = capfd.readouterr().err
    assert "HIGH dynamic/persistence persisting 1.0: Its build wrote ~/.bashrc" in err
    assert "evidence: ~/.bashrc" in err and "verdict: block" in err
    assert installed_in(venv, pip_env) == {}
