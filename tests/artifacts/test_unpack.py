"""Safe extraction: every refusal has a hostile archive, bounds hold, temp dirs never leak."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from safepip.artifacts.members import StopExtraction
from safepip.artifacts.unpack import UnpackLimits, read_members, unpack
from safepip.errors import ArchiveError
from safepip.findings import Severity

Entry = tuple[str, bytes] | tarfile.TarInfo


def make_tar(path: Path, entries: list[Entry], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as bundle:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                bundle.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                bundle.addfile(info, io.BytesIO(entry[1]))
    return path


def special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def make_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries:
            bundle.writestr(name, data)
    return path


def refusals(archive: Path, limits: UnpackLimits | None = None) -> tuple[list[str], list[str]]:
    """(refused member names, files extracted) for one archive."""
    kwargs = {"limits": limits} if limits else {}
    with unpack(archive, **kwargs) as result:
        written = sorted(
            str(p.relative_to(result.root)) for p in result.root.rglob("*") if p.is_file()
        )
        return [r.member for r in result.refusals], written


OK = ("pkg-1.0/ok.py", b"x = 1\n")


@pytest.mark.parametrize(
    "suffix,mode",
    [
        (".tar.gz", "w:gz"),
        (".tgz", "w:gz"),
        (".tar.bz2", "w:bz2"),
        (".tar.xz", "w:xz"),
    ],
)
def test_tar_formats_extract(tmp_path: Path, suffix: str, mode: str) -> None:
    archive = make_tar(tmp_path / f"pkg-1.0{suffix}", [OK, ("pkg-1.0/sub/a.txt", b"a")], mode)
    assert refusals(archive) == ([], ["pkg-1.0/ok.py", "pkg-1.0/sub/a.txt"])


@pytest.mark.parametrize("suffix", [".zip", ".whl"])
def test_zip_formats_extract(tmp_path: Path, suffix: str) -> None:
    archive = make_zip(tmp_path / f"pkg-1.0{suffix}", [OK, ("pkg-1.0/sub/a.txt", b"a")])
    assert refusals(archive) == ([], ["pkg-1.0/ok.py", "pkg-1.0/sub/a.txt"])


@pytest.mark.parametrize(
    "name", ["/etc/evil", "C:/evil", "\\evil", "pkg/../../evil", "../evil", "pkg/..\\..\\evil"]
)
def test_tar_refuses_escaping_names(tmp_path: Path, name: str) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [(name, b"boom"), OK])
    refused, written = refusals(archive)
    assert refused == [name] and written == ["pkg-1.0/ok.py"]
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("name", ["/etc/evil", "../evil", "pkg/../../evil"])
def test_zip_refuses_escaping_names(tmp_path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name)  # ZipInfo keeps the raw name; writestr(str) would sanitise it
    archive = make_zip(tmp_path / "a.zip", [(info, b"boom"), OK])
    refused, written = refusals(archive)
    assert refused == [name] and written == ["pkg-1.0/ok.py"]


@pytest.mark.parametrize(
    "entry",
    [
        special("pkg-1.0/link", tarfile.SYMTYPE, "/etc/passwd"),
        special("pkg-1.0/up", tarfile.SYMTYPE, "../../etc/passwd"),
        special("pkg-1.0/sub/up", tarfile.SYMTYPE, "../../.."),
        special("pkg-1.0/hard", tarfile.LNKTYPE, "../outside"),
        special("pkg-1.0/dev", tarfile.CHRTYPE),
        special("pkg-1.0/blk", tarfile.BLKTYPE),
        special("pkg-1.0/fifo", tarfile.FIFOTYPE),
    ],
    ids=["symlink-abs", "symlink-out", "symlink-dir-out", "hardlink-out", "chardev", "blockdev",
         "fifo"],
)
def test_tar_never_creates_links_devices_or_fifos(tmp_path: Path, entry: tarfile.TarInfo) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [OK, entry])
    with unpack(archive) as result:
        assert [r.member for r in result.refusals] == [entry.name]
        assert not any(p.is_symlink() for p in result.root.rglob("*"))
        assert sorted(p.name for p in result.root.rglob("*") if p.is_file()) == ["ok.py"]
        findings = result.findings("pkg", "1.0")
    assert findings[0].rule == "archive/unsafe-member" and findings[0].severity is Severity.HIGH
    assert findings[0].evidence == entry.name


@pytest.mark.parametrize(
    "entry",
    [
        special("pkg-1.0/inside.py", tarfile.SYMTYPE, "ok.py"),
        special("pkg-1.0/sub/inside.py", tarfile.SYMTYPE, "../ok.py"),
        special("pkg-1.0/inside.py", tarfile.LNKTYPE, "pkg-1.0/ok.py"),
    ],
    ids=["symlink", "symlink-up-inside", "hardlink"],
)
def test_links_inside_the_archive_are_fine_and_read_as_copies(
    tmp_path: Path, entry: tarfile.TarInfo
) -> None:
    """PEP 706's data filter accepts them; the scan must read what the build would read."""
    archive = make_tar(tmp_path / "a.tar.gz", [entry, OK])  # the link may come first
    with unpack(archive) as result:
        assert result.refusals == []
        assert not any(p.is_symlink() for p in result.root.rglob("*"))
        assert (result.root / entry.name).read_bytes() == OK[1]
    memory = read_members(archive)
    assert memory is not None and memory.refusals == []
    assert memory.files[entry.name] == OK[1]


def test_link_to_a_folder_inside_copies_its_files(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [
        ("pkg-1.0/real/mod.py", b"y = 2\n"), special("pkg-1.0/alias", tarfile.SYMTYPE, "real"),
        special("pkg-1.0/chain.py", tarfile.SYMTYPE, "alias/mod.py"),
        special("pkg-1.0/loop", tarfile.SYMTYPE, "loop"),
        special("pkg-1.0/dangling.py", tarfile.SYMTYPE, "missing.py"),
    ])
    memory = read_members(archive)
    assert memory is not None and memory.refusals == []
    assert memory.files == {name: b"y = 2\n" for name in
                            ("pkg-1.0/real/mod.py", "pkg-1.0/alias/mod.py", "pkg-1.0/chain.py")}


def test_zip_symlink_member_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("pkg-1.0/link")
    info.external_attr = 0o120777 << 16
    archive = make_zip(tmp_path / "a.zip", [(info, b"/etc/passwd"), OK])
    assert refusals(archive) == (["pkg-1.0/link"], ["pkg-1.0/ok.py"])


def test_duplicate_names_are_refused_unless_identical(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "a.tar.gz",
        [OK, ("pkg-1.0/ok.py", b"evil"), ("./pkg-1.0//ok.py", b"x = 1\n"),
         ("pkg-1.0/ok.py", b"x = 1\nevil")],
    )
    refused, written = refusals(archive)
    assert refused == ["pkg-1.0/ok.py", "pkg-1.0/ok.py"] and written == ["pkg-1.0/ok.py"]
    with unpack(archive) as result:
        assert (result.root / "pkg-1.0/ok.py").read_bytes() == b"x = 1\n"
    memory = read_members(archive)
    assert memory is not None and memory.files == {"pkg-1.0/ok.py": b"x = 1\n"}
    assert len(memory.refusals) == 2


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_identical_duplicates_are_fine(tmp_path: Path) -> None:
    """pyarrow ships byte-identical copies of some members: nothing to refuse."""
    tar = make_tar(tmp_path / "a.tar.gz", [OK, ("pkg-1.0/data.txt", b"d"), OK,
                                           ("pkg-1.0/data.txt", b"d")])
    assert refusals(tar) == ([], ["pkg-1.0/data.txt", "pkg-1.0/ok.py"])
    zipped = make_zip(tmp_path / "a.zip", [OK, OK])
    assert refusals(zipped) == ([], ["pkg-1.0/ok.py"])


def test_link_and_file_of_one_name_are_refused(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [
        ("pkg-1.0/other.py", b"evil"), special("pkg-1.0/ok.py", tarfile.SYMTYPE, "other.py"), OK])
    refused, _ = refusals(archive)
    assert refused == ["pkg-1.0/ok.py"]


def test_file_used_as_folder_is_refused(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [("pkg/a", b"file"), ("pkg/a/b", b"nested")])
    assert refusals(archive) == (["pkg/a/b"], ["pkg/a"])


def test_member_count_bound_stops_extraction(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [(f"pkg/{i}", b"x") for i in range(20)])
    refused, written = refusals(archive, UnpackLimits(max_members=5))
    assert refused == ["pkg/5"] and len(written) == 5


def test_single_member_size_bound_stops_at_the_header(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [OK, ("pkg/big", b"x" * 5000), OK])
    with unpack(archive, limits=UnpackLimits(max_member_bytes=4096)) as result:
        assert [r.member for r in result.refusals] == ["pkg/big"]
        assert "4096 limit; extraction stopped" in result.refusals[0].reason


def test_total_size_bound_stops_extraction(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [(f"pkg/{i}", b"x" * 1000) for i in range(10)])
    refused, written = refusals(archive, UnpackLimits(max_total_bytes=3500))
    assert refused == ["pkg/3"] and len(written) == 3


def test_zip_bomb_member_is_refused_by_ratio_only_when_large(tmp_path: Path) -> None:
    """A ratio matters only with a large absolute size: pillow's wheel holds a 2 MB `.so`
    padded with zeros, which compresses over 100 times and is no bomb."""
    archive = make_zip(tmp_path / "bomb.zip", [("pkg/zeros", b"\0" * (4 << 20)), OK])
    assert refusals(archive) == ([], ["pkg-1.0/ok.py", "pkg/zeros"])
    limits = UnpackLimits(max_ratio=50, ratio_floor_bytes=1 << 20)
    with unpack(archive, limits=limits) as result:
        assert [r.member for r in result.refusals] == ["pkg/zeros"]
        assert "decompression bomb" in result.refusals[0].reason
        assert not any(result.root.rglob("*.py"))  # refused from the header: nothing read


def test_tar_bomb_is_stopped_by_overall_ratio(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "bomb.tar.gz", [(f"pkg/{i}", b"\0" * (1 << 20)) for i in range(8)]
    )
    limits = UnpackLimits(max_ratio=50, ratio_floor_bytes=1 << 20)
    with unpack(archive, limits=limits) as result:
        assert len(result.refusals) == 1
        assert "decompression bomb" in result.refusals[0].reason
        assert len([p for p in result.root.rglob("*") if p.is_file()]) < 8


def test_lying_zip_header_is_cut_off(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("pkg/f", b"y" * 10000)])
    blob = bytearray(archive.read_bytes())
    # Shrink the declared size in both headers; zipfile then reads only that much and fails
    # the CRC check: a lie is an error, never silently trusted data.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = blob.find(signature)
        blob[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(blob))
    with pytest.raises(ArchiveError), unpack(archive):
        pass


def test_corrupt_archive_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(make_tar(tmp_path / "x.tar.gz", [OK]).read_bytes()[:40])
    with pytest.raises(ArchiveError), unpack(archive, parent=parent):
        pass
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    with pytest.raises(ArchiveError), unpack(unknown, parent=parent):
        pass
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_temp_dir_removed_on_interrupt_and_error(
    tmp_path: Path, error: type[BaseException]
) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    archive = make_tar(tmp_path / "a.tar.gz", [OK])
    with pytest.raises(error), unpack(archive, parent=parent) as result:
        assert (result.root / "pkg-1.0/ok.py").is_file()
        raise error()
    assert list(parent.iterdir()) == []


def test_select_writes_only_chosen_files_but_checks_all(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "a.tar.gz",
        [OK, ("pkg-1.0/image.png", b"png"), special("pkg-1.0/l", tarfile.SYMTYPE, "/")],
    )
    with unpack(archive, select=lambda name: name.endswith(".py")) as result:
        files = [p.name for p in result.root.rglob("*") if p.is_file()]
        assert files == ["ok.py"] and [r.member for r in result.refusals] == ["pkg-1.0/l"]


def test_read_members_applies_the_same_gate_in_memory(tmp_path: Path) -> None:
    from safepip.artifacts.unpack import read_members

    archive = make_tar(tmp_path / "a.tar.gz", [
        OK, ("../evil", b"x"), special("pkg-1.0/l", tarfile.SYMTYPE, "/"),
        ("pkg-1.0/data.bin", b"z"), ("pkg-1.0/big", b"y" * 5000)])
    limits = UnpackLimits(max_member_bytes=4096)
    result = read_members(archive, limits=limits, select=lambda name: not name.endswith(".bin"))
    assert result is not None
    assert result.files == {"pkg-1.0/ok.py": b"x = 1\n"}
    assert [r.member for r in result.refusals] == ["../evil", "pkg-1.0/l", "pkg-1.0/big"]
    assert read_members(archive, limits=limits, budget=3) is None  # over budget: use the disk
    bomb = make_tar(tmp_path / "b.tar.gz", [(f"p/{i}", b"\0" * (1 << 20)) for i in range(8)])
    stopped = read_members(bomb, limits=UnpackLimits(max_ratio=50, ratio_floor_bytes=1 << 20))
    assert stopped is not None and "decompression bomb" in stopped.refusals[-1].reason


# --- issue 15: the reader's crash kinds are findings or clean errors, never internal errors ---


def one_member_zip(path: Path, name: str, data: bytes, *, method: int = zipfile.ZIP_DEFLATED,
                   flags: int = 0) -> Path:
    """A one-member zip written by hand, so that any name, method and flag can be given."""
    import struct

    packed = zlib_deflate(data) if method == zipfile.ZIP_DEFLATED else data
    crc, raw = zipfile.crc32(data), name.encode("utf-8")
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0, crc, len(packed),
                        len(data), len(raw), 0) + raw + packed
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0, crc,
                          len(packed), len(data), len(raw), 0, 0, 0, 0, 0, 0) + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path


def zlib_deflate(data: bytes) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


SETUP = b"from setuptools import setup\nsetup(name='p')\n" * 40


@pytest.mark.parametrize(
    "name,method,flags,reason",
    [
        ("p-1.0/setup.py", 99, 0, "compression method 99"),
        ("p-1.0/setup.py", zipfile.ZIP_DEFLATED, 0x1, "encrypted"),
        ("", zipfile.ZIP_DEFLATED, 0, "empty name"),
    ],
    ids=["unknown-method", "encrypted", "empty-name"],
)
def test_unreadable_zip_members_are_findings(
    tmp_path: Path, name: str, method: int, flags: int, reason: str
) -> None:
    archive = one_member_zip(tmp_path / "p-1.0.zip", name, SETUP, method=method, flags=flags)
    with unpack(archive) as result:
        assert [r.member for r in result.refusals] == [name]
        assert reason in result.refusals[0].reason
    memory = read_members(archive)
    assert memory is not None and [r.member for r in memory.refusals] == [name]


def test_empty_tar_member_name_is_a_finding(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "p-1.0.tar.gz", [("", b"x"), OK])
    assert refusals(archive) == ([""], ["pkg-1.0/ok.py"])


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_corrupt_compressed_data_is_a_clean_error(tmp_path: Path, kind: str) -> None:
    data = bytes(range(256)) * 400
    if kind == "zip":
        archive = one_member_zip(tmp_path / "p-1.0.zip", "p-1.0/setup.py", data)
        at = 30 + len("p-1.0/setup.py") + 40
    else:
        archive = make_tar(tmp_path / "p-1.0.tar.gz", [("p-1.0/setup.py", data)])
        at = 60
    blob = bytearray(archive.read_bytes())
    blob[at:at + 40] = b"\xff" * 40
    archive.write_bytes(bytes(blob))
    with pytest.raises(ArchiveError) as caught, unpack(archive):
        pass
    assert caught.value.args[0].startswith("p-1.0.") and "could not be read" in str(caught.value)


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        size = min(len(buffer), self.left)
        buffer[:size] = bytes(size)
        self.left -= size
        return size


def test_gzip_bomb_is_refused_from_its_header_at_once(tmp_path: Path) -> None:
    """A 1 GiB member of zeros gzips to ~1 MB; it must be refused before it is decompressed."""
    import time

    archive = tmp_path / "bomb-1.0.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as bundle:
        bundle.addfile(tarfile.TarInfo("bomb-1.0/setup.py"), io.BytesIO(SETUP))
        info = tarfile.TarInfo("bomb-1.0/zeros")
        info.size = 1 << 30
        bundle.addfile(info, io.BufferedReader(_Zeros(info.size), 1 << 20))
    started = time.process_time()
    memory = read_members(archive)
    assert time.process_time() - started < 1.0
    assert memory is not None and [r.member for r in memory.refusals] == ["bomb-1.0/zeros"]


def test_header_bombs_are_bounded_by_the_decompressed_stream(tmp_path: Path) -> None:
    """A pax header is read whole by tarfile before any member is seen: the stream is bounded."""
    archive = tmp_path / "pax-1.0.tar.gz"
    with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT) as bundle:
        info = tarfile.TarInfo("pax-1.0/setup.py")
        info.pax_headers = {"comment": "x" * (40 << 20)}
        info.size = len(SETUP)
        bundle.addfile(info, io.BytesIO(SETUP))
    limits = UnpackLimits(ratio_floor_bytes=1 << 20, max_ratio=10)
    memory = read_members(archive, limits=limits)
    assert memory is not None and "decompression bomb" in memory.refusals[-1].reason
    assert memory.files == {}


def test_archives_are_read_by_content_not_by_name(tmp_path: Path) -> None:
    """A wheel named `.tar.gz` is read as the zip it is (pip sniffs it too); `.tbz` and
    `.tar.lz`, which the index accepts, are read rather than refused."""
    wheel = make_zip(tmp_path / "p-1.0.tar.gz", [OK])
    assert refusals(wheel) == ([], ["pkg-1.0/ok.py"])
    for suffix, mode in ((".tbz", "w:bz2"), (".tar.lz", "w:xz"), (".tlz", "w:xz")):
        archive = make_tar(tmp_path / f"p-1.0{suffix}", [OK], mode)
        assert refusals(archive) == ([], ["pkg-1.0/ok.py"])


def test_zip_and_tar_polyglot_is_refused(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "t.tar.gz", [("p-1.0/setup.py", SETUP)]).read_bytes()
    zipped = make_zip(tmp_path / "z.zip", [("p-1.0/setup.py", b"import os; os.system('x')\n")])
    polyglot = tmp_path / "p-1.0.tar.gz"
    polyglot.write_bytes(tar + zipped.read_bytes())  # zip offsets are relative to its end
    with unpack(polyglot) as result:
        assert len(result.refusals) == 1 and "polyglot" in result.refusals[0].reason
        assert not any(result.root.rglob("*.py"))
    findings = result.findings("p", "1.0")
    assert findings[0].severity is Severity.HIGH


def test_large_libraries_of_real_wheels_fit_the_default_limits(tmp_path: Path) -> None:
    """tensorflow ships an 800 MB library in a 300 MB wheel: large, but no bomb."""
    from safepip.artifacts.members import Member, MemberGate
    from safepip.artifacts.unpack import DEFAULT_LIMITS

    gate = MemberGate(DEFAULT_LIMITS, archive_size=300 << 20)
    library = Member(name="tf/libtensorflow_cc.so.2", size=788_086_608, is_file=True,
                     is_dir=False, compressed_size=290 << 20)
    assert gate.admit(library) == "tf/libtensorflow_cc.so.2"
    assert gate.refusals == []
    bomb = Member(name="tf/zeros", size=2 << 30, is_file=True, is_dir=False,
                  compressed_size=2 << 20)
    with pytest.raises(StopExtraction):
        gate.admit(bomb)


@pytest.mark.parametrize("damage", ["deflate", "crc", "length"])
def test_damaged_gzip_stream_is_an_error(tmp_path: Path, damage: str) -> None:
    # Whichever inflater reads it (isal's, or zlib's where isal has no wheel), bad deflate
    # data and a trailer that lies are an ArchiveError, never a crash or a partial scan.
    plain = make_tar(tmp_path / "a.tar", [OK], mode="w").read_bytes()
    blob = bytearray(gzip.compress(plain, mtime=0))  # a 10-byte header: no file name field
    if damage == "deflate":
        blob[10:] = b"x" * (len(blob) - 10)  # 0x78: a block of the reserved type 3
    else:
        at = len(blob) - (8 if damage == "crc" else 4)
        blob[at] ^= 0xFF
    archive = tmp_path / "damaged.tar.gz"
    archive.write_bytes(bytes(blob))
    with pytest.raises(ArchiveError), unpack(archive):
        pass


@pytest.mark.parametrize("reader", ["default", "zlib"])
@pytest.mark.parametrize("trailer", [b"O3 and more", b"\x00" * 700, b"PK\x03\x04 not gzip"])
def test_bytes_after_a_complete_gzip_stream_are_ignored_as_pip_does(
    tmp_path: Path, trailer: bytes, reader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if reader == "zlib":  # the inflater where isal has no wheel
        monkeypatch.setattr("safepip.artifacts.unpack._GzipReader", gzip.GzipFile)
    # cx_Freeze 8.7.3's sdist on PyPI ends with stray bytes; pip's tarfile stops at the tar's
    # end blocks and never reads them, so refusing the archive would block a real install.
    body = bytes(range(256)) * 300
    archive = make_tar(tmp_path / "p-1.0.tar.gz", [OK, ("pkg-1.0/big.bin", body)])
    archive.write_bytes(archive.read_bytes() + trailer)
    assert refusals(archive) == ([], ["pkg-1.0/big.bin", "pkg-1.0/ok.py"])


def test_a_tar_cut_short_before_stray_bytes_is_still_an_error(tmp_path: Path) -> None:
    # The stray bytes are tolerated only after a whole tar: one cut inside a member's data,
    # then followed by bytes that are not gzip, must not pass as a shorter archive.
    plain = make_tar(tmp_path / "a.tar", [OK, ("pkg-1.0/big.bin", bytes(5000))], mode="w")
    cut = gzip.compress(plain.read_bytes()[:2048], mtime=0)
    archive = tmp_path / "p-1.0.tar.gz"
    archive.write_bytes(cut + b"O3 and more")
    with pytest.raises(ArchiveError), unpack(archive):
        pass
