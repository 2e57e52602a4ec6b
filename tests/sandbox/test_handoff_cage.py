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

from safepip.pip.handoff import VettedFile
from safepip.pip.handoff import handoff as pip_handoff
from safepip.pipeline import build_in_cage
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
