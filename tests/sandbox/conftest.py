"""Fixtures for the build cage: the mechanisms this machine offers, a vetted folder holding a
real setuptools wheel, and a venv to build for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from safepip.sandbox.mechanisms import available
from tests.integration.conftest import (  # noqa: F401 - fixtures shared with integration
    VenvFactory,
    lent_pip,
    make_venv,
    pip_env,
    pip_home,
)
from tests.integration.test_handoff_pip import _setuptools_wheel


@pytest.fixture
def cage_required() -> None:
    mechanisms = available()
    if mechanisms.unshare is None:
        pytest.skip(f"no namespaces on this machine: {mechanisms.reasons}")


@pytest.fixture
def vetted(tmp_path: Path) -> Path:
    folder = tmp_path / "vetted"
    folder.mkdir()
    wheel = _setuptools_wheel()
    shutil.copy(wheel, folder / wheel.name)
    return folder


@pytest.fixture
def venv(make_venv: VenvFactory, tmp_path: Path) -> Path:  # noqa: F811
    return make_venv(tmp_path / "venv")
