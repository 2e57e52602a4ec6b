"""Issue 15: mutated archives end in a result or a clean ArchiveError, never an internal error.

Seeded byte mutations of small zip and tar archives (every compression the reader accepts);
before the fix this found five crash kinds in a few thousand tries (LZMAError, zlib.error,
NotImplementedError for versions, methods and flag bit 5). Bounded: 200 tries per seed here.
"""

from __future__ import annotations

import io
import random
import tarfile
import zipfile
from pathlib import Path

import pytest

from safepip.artifacts.unpack import read_members, unpack
from safepip.errors import ArchiveError

FILES = (("p-1.0/setup.py", b"import os\n" * 50), ("p-1.0/a/b.py", b"x = 1\n" * 20))


def _zip(method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as bundle:
        for name, data in FILES:
            bundle.writestr(name, data)
    return buffer.getvalue()


def _tar(mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as bundle:  # type: ignore[call-overload]
        for name, data in FILES:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


SEEDS = {
    "deflate.zip": lambda: _zip(zipfile.ZIP_DEFLATED),
    "bzip2.zip": lambda: _zip(zipfile.ZIP_BZIP2),
    "lzma.zip": lambda: _zip(zipfile.ZIP_LZMA),
    "stored.zip": lambda: _zip(zipfile.ZIP_STORED),
    "gz.tar.gz": lambda: _tar("w:gz"),
    "bz2.tar.bz2": lambda: _tar("w:bz2"),
    "xz.tar.xz": lambda: _tar("w:xz"),
    "plain.tar": lambda: _tar("w"),
}


def _mutate(data: bytes, rng: random.Random) -> bytes:
    blob = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(blob))
        roll = rng.random()
        if roll < 0.6:
            blob[at] = rng.randrange(256)
        elif roll < 0.8:
            del blob[at:at + rng.randint(1, 20)]
        else:
            blob[at:at] = rng.randbytes(rng.randint(1, 20))
    return bytes(blob)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_mutated_archives_never_raise_internal_errors(tmp_path: Path, seed: str) -> None:
    rng = random.Random(seed)
    original = SEEDS[seed]()
    archive = tmp_path / f"p-1.0.{seed.split('.', 1)[1]}"
    for _ in range(200):
        archive.write_bytes(_mutate(original, rng))
        try:
            read_members(archive)
            with unpack(archive, parent=tmp_path):
                pass
        except ArchiveError as error:
            assert str(error).endswith(".") and "\n" not in str(error)
