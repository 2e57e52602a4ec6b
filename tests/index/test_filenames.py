"""Issue 12: one filename reader, one suffix list, used by the index, the request grammar, the
resolver's metadata checks and the scanner."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from packaging.version import Version

from safepip.artifacts.unpack import read_members
from safepip.checks.install_hooks import identify
from safepip.index import findlinks, simple
from safepip.index.filenames import (
    SDIST_SUFFIXES,
    artifact_kind,
    is_distribution_filename,
    project_of,
)
from safepip.pip import requirement_line

_MODES = {".tar.gz": "w:gz", ".tgz": "w:gz", ".tar.bz2": "w:bz2", ".tbz": "w:bz2",
          ".tar.xz": "w:xz", ".txz": "w:xz", ".tar": "w", ".tar.lz": "w:xz", ".tlz": "w:xz",
          ".tar.lzma": "w:xz"}


def test_every_reader_shares_the_one_suffix_list() -> None:
    assert simple.SDIST_SUFFIXES is SDIST_SUFFIXES
    assert simple.is_distribution_filename is is_distribution_filename
    assert findlinks.project_of is project_of
    assert set(requirement_line.ARCHIVE_EXTENSIONS) == {*SDIST_SUFFIXES, ".whl"}


@pytest.mark.parametrize("suffix", [s for s in SDIST_SUFFIXES if s != ".zip"])
def test_every_sdist_suffix_the_index_offers_is_read_and_named(
    tmp_path: Path, suffix: str
) -> None:
    archive = tmp_path / f"Foo_Bar-1.2{suffix}"
    with tarfile.open(archive, _MODES[suffix]) as bundle:
        info = tarfile.TarInfo("Foo_Bar-1.2/setup.py")
        info.size = 2
        bundle.addfile(info, io.BytesIO(b"x\n"))
    assert is_distribution_filename(archive.name) and artifact_kind(archive.name) == "sdist"
    assert project_of(archive.name) == "foo-bar"
    assert identify(archive) == ("foo-bar", Version("1.2"), "sdist")
    memory = read_members(archive)
    assert memory is not None and memory.files == {"Foo_Bar-1.2/setup.py": b"x\n"}


def test_wheels_and_non_distributions() -> None:
    assert artifact_kind("foo-1.0-py3-none-any.whl") == "wheel"
    assert project_of("Foo_Bar-1.0-py3-none-any.whl") == "foo-bar"
    assert project_of("python-dateutil-2.8.2.tar.bz2") == "python-dateutil"
    assert project_of("foo.tar.gz") is None and project_of("foo-1.0.msi") is None
    assert not is_distribution_filename("x-1.msi")
