"""Fuzzing the archive reader and the install-hook scan behind it: any sdist or wheel, however
built or broken, ends in findings or a clean error (tests/kit/fuzz.py), never a crash.

Archives are built member by member (odd names, every zip compression method, flags such as
"encrypted", tar links, devices and fifos, Python sources with odd bytes), then optionally
damaged byte by byte; each is scanned with `scan_path` exactly as `safepip scan` does.
"""

from __future__ import annotations

import io
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.cli import main
from safepip.errors import ArchiveError
from safepip.findings import Severity
from tests.kit.archives import make_sdist
from tests.kit.fuzz import fuzz_settings, result_or_clean_error

_CHECK = InstallHookCheck(prefilter=True)

_NAMES = st.sampled_from([
    "pkg-1.0/setup.py", "pkg-1.0/pyproject.toml", "pkg-1.0/setup.cfg", "pkg-1.0/PKG-INFO",
    "pkg-1.0/pkg/__init__.py", "pkg-1.0/x.pth", "pkg/__init__.py", "pkg-1.0.dist-info/RECORD",
    "pkg-1.0.dist-info/METADATA", "pkg-1.0.dist-info/WHEEL", "pkg-1.0.data/scripts/pip",
    "x.pth", "", "/", ".", "..", "../evil.py", "/abs.py", "a/../../b", "C:\\x.py", "a\\b.py",
    "pkg-1.0/", "pkg-1.0/a/", "dup.py", "dup.py", "\u00e9.py", "a" * 300 + ".py", "a\x00b.py",
]) | st.text(max_size=20)

_SOURCES = st.sampled_from([
    b"from setuptools import setup\nsetup(name='pkg', version='1.0')\n",
    b"import os\nos.system('true')\n",
    b"x = f" + b"()" * 900 + b"\n",  # deep nesting: a finding, never a RecursionError
    b"x = " + b"[" * 300 + b"]" * 300 + b"\n",
    b"# -*- coding: utf-7 -*-\n+AGE-\n",
    b"# coding: latin-1\nx = '\xe9'\n",
    b"# coding: no-such-codec\n",
    b"\xef\xbb\xbfimport os\n",
    b"\xff\xfe\x00\x00",
    b"def f(:\n",
    b"\x00\x00\x00",
    b"[build-system]\nrequires = [1]\nbuild-backend = 3\n",
    b"import sys\n" * 2000,
]) | st.binary(max_size=200)

_ZIP_METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
_MEMBERS = st.lists(st.tuples(_NAMES, _SOURCES), min_size=1, max_size=6)


def _zip(members: list[tuple[str, bytes]], methods: list[int], flags: list[int]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are wanted here
        for index, (name, data) in enumerate(members):
            info = zipfile.ZipInfo(name.replace("\x00", "") or "x", (2020, 1, 1, 0, 0, 0))
            info.compress_type = methods[index % len(methods)]
            archive.writestr(info, data)
            info.flag_bits |= flags[index % len(flags)]  # after writing: the local header differs
    return buffer.getvalue()


_TAR_TYPES = [tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
              tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE, b"Z"]


def _tar(members: list[tuple[str, bytes]], types: list[bytes], links: list[str],
         compression: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}",
                      format=tarfile.PAX_FORMAT) as archive:
        for index, (name, data) in enumerate(members):
            info = tarfile.TarInfo(name.replace("\x00", "") or "x")
            info.type = types[index % len(types)]
            info.linkname = links[index % len(links)]
            info.mtime = 1577836800
            if info.type in (tarfile.REGTYPE, tarfile.CONTTYPE, b"Z"):
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def _damage(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data)
    for position, value in edits:
        if damaged:
            damaged[position % len(damaged)] = value
    return bytes(damaged)


_EDITS = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)), max_size=4)


def _scan(tmp: Path, filename: str, data: bytes) -> None:
    path = tmp / filename
    path.write_bytes(data)
    result_or_clean_error(lambda: scan_path(path, check=_CHECK))


@pytest.mark.parametrize("filename", ["pkg-1.0.zip", "pkg-1.0-py3-none-any.whl"])
@fuzz_settings
@given(members=_MEMBERS,
       methods=st.lists(st.sampled_from(_ZIP_METHODS), min_size=1, max_size=3),
       flags=st.lists(st.sampled_from([0, 0x1, 0x8, 0x40, 0x800, 0x2000]), min_size=1,
                      max_size=3),
       edits=_EDITS)
def test_zip_archives_scan_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, filename: str,
    members: list[tuple[str, bytes]], methods: list[int], flags: list[int],
    edits: list[tuple[int, int]],
) -> None:
    data = _damage(_zip(members, methods, flags), edits)
    _scan(tmp_path_factory.mktemp("zip"), filename, data)


@pytest.mark.parametrize(("filename", "compression"), [
    ("pkg-1.0.tar.gz", "gz"), ("pkg-1.0.tar.bz2", "bz2"), ("pkg-1.0.tar.xz", "xz"),
    ("pkg-1.0.tar", ""),
])
@fuzz_settings
@given(members=_MEMBERS, types=st.lists(st.sampled_from(_TAR_TYPES), min_size=1, max_size=3),
       links=st.lists(_NAMES, min_size=1, max_size=2), edits=_EDITS)
def test_tar_archives_scan_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, filename: str, compression: str,
    members: list[tuple[str, bytes]], types: list[bytes], links: list[str],
    edits: list[tuple[int, int]],
) -> None:
    data = _damage(_tar(members, types, links, compression), edits)
    _scan(tmp_path_factory.mktemp("tar"), filename, data)


@fuzz_settings
@given(data=st.binary(max_size=400),
       filename=st.sampled_from(["pkg-1.0.tar.gz", "pkg-1.0.zip", "pkg-1.0-py3-none-any.whl",
                                 "pkg-1.0.tar.bz2", "pkg-1.0.tgz"]))
def test_raw_bytes_scan_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, filename: str,
) -> None:
    _scan(tmp_path_factory.mktemp("raw"), filename, data)


@pytest.mark.parametrize("depth", [900, 20_000])
def test_deep_nesting_in_setup_py_is_a_finding_not_a_crash(
    tmp_path: Path, depth: int, capsys: pytest.CaptureFixture[str],
) -> None:
    # `x = f()()()...` parses, and is deeper than any recursive walk of the tree can follow.
    sdist = make_sdist(tmp_path, "deep", "1.0", setup_py="x = f" + "()" * depth + "\n")
    findings = scan_path(sdist, check=_CHECK)
    assert any(f.rule == "hook/unparsable" and f.location.path.endswith("setup.py")
               for f in findings)
    assert main(["scan", str(sdist), "--fail-on", "medium"]) == 1  # blocked, not exit 3
    assert "unexpectedly" not in capsys.readouterr().err


@pytest.mark.parametrize(("method", "flag", "damage"), [
    (zipfile.ZIP_DEFLATED, 0, True),  # corrupt deflate data
    (99, 0, False),  # a compression method Python does not know
    (zipfile.ZIP_STORED, 0x1, False),  # the "encrypted" flag
    (zipfile.ZIP_STORED, 0x40, False),  # "strong encryption"
])
def test_zip_members_python_cannot_read_never_read_as_safe(
    tmp_path: Path, method: int, flag: int, damage: bool,
) -> None:
    """Either a clean ArchiveError (exit 3) or a blocking archive finding, from the headers."""
    data = _zip([("pkg-1.0/setup.py", b"import os\n" * 50)], [zipfile.ZIP_DEFLATED], [flag])
    if method != zipfile.ZIP_DEFLATED or damage:
        data = _rewrite_zip(data, method, damage)
    path = tmp_path / "pkg-1.0.zip"
    path.write_bytes(data)
    try:
        findings = scan_path(path, check=_CHECK)
    except ArchiveError as error:
        assert "could not be read" in str(error)
        return
    assert any(f.rule == "archive/unsafe-member" and f.severity >= Severity.HIGH
               for f in findings), findings


def _rewrite_zip(data: bytes, method: int, damage: bool) -> bytes:
    """Set every header's compression method to `method`; with `damage`, garble the data."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := out.find(signature, start)) != -1:
            if method != zipfile.ZIP_DEFLATED:
                out[start + offset:start + offset + 2] = method.to_bytes(2, "little")
            start += 4
    if damage:
        out[40:48] = b"\xff" * 8  # inside the first member's deflate stream
    return bytes(out)
