"""Safe extraction of sdists and wheels into a private temporary directory.

The archive is untrusted: every member name is checked before anything is written, links,
devices and FIFOs are never created, duplicate names are refused, and sizes are counted while
bytes are copied (headers can lie). Python's tarfile `filter="data"` is the model, but the
checks are our own so they do not depend on the interpreter's patch level. Each refused member
becomes an `archive/unsafe-member` finding; extraction goes on where that is still safe and stops
once a bound is crossed. The directory is removed on exit, also on errors and Ctrl-C.
"""

from __future__ import annotations

import logging
import lzma
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from safepip.artifacts.members import Member, MemberGate, Refusal, StopExtraction
from safepip.errors import ArchiveError
from safepip.findings import Finding, Location, Severity

__all__ = [
    "DEFAULT_LIMITS", "MemoryUnpack", "Refusal", "UnpackLimits", "UnpackResult", "read_members",
    "unpack",
]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar")
_ZIP_SUFFIXES = (".zip", ".whl")


@dataclass(frozen=True)
class UnpackLimits:
    """Bounds on what one archive may unpack to (defaults fit the largest popular sdists)."""

    max_total_bytes: int = 1 << 30
    """Sum of all extracted file sizes (1 GiB)."""
    max_members: int = 100_000
    """Number of members, directories included."""
    max_member_bytes: int = 256 << 20
    """Size of any one extracted file (256 MiB)."""
    max_ratio: float = 100.0
    """Extracted bytes per archive byte, checked once `ratio_floor_bytes` have been written."""
    ratio_floor_bytes: int = 16 << 20
    """Below this many extracted bytes the ratio is not enforced (small files compress well)."""


DEFAULT_LIMITS = UnpackLimits()


@dataclass
class UnpackResult:
    """An extracted archive and what extraction refused."""

    root: Path
    """Private directory holding the extracted members; removed when the context exits."""
    archive: Path
    """The archive that was unpacked."""
    refusals: list[Refusal] = field(default_factory=list)
    """Members that were not extracted, and why (also any bound that stopped extraction)."""

    def findings(self, package: str, version: str | None) -> list[Finding]:
        """Each refusal as an `archive/unsafe-member` finding about package==version."""
        return refusal_findings(self.archive, self.refusals, package, version)


@dataclass
class MemoryUnpack:
    """The selected files of an archive, read into memory through the same gate."""

    archive: Path
    """The archive that was read."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Cleaned member name -> content, for the members `select` accepted."""
    refusals: list[Refusal] = field(default_factory=list)
    """As for `UnpackResult`."""

    def findings(self, package: str, version: str | None) -> list[Finding]:
        return refusal_findings(self.archive, self.refusals, package, version)


def refusal_findings(
    archive: Path, refusals: list[Refusal], package: str, version: str | None
) -> list[Finding]:
    return [
        Finding(
            rule="archive/unsafe-member",
            severity=Severity.HIGH,
            package=package,
            version=version,
            message=f"{archive.name}: {r.reason}",
            location=Location(path=r.member),
            evidence=r.member,
        )
        for r in refusals
    ]


@contextmanager
def unpack(
    archive: Path,
    *,
    limits: UnpackLimits = DEFAULT_LIMITS,
    parent: Path | None = None,
    select: Callable[[str], bool] | None = None,
) -> Iterator[UnpackResult]:
    """Extract `archive` into a fresh private directory (under `parent` when given).

    `select(name)` may limit which files are written (by member name); every member is still
    checked, counted and reported, so a refusal is never hidden by the selection.

    Raises ArchiveError when the archive cannot be read at all (unknown type, corrupt data);
    unsafe members are refused and reported instead.
    """
    workdir = Path(tempfile.mkdtemp(prefix="safepip-unpack-", dir=parent))
    try:
        root = workdir / "root"
        root.mkdir()
        result = UnpackResult(root=root, archive=archive)
        gate = MemberGate(root, limits, archive_size=_archive_size(archive), select=select)
        try:
            _extract(archive, gate)
        except StopExtraction as stop:
            result.refusals.extend(gate.refusals)
            result.refusals.append(stop.refusal)
        else:
            result.refusals.extend(gate.refusals)
        yield result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _OverBudget(Exception):
    """The selected members do not fit the memory budget: use the disk instead."""


def read_members(
    archive: Path,
    *,
    limits: UnpackLimits = DEFAULT_LIMITS,
    select: Callable[[str], bool] | None = None,
    budget: int = 256 << 20,
) -> MemoryUnpack | None:
    """Read the selected members into memory through the same checks as `unpack` (no disk).

    Returns None when they would take more than `budget` bytes; the caller then unpacks to disk,
    so memory stays bounded whatever the archive holds.
    """
    result = MemoryUnpack(archive=archive)
    root = Path("/nonexistent-root")  # names only: nothing is written under it
    gate = MemberGate(root, limits, archive_size=_archive_size(archive), select=select)
    held = 0

    def keep(source: IO[bytes], target: Path, member: Member, gate: MemberGate) -> None:
        nonlocal held
        chunks = []
        while chunk := source.read(_CHUNK):
            gate.count(member, len(chunk))
            held += len(chunk)
            if held > budget:
                raise _OverBudget()
            chunks.append(chunk)
        result.files[target.relative_to(root).as_posix()] = b"".join(chunks)

    try:
        _extract(archive, gate, keep)
    except _OverBudget:
        return None
    except StopExtraction as stop:
        gate.refusals.append(stop.refusal)
    result.refusals.extend(gate.refusals)
    return result


def _archive_size(archive: Path) -> int:
    try:
        return archive.stat().st_size
    except OSError as error:
        raise ArchiveError(f"Cannot read {archive}: {error.strerror}.") from None


def archive_format(archive: Path) -> str:
    """'tar' or 'zip', from the file name, else from the file's magic bytes."""
    name = archive.name.lower()
    if name.endswith(_TAR_SUFFIXES):
        return "tar"
    if name.endswith(_ZIP_SUFFIXES):
        return "zip"
    if zipfile.is_zipfile(archive):
        return "zip"
    raise ArchiveError(
        f"{archive.name} is not a supported archive.",
        hint="safepip scans .tar.gz, .tgz, .tar.bz2, .tar.xz, .zip and .whl files.",
    )


Sink = Callable[[IO[bytes], Path, Member, MemberGate], None]


def _extract(archive: Path, gate: MemberGate, sink: Sink | None = None) -> None:
    kind = archive_format(archive)
    write = sink or _copy
    try:
        if kind == "zip":
            _extract_zip(archive, gate, write)
        else:
            _extract_tar(archive, gate, write)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError,  # zip: unknown method, encrypted member
            zlib.error, lzma.LZMAError) as error:  # corrupt compressed data
        # zlib.error, lzma.LZMAError and bz2 errors subclass OSError/ValueError or are raised as
        # such by their file objects; a corrupt archive never reads as "nothing found".
        raise ArchiveError(
            f"{archive.name} could not be read as a {kind} archive: {error}.",
            hint="The file is corrupt or not what its name says; nothing from it was trusted.",
        ) from None


def _extract_tar(archive: Path, gate: MemberGate, sink: Sink) -> None:
    # Stream mode ("r|*"): members are read strictly in order, no seeking, bounded memory.
    with tarfile.open(archive, mode="r|*") as bundle:
        while (info := bundle.next()) is not None:
            member = Member(
                name=info.name,
                size=info.size,
                is_file=info.isreg(),
                is_dir=info.isdir(),
                kind=_tar_kind(info),
            )
            target = gate.admit(member)
            if target is not None:
                source = bundle.extractfile(info)
                if source is not None:
                    sink(source, target, member, gate)
            bundle.members.clear()  # type: ignore[attr-defined] # bound memory: no TarInfo kept


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.issym():
        return "symbolic link"
    if info.islnk():
        return "hard link"
    if info.ischr() or info.isblk():
        return "device"
    if info.isfifo():
        return "FIFO"
    return "special member"


def _extract_zip(archive: Path, gate: MemberGate, sink: Sink) -> None:
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            # Unix mode bits live in the top 16 bits of external_attr; S_IFLNK marks a symlink.
            mode = info.external_attr >> 16
            is_link = (mode & 0o170000) in (0o120000, 0o020000, 0o060000, 0o010000, 0o140000)
            member = Member(
                name=info.filename,
                size=info.file_size,
                is_file=not info.is_dir() and not is_link,
                is_dir=info.is_dir() and not is_link,
                kind=_zip_kind(mode),
                compressed_size=info.compress_size,
            )
            target = gate.admit(member)
            if target is not None:
                with bundle.open(info) as source:
                    sink(source, target, member, gate)


def _zip_kind(mode: int) -> str:
    kinds = {
        0o120000: "symbolic link",
        0o020000: "device",
        0o060000: "device",
        0o010000: "FIFO",
        0o140000: "socket",
    }
    return kinds.get(mode & 0o170000, "special member")


def _copy(source: IO[bytes], target: Path, member: Member, gate: MemberGate) -> None:
    # O_EXCL|O_NOFOLLOW: never write through a link or over an existing file.
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := source.read(_CHUNK):
                gate.count(member, len(chunk))
                out.write(chunk)
    except StopExtraction:
        target.unlink()  # a member cut off at a bound is not scanned half-written
        raise
