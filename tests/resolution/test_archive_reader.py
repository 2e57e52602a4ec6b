"""Issue 12/15: the metadata ladder reads sdists through the one safe archive reader (same gate,
same limits as the scanner) and a wheel's METADATA with the same member checks; bad members are
clean errors, never internal ones."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from safepip.errors import ArchiveError
from safepip.resolution.archive_members import read_sdist_files
from safepip.resolution.metadata import metadata_from_wheel_file
from tests.kit.archives import make_wheel

SETUP = b"from setuptools import setup\nsetup(name='demo', install_requires=['a'])\n"


def _tar(path: Path, entries: list[tuple[str, bytes] | tarfile.TarInfo]) -> Path:
    with tarfile.open(path, "w:gz") as bundle:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                bundle.addfile(entry)
                continue
            info = tarfile.TarInfo(entry[0])
            info.size = len(entry[1])
            bundle.addfile(info, io.BytesIO(entry[1]))
    return path


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def test_setup_py_linked_inside_the_archive_is_read_as_the_build_reads_it(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", [
        _link("demo-1.0/setup.py", "build/real_setup.py"), ("demo-1.0/build/real_setup.py", SETUP),
        _link("demo-1.0/setup.cfg", "/etc/passwd")])
    files = read_sdist_files(sdist)
    assert files.top == "demo-1.0" and files.files == {"setup.py": SETUP}
    assert files.not_regular == {"setup.cfg"}


def test_sdist_that_is_really_a_zip_is_read_by_content(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    with zipfile.ZipFile(sdist, "w") as bundle:
        bundle.writestr("demo-1.0/setup.py", SETUP)
    assert read_sdist_files(sdist).files == {"setup.py": SETUP}


@pytest.mark.parametrize("patch", ["method", "corrupt"])
def test_unreadable_wheel_metadata_is_an_archive_error(tmp_path: Path, patch: str) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", requires_dist=["a"] * 200)
    blob = bytearray(wheel.read_bytes())
    name = b"demo-1.0.dist-info/METADATA"
    local = blob.find(b"PK\x03\x04" + blob[4:4])  # first local header
    while blob[local + 30: local + 30 + len(name)] != name:
        local = blob.find(b"PK\x03\x04", local + 4)
    if patch == "method":
        central = blob.find(b"PK\x01\x02" + b"", blob.find(name, local + 30 + len(name)) - 46)
        for at, offset in ((local, 8), (central, 10)):
            blob[at + offset: at + offset + 2] = (99).to_bytes(2, "little")
    else:
        start = local + 30 + len(name) + int.from_bytes(blob[local + 28: local + 30], "little")
        blob[start + 2: start + 12] = b"\xff" * 10
    wheel.write_bytes(bytes(blob))
    with pytest.raises(ArchiveError):
        metadata_from_wheel_file(wheel)
