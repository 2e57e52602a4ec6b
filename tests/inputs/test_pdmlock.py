"""pdm.lock: groups and markers recorded by the `inherit_metadata` strategy select packages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.errors import InputError
from safepip.inputs import read_lock

HASH = "sha256:" + "0" * 64
LOCK = (
    '[metadata]\ngroups = ["default", "test"]\nstrategy = ["inherit_metadata"]\n'
    'lock_version = "4.5.0"\n\n'
    '[[package]]\nname = "anyio"\nversion = "4.4.0"\ngroups = ["default"]\n'
    f'files = [{{file = "anyio-4.4.0-py3-none-any.whl", hash = "{HASH}"}}]\n\n'
    '[[package]]\nname = "tomli"\nversion = "2.0.1"\ngroups = ["test"]\n'
    'marker = "python_version < \\"3.11\\""\n'
    f'files = [{{file = "tomli-2.0.1-py3-none-any.whl", hash = "{HASH}"}}]\n\n'
    '[[package]]\nname = "uvicorn"\nversion = "0.30.6"\ngroups = ["default"]\n'
    f'files = [{{file = "uvicorn-0.30.6-py3-none-any.whl", hash = "{HASH}"}}]\n\n'
    '[[package]]\nname = "uvicorn"\nversion = "0.30.6"\nextras = ["standard"]\n'
    'groups = ["default"]\n'
    f'files = [{{file = "uvicorn-0.30.6-py3-none-any.whl", hash = "{HASH}"}}]\n\n'
    '[[package]]\nname = "mylib"\nversion = "0.1"\npath = "./mylib"\ngroups = ["default"]\n'
)


def test_groups_and_markers_select_packages(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pdm.lock", LOCK)
    default = read_lock(path)
    assert [p.name for p in default] == ["anyio", "uvicorn", "mylib"]
    assert default[2].direct == "path: ./mylib" and not default[2].vettable_from_index
    with_test = {p.name: p for p in read_lock(path, groups=["test"])}
    assert not with_test["tomli"].applies_to({"python_version": "3.11"})
    assert with_test["tomli"].applies_to({"python_version": "3.10"})


def test_unknown_groups_and_versions_are_refused(write_file: Callable[[str, str], Path]) -> None:
    with pytest.raises(InputError, match="declares no group docs"):
        read_lock(write_file("pdm.lock", LOCK), groups=["docs"])
    with pytest.raises(InputError, match=r"lock_version '3\.0' is not supported"):
        read_lock(write_file("pdm.lock", '[metadata]\nlock_version = "3.0"\n'))
