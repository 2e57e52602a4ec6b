"""poetry.lock: samples follow Poetry 2.1 (lock-version 2.1) and Poetry 1.x (lock-version 1.1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.version import Version

from safepip.errors import InputError
from safepip.inputs import LockedFile, read_lock, read_poetry_lock
from tests.inputs.conftest import DATA, by_name, lines_hold_headers


def test_poetry_lock_2_1() -> None:
    path = DATA / "poetry.lock"
    packages = read_poetry_lock(path)
    lines_hold_headers(path, packages, "[[package]]")
    found = by_name(packages)
    assert list(found) == ["attrs", "colorama", "internal-utils", "requests", "toolbox"]
    requests = found["requests"]
    assert requests.files[0] == LockedFile(
        "requests-2.34.2-py3-none-any.whl", None,
        "2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0",
    )
    assert requests.index_url is None and requests.marker is None
    assert found["internal-utils"].index_url == "https://pypi.corp.example/simple"
    assert found["colorama"].marker == Marker(
        'sys_platform == "win32" or platform_system == "Windows"')
    assert found["toolbox"].direct == "git: https://git.example.org/tools/toolbox.git"
    assert found["toolbox"].files == ()


def test_poetry_lock_1_1_keeps_files_in_metadata() -> None:
    packages = by_name(read_lock(DATA / "poetry-legacy" / "poetry.lock"))
    assert [f.filename for f in packages["charset-normalizer"].files] == [
        "charset-normalizer-3.0.1.tar.gz", "charset_normalizer-3.0.1-py3-none-any.whl"]
    assert packages["certifi"].version == Version("2022.12.7")
    assert packages["certifi"].source.line == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[package]]\nname = "a"\nversion = "1"\nfiles = []\n',
         "missing `[metadata] lock-version`"),
        ('[metadata]\nlock-version = "3.0"\n', "lock-version '3.0' is not supported"),
        ('[[package]]\nname = "a"\nversion = "1"\nfiles = []\n[metadata]\nlock-version = "2.0"\n',
         "a: no `files` are locked"),
        ('[[package]]\nname = "a"\nversion = "1"\nfiles = [{file = "a-1.tar.gz", hash = "sha256:'
         '12"}]\n[metadata]\nlock-version = "2.0"\n', "is not a sha256 hex digest"),
        ('[[package]]\nname = "a"\nversion = "1"\nfiles = [{file = "a-1.tar.gz"}]\n'
         '[package.source]\ntype = "ftp"\nurl = "ftp://x"\n[metadata]\nlock-version = "2.0"\n',
         "unknown source type 'ftp'"),
    ],
)
def test_poetry_lock_problems_are_input_errors(
    write_file: Callable[[str, str], Path], body: str, message: str,
) -> None:
    with pytest.raises(InputError) as caught:
        read_poetry_lock(write_file("poetry.lock", body))
    assert message in caught.value.message


def test_non_sha256_hashes_are_kept_as_unknown(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("poetry.lock", (
        '[[package]]\nname = "a"\nversion = "1"\n'
        'files = [{file = "a-1.tar.gz", hash = "md5:0cc175b9c0f1b6a831c399e269772661"}]\n'
        '[metadata]\nlock-version = "2.0"\n'
    ))
    (package,) = read_poetry_lock(path)
    assert package.files == (LockedFile("a-1.tar.gz", None, None),)
