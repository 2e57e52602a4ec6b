"""Safe extraction of sdists and wheels into a private temporary directory.

The archive is untrusted: it is read by content (zip or tar, sniffed as pip sniffs it; a file
that is both is refused), every member name is checked before anything is written, links,
devices and FIFOs are never created (a link that stays inside the archive is replaced by a copy
of what it points at, which is what a build would read), duplicate names are refused unless the
copies are identical, sizes are judged from the headers and counted again while bytes are copied
(headers can lie), and the decompressed stream itself is bounded. Python's tarfile
`filter="data"` (PEP 706) is the model, but the checks are our own so they do not depend on the
interpreter's patch level. Each refused member becomes an `archive/unsafe-member` finding;
extraction goes on where that is still safe and stops once a bound is crossed. The directory is
removed on exit, also on errors and Ctrl-C.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import posixpath
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, Protocol, cast

from safepip.artifacts.members import Member, MemberGate, Refusal, StopExtraction
from safepip.errors import ArchiveError
from safepip.findings import Finding, Location, Severity

_GzipReader: type[gzip.GzipFile] = gzip.GzipFile
_INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:  # ISA-L inflates ~2.5x faster than zlib, and inflating is a third of a scan's CPU
    from isal import igzip, isal_zlib

    # Its reader is a GzipFile that checks the CRC and length the same way; its error is its
    # own class (its stubs declare an instance).
    _GzipReader = igzip.IGzipFile
    _INFLATE_ERRORS += (cast("type[Exception]", isal_zlib.error),)
except ImportError:  # no isal wheel for this platform: the standard library's, same bytes out
    pass

__all__ = [
    "DEFAULT_LIMITS", "MemoryUnpack", "Refusal", "UnpackLimits", "UnpackResult", "read_members",
    "unpack", "zip_member_problem",
]


_CHUNK = 1 << 16
_TAR_READ = 1 << 15
"""Bytes taken from the decompressed stream at a time for tarfile (a third of the stream's
calls of tarfile's 10 KiB default)."""
_ZIP_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
"""Compression methods Python's zipfile reads (pip unzips with the same module)."""
_READ_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError,
    *_INFLATE_ERRORS, lzma.LZMAError, NotImplementedError, RuntimeError, UnicodeError,
)
"""What the archive modules raise on corrupt or unsupported data (zlib's and isal's errors and
LZMAError subclass neither OSError nor ValueError; zipfile raises NotImplementedError and
RuntimeError)."""


@dataclass(frozen=True)
class UnpackLimits:
    """Bounds on what one archive may unpack to.

    The absolute bounds fit the largest real wheels (a CUDA wheel holds single libraries of
    800 MB and unpacks to several GB); bombs are caught by the ratio, which matters only once
    the absolute size is large, and which is judged from the headers before decompressing."""

    max_total_bytes: int = 16 << 30
    """Sum of all extracted file sizes (16 GiB)."""
    max_members: int = 100_000
    """Number of members, directories included."""
    max_member_bytes: int = 4 << 30
    """Size of any one extracted file (4 GiB, the largest a zip holds without zip64)."""
    max_ratio: float = 100.0
    """Extracted bytes per archive byte (for the whole archive, and per zip member)."""
    ratio_floor_bytes: int = 16 << 20
    """Below this many bytes the ratio is not enforced: a 2 MB library padded with zeros
    compresses 1000 times and is no bomb."""


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
    stopped: Refusal | None = None
    """The bound that stopped reading (also the last of `refusals`), or None."""
    links: frozenset[str] = frozenset()
    """Names of the links inside the archive (their selected targets are in `files`)."""

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
        gate = MemberGate(limits, archive_size=_archive_size(archive), select=select)
        result.refusals.extend(_run(archive, gate, _DiskSink(root)))
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
    gate = MemberGate(limits, archive_size=_archive_size(archive), select=select)
    try:
        result.refusals.extend(_run(archive, gate, _MemorySink(result.files, budget)))
    except _OverBudget:
        return None
    result.stopped, result.links = gate.stopped, frozenset(gate.links)
    return result


def _run(archive: Path, gate: MemberGate, sink: _Sink) -> list[Refusal]:
    """Every member through `gate` into `sink`, then links replaced by what they point at."""
    try:
        _extract(archive, gate, sink)
        missing = gate.unkept_link_targets(lambda link: _resolve(link, gate.links))
        if missing:
            second = MemberGate(gate.limits, gate.archive_size, select=missing.__contains__)
            _extract(archive, second, sink)  # its refusals were already reported by the first
            gate.adopt(second)
        _materialize_links(gate, sink)
    except StopExtraction as stop:
        gate.stopped = stop.refusal
        return [*gate.refusals, stop.refusal]
    return gate.refusals


def _archive_size(archive: Path) -> int:
    try:
        return archive.stat().st_size
    except OSError as error:
        raise ArchiveError(f"Cannot read {archive}: {error.strerror}.") from None


_COMPRESSED_TAR = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x5d\x00\x00")
"""gzip, bzip2, xz and legacy lzma magic: what tarfile's "r:*" (and pip's untar) opens."""


def archive_format(archive: Path) -> Literal["tar", "zip"]:
    """'tar' or 'zip', read from the content (as pip does), never from the name.

    A file that reads as both is refused: tools disagree on which one they see (pip before 25
    unzipped a `.tar.gz` that was also a zip), so the bytes checked might not be those installed.
    """
    try:
        with archive.open("rb") as handle:
            start = handle.read(512)
        is_zip = zipfile.is_zipfile(archive)
    except OSError as error:
        raise ArchiveError(f"Cannot read {archive}: {error.strerror}.") from None
    is_tar = start.startswith(_COMPRESSED_TAR) or _is_plain_tar(start)
    if is_zip and is_tar:
        raise StopExtraction(Refusal(
            member=archive.name,
            reason="the file is both a zip and a tar archive (a polyglot): installers disagree "
                   "on which one they read, so it is refused; extraction stopped",
        ))
    if is_zip:
        return "zip"
    if is_tar:
        return "tar"
    raise ArchiveError(
        f"{archive.name} is not a supported archive (neither a zip nor a tar file).",
        hint="safepip scans sdists (.tar.gz and the other tar forms, .zip) and .whl wheels.",
    )


def _is_plain_tar(block: bytes) -> bool:
    if block[257:262] == b"ustar":
        return True
    try:  # an old (v7) header: no magic, but its checksum must hold
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except (tarfile.HeaderError, ValueError):
        return False
    return True


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Sink:
    """Where admitted file members go, by cleaned name (`a/b.py`, from `MemberGate.admit`):
    written out, or held in memory."""

    def write(self, source: _Readable, key: str, member: Member, gate: MemberGate) -> None:
        raise NotImplementedError

    def open(self, key: str) -> IO[bytes] | None:
        """What an earlier member wrote as `key`, to read (None when nothing was)."""
        raise NotImplementedError

    def put(self, source: IO[bytes], key: str) -> None:
        """A copy made for a link (already counted by the gate)."""
        raise NotImplementedError


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
"""O_EXCL|O_NOFOLLOW: never write through a link or over an existing file."""


class _DiskSink(_Sink):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))  # the gate's checked parts

    def write(self, source: _Readable, key: str, member: Member, gate: MemberGate) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, _CREATE, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                while chunk := source.read(_CHUNK):
                    gate.count(member, len(chunk))
                    out.write(chunk)
        except StopExtraction:
            target.unlink()  # a member cut off at a bound is not scanned half-written
            raise

    def open(self, key: str) -> IO[bytes] | None:
        try:
            return os.fdopen(os.open(self._path(key), os.O_RDONLY | _NOFOLLOW), "rb")
        except OSError:
            return None

    def put(self, source: IO[bytes], key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(target, _CREATE, 0o600), "wb") as out:
            shutil.copyfileobj(source, out, _CHUNK)


class _MemorySink(_Sink):
    def __init__(self, files: dict[str, bytes], budget: int) -> None:
        self.files, self.budget, self.held = files, budget, 0

    def write(self, source: _Readable, key: str, member: Member, gate: MemberGate) -> None:
        chunks = []
        while chunk := source.read(_CHUNK):
            gate.count(member, len(chunk))
            self._hold(len(chunk))
            chunks.append(chunk)
        self.files[key] = b"".join(chunks)

    def open(self, key: str) -> IO[bytes] | None:
        data = self.files.get(key)
        return None if data is None else io.BytesIO(data)

    def put(self, source: IO[bytes], key: str) -> None:
        data = source.read()
        self._hold(len(data))
        self.files[key] = data

    def _hold(self, size: int) -> None:
        self.held += size
        if self.held > self.budget:
            raise _OverBudget()


def _extract(archive: Path, gate: MemberGate, sink: _Sink) -> None:
    kind = archive_format(archive)
    try:
        if kind == "zip":
            _extract_zip(archive, gate, sink)
        else:
            _extract_tar(archive, gate, sink)
    except _READ_ERRORS as error:
        # A corrupt archive never reads as "nothing found".
        raise ArchiveError(
            f"{archive.name} could not be read as a {kind} archive: "
            f"{str(error).rstrip('.') or type(error).__name__}.",
            hint="The file is corrupt or not what its name says; nothing from it was trusted.",
        ) from None


def _admit(
    gate: MemberGate, sink: _Sink, member: Member,
    source: Callable[[], AbstractContextManager[_Readable]],
) -> None:
    """One member through the gate; a repeated name is compared, not written again."""
    key = gate.admit(member)
    if key is None:
        return
    with source() as stream:
        if not gate.duplicate_of(key):
            sink.write(stream, key, member, gate)
            return
        earlier = sink.open(key)
        if earlier is None or not _same_bytes(earlier, stream, member, gate):
            gate.differs(member)


def _same_bytes(earlier: IO[bytes], later: _Readable, member: Member, gate: MemberGate) -> bool:
    """Whether two streams hold the same bytes (read in step, counted by the gate)."""
    with earlier:
        while chunk := later.read(_CHUNK):
            gate.count(member, len(chunk))
            if earlier.read(len(chunk)) != chunk:
                return False
        return earlier.read(1) == b""


class _Bounded:
    """A decompressed stream that stops once it yields more than `limit` bytes.

    Tar headers (pax records, long names) and the data of skipped members are decompressed too;
    this bounds them all, whatever the headers say."""

    def __init__(self, stream: io.BufferedIOBase, limit: int, name: str,
                 restart: Callable[[], io.BufferedIOBase] | None = None) -> None:
        self.stream, self.limit, self.name, self.total = stream, limit, name, 0
        self.restart = restart

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else _CHUNK
        try:
            data = _read_once(self.stream, want)
        except _StrayBytes:
            data = self._after_stray_bytes(want)
        self.total += len(data)
        if self.total > self.limit:
            raise StopExtraction(Refusal(
                member=self.name,
                reason=f"the archive's decompressed stream exceeds {self.limit} bytes "
                       "(a decompression bomb); extraction stopped",
            ))
        return data

    def _after_stray_bytes(self, want: int) -> bytes:
        # isal's reader drops what it inflated in the call that met them: zlib's reader inflates
        # the members again up to where isal stopped and hands over the rest, then ends cleanly.
        if not self.total or self.restart is None:
            return b""  # tarfile decides: a complete archive ends here, a short one is an error
        stream, self.restart = self.restart(), None
        skip = self.total
        while skip:
            chunk = stream.read1(min(skip, _CHUNK))
            if not chunk:
                raise EOFError("the archive changed while it was read")
            skip -= len(chunk)
        self.stream = stream
        try:
            return _read_once(stream, want)
        except _StrayBytes:
            return b""


class _StrayBytes(Exception):
    """Bytes after the last gzip member that are not another member's header.

    Real sdists carry them (cx_Freeze 8.7.3 on PyPI); pip's tarfile never reads them, and GNU
    gzip ignores them with a warning. Raised only where a member header is expected, after every
    byte of the members before was checked against its CRC and length, so what was read is
    whole; a tar cut short by them still fails in tarfile. (Fewer than a header's 10 bytes are an
    EOFError in isal's reader, not told apart from a member cut short: refused.)"""


def _read_once(stream: io.BufferedIOBase, size: int) -> bytes:
    # read1: one inflate per call, so that the bytes inflated before stray bytes arrive first
    try:
        return stream.read1(size)
    except gzip.BadGzipFile as error:
        if str(error).startswith("Not a gzipped file"):
            raise _StrayBytes() from error
        raise


def _decompressed(handle: io.BufferedReader) -> io.BufferedIOBase:
    start = handle.read(6)
    handle.seek(0)
    if start.startswith(b"\x1f\x8b"):
        return _GzipReader(fileobj=handle, mode="rb")
    if start.startswith(b"BZh"):
        return bz2.BZ2File(handle)
    if start.startswith((b"\xfd7zXZ\x00", b"\x5d\x00\x00")):
        return lzma.LZMAFile(handle)
    return handle


def _zlib_restart(handle: io.BufferedReader) -> Callable[[], io.BufferedIOBase] | None:
    if _GzipReader is gzip.GzipFile:
        return None

    def restart() -> io.BufferedIOBase:
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle, mode="rb")

    return restart


def _stream_limit(gate: MemberGate) -> int:
    limits = gate.limits
    content = min(limits.max_total_bytes,
                  max(limits.ratio_floor_bytes, int(limits.max_ratio * gate.archive_size)))
    return 2 * content + (16 << 20)  # headers and padding on top of the members' bytes


def _extract_tar(archive: Path, gate: MemberGate, sink: _Sink) -> None:
    # As tarfile's stream mode ("r|"): members are read strictly in order, no seeking back,
    # bounded memory; the decompression is ours, so that every decompressed byte is counted.
    with archive.open("rb") as raw, _decompressed(raw) as plain:
        restart = _zlib_restart(raw) if isinstance(plain, gzip.GzipFile) else None
        stream = _Bounded(plain, _stream_limit(gate), archive.name, restart)
        # (typeshed asks every file object for write and close; tarfile reads with read, seek
        # and tell; `members` is the list of TarInfo read so far.)
        forward = _Forward(stream)
        with tarfile.TarFile(fileobj=forward, mode="r") as bundle:  # type: ignore[arg-type]
            while (info := bundle.next()) is not None:
                _admit(gate, sink, _tar_member(info), _tar_opener(bundle, forward, info))
                bundle.members.clear()  # type: ignore[attr-defined] # bound memory: no TarInfo


class _Forward:
    """The decompressed tar stream as tarfile reads it, forward only: what tarfile's stream
    mode ("r|") wraps around it, without its cost.

    tarfile's `_Stream` re-slices its whole buffer for every 512-byte header it reads and
    copies every skipped byte three times; this keeps an offset into the last chunk instead,
    and drops skipped chunks as they come. Chunks are taken from `stream` exactly as `_Stream`
    takes them (`_TAR_READ` bytes each, only when a read or seek needs more), so the stream's
    bound is crossed at the same point of the archive. Seeking back fails as in stream mode,
    so tarfile never rereads a byte."""

    def __init__(self, stream: _Bounded) -> None:
        self.stream = stream
        self.chunk, self.start, self.position = b"", 0, 0

    def tell(self) -> int:
        return self.position

    def read(self, size: int) -> bytes:
        chunk, start = self.chunk, self.start
        end = start + size
        if end <= len(chunk):
            self.start, self.position = end, self.position + size
            return chunk[start:end]
        pieces, held = [chunk[start:]], len(chunk) - start
        while held < size and (more := self.stream.read(_TAR_READ)):
            pieces.append(more)
            held += len(more)
        if held > size:  # only ever after a new chunk: keep its unread end
            chunk = pieces[-1]
            self.chunk, self.start = chunk, len(chunk) - (held - size)
            pieces[-1] = chunk[:self.start]
        else:
            self.chunk, self.start = b"", 0
        data = b"".join(pieces)
        self.position += len(data)
        return data

    def seek(self, position: int) -> int:
        skip = position - self.position
        if skip < 0:
            raise tarfile.StreamError("seeking backwards is not allowed")
        held = len(self.chunk) - self.start
        while skip > held:
            skip -= held
            self.position += held
            self.chunk, self.start = self.stream.read(_TAR_READ), 0
            held = len(self.chunk)
            if not held:
                return self.position  # the end: tarfile's next read finds it short
        self.start += skip
        self.position += skip
        return self.position


def _tar_member(info: tarfile.TarInfo) -> Member:
    if info.isreg():  # most members: neither a link nor a kind to name
        return Member(name=info.name, size=info.size, is_file=True, is_dir=False)
    link = info.linkname if info.issym() or info.islnk() else None
    return Member(
        name=info.name,
        size=info.size,
        is_file=info.isreg(),
        is_dir=info.isdir(),
        kind=_tar_kind(info),
        link_target=link,
        hard_link=info.islnk(),
    )


def _tar_opener(
    bundle: tarfile.TarFile, forward: _Forward, info: tarfile.TarInfo
) -> Callable[[], AbstractContextManager[_Readable]]:
    def opener() -> AbstractContextManager[_Readable]:
        if info.sparse is None:
            return _MemberData(forward, info)
        source = bundle.extractfile(info)  # sparse: tarfile puts the holes back
        if source is None:  # never for a regular member
            raise tarfile.ReadError(f"cannot read {info.name}")
        return source

    return opener


class _MemberData:
    """A regular member's bytes, read from the tar stream as tarfile's `extractfile` reads
    those of a member that is not sparse (from its data offset, `size` bytes, in the same
    chunks, the same error when they are cut short), without the buffered file object it wraps
    them in. (That object asks an ended stream again before it fails; this asks once.)"""

    def __init__(self, forward: _Forward, info: tarfile.TarInfo) -> None:
        self.forward, self.left = forward, info.size
        forward.seek(info.offset_data)

    def __enter__(self) -> _MemberData:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def read(self, size: int, /) -> bytes:
        want = min(size, self.left)
        data = self.forward.read(want)
        if len(data) != want:
            raise tarfile.ReadError("unexpected end of data")
        self.left -= want
        return data


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


def _extract_zip(archive: Path, gate: MemberGate, sink: _Sink) -> None:
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            member = _zip_member(info)
            problem = _zip_problem(info)
            if problem is not None:
                gate.refusals.append(Refusal(member=info.filename, reason=problem))
                continue
            _admit(gate, sink, member, functools.partial(bundle.open, info))


def _zip_member(info: zipfile.ZipInfo) -> Member:
    # Unix mode bits live in the top 16 bits of external_attr; S_IFLNK marks a symlink. pip
    # writes a zip "link" as a file holding the target's name, so links are refused here.
    mode = info.external_attr >> 16
    is_link = (mode & 0o170000) in (0o120000, 0o020000, 0o060000, 0o010000, 0o140000)
    is_dir = info.filename.endswith("/")  # not is_dir(): it fails on an empty name
    return Member(
        name=info.filename,
        size=info.file_size,
        is_file=not is_dir and not is_link,
        is_dir=is_dir and not is_link,
        kind=_zip_kind(mode),
        compressed_size=info.compress_size,
    )


def zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member cannot be read as a regular file (a link or special file, encrypted, an
    unknown compression method), or None: for readers that take one member from a zip."""
    member = _zip_member(info)
    if not member.is_file:
        return f"it is a {'folder' if member.is_dir else member.kind}, not a regular file"
    return _zip_problem(info)


def _zip_problem(info: zipfile.ZipInfo) -> str | None:
    """Members zipfile cannot read: reported, never an internal error."""
    if info.flag_bits & 0x1:
        return "it is encrypted, so its content cannot be checked"
    if info.compress_type not in _ZIP_METHODS:
        return f"it uses compression method {info.compress_type}, which cannot be read"
    return None


def _zip_kind(mode: int) -> str:
    kinds = {
        0o120000: "symbolic link",
        0o020000: "device",
        0o060000: "device",
        0o010000: "FIFO",
        0o140000: "socket",
    }
    return kinds.get(mode & 0o170000, "special member")


def _materialize_links(gate: MemberGate, sink: _Sink) -> None:
    """Put a copy of what each in-archive link points at in its place (when it was kept)."""
    for link in sorted(gate.links):
        resolved = _resolve(link, gate.links)
        if resolved is None:
            continue
        for source, rest in _link_sources(resolved, gate):
            name = posixpath.join(link, rest) if rest else link
            if gate.select is not None and not gate.select(name):
                continue
            original = sink.open(source)
            if original is None:
                continue
            with original:
                size = original.seek(0, io.SEEK_END)
                original.seek(0)
                if gate.copied(name, size):
                    sink.put(original, name)


def _link_sources(resolved: str, gate: MemberGate) -> list[tuple[str, str]]:
    """(member written, path below the link) pairs: the file itself, or a folder's files."""
    if gate.was_written(resolved):
        return [(resolved, "")]
    prefix = resolved + "/"
    return [(key, key[len(prefix):]) for key in gate.written_under(prefix)]


def _resolve(name: str, links: dict[str, str]) -> str | None:
    """Follow links (also through linked folders) to a member name; None when it leaves the
    archive or loops."""
    path = links[name]
    for _ in range(40):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix in links:
                path = posixpath.normpath(posixpath.join(links[prefix], *parts[depth:]))
                break
        else:
            return path
        if path == ".." or path.startswith("../"):
            return None
    return None
