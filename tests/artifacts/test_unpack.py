"""Safe extraction: every refusal has a hostile archive, bounds hold, temp dirs never leak."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from safepip.artifacts.unpack import UnpackLimits, unpack
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
        special("pkg-1.0/inside", tarfile.SYMTYPE, "ok.py"),
        special("pkg-1.0/hard", tarfile.LNKTYPE, "pkg-1.0/ok.py"),
        special("pkg-1.0/dev", tarfile.CHRTYPE),
        special("pkg-1.0/blk", tarfile.BLKTYPE),
        special("pkg-1.0/fifo", tarfile.FIFOTYPE),
    ],
    ids=["symlink-out", "symlink-in", "hardlink", "chardev", "blockdev", "fifo"],
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


def test_zip_symlink_member_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("pkg-1.0/link")
    info.external_attr = 0o120777 << 16
    archive = make_zip(tmp_path / "a.zip", [(info, b"/etc/passwd"), OK])
    assert refusals(archive) == (["pkg-1.0/link"], ["pkg-1.0/ok.py"])


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "a.tar.gz", [OK, ("pkg-1.0/ok.py", b"evil"), ("./pkg-1.0//ok.py", b"evil")]
    )
    refused, written = refusals(archive)
    assert refused == ["pkg-1.0/ok.py", "./pkg-1.0//ok.py"] and written == ["pkg-1.0/ok.py"]
    with unpack(archive) as result:
        assert (result.root / "pkg-1.0/ok.py").read_bytes() == b"x = 1\n"


def test_file_used_as_folder_is_refused(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [("pkg/a", b"file"), ("pkg/a/b", b"nested")])
    assert refusals(archive) == (["pkg/a/b"], ["pkg/a"])


def test_member_count_bound_stops_extraction(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [(f"pkg/{i}", b"x") for i in range(20)])
    refused, written = refusals(archive, UnpackLimits(max_members=5))
    assert refused == ["pkg/5"] and len(written) == 5


def test_single_member_size_bound(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [("pkg/big", b"x" * 5000), OK])
    assert refusals(archive, UnpackLimits(max_member_bytes=4096)) == (
        ["pkg/big"],
        ["pkg-1.0/ok.py"],
    )


def test_total_size_bound_stops_extraction(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [(f"pkg/{i}", b"x" * 1000) for i in range(10)])
    refused, written = refusals(archive, UnpackLimits(max_total_bytes=3500))
    assert refused == ["pkg/3"] and len(written) == 3


def test_zip_bomb_member_is_refused_by_ratio(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", [("pkg/zeros", b"\0" * (4 << 20)), OK])
    refused, written = refusals(archive, UnpackLimits(max_ratio=50))
    assert refused == ["pkg/zeros"] and written == ["pkg-1.0/ok.py"]


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
        ("pkg-1.0/big", b"y" * 5000), ("pkg-1.0/data.bin", b"z")])
    limits = UnpackLimits(max_member_bytes=4096)
    result = read_members(archive, limits=limits, select=lambda name: not name.endswith(".bin"))
    assert result is not None
    assert result.files == {"pkg-1.0/ok.py": b"x = 1\n"}
    assert [r.member for r in result.refusals] == ["../evil", "pkg-1.0/l", "pkg-1.0/big"]
    assert read_members(archive, limits=limits, budget=3) is None  # over budget: use the disk
    bomb = make_tar(tmp_path / "b.tar.gz", [(f"p/{i}", b"\0" * (1 << 20)) for i in range(8)])
    stopped = read_members(bomb, limits=UnpackLimits(max_ratio=50, ratio_floor_bytes=1 << 20))
    assert stopped is not None and "decompression bomb" in stopped.refusals[-1].reason
