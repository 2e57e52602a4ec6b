"""Read a few named files straight out of wheels and sdists: bounded, no extraction, no links.

Nothing is written to disk and no member is followed through a link: a wanted file that is a
symlink, hard link or device is reported as such and never read.
"""

from __future__ import annotations

import logging
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.errors import ArchiveError
from safepip.resolution.core_metadata import MAX_METADATA_BYTES, MetadataMismatchError

logger = logging.getLogger(__name__)

SDIST_FILE_LIMITS = {
    "PKG-INFO": MAX_METADATA_BYTES,
    "pyproject.toml": 1024 * 1024,
    "setup.cfg": 1024 * 1024,
    "setup.py": 2 * 1024 * 1024,
}
"""The top-level sdist files the ladder reads, with the largest size accepted for each."""
MAX_MEMBERS = 100_000
"""More members than this and the archive is refused (as artifacts/unpack.py refuses it)."""
MAX_SCANNED_BYTES = 1 << 30
"""Uncompressed bytes a tar may span before we give up walking it (gzip bombs)."""
MAX_RATIO, RATIO_FLOOR = 100, 16 << 20
"""Uncompressed/compressed ratio refused once past the floor (the unpacker's bounds)."""


@dataclass(frozen=True)
class SdistFiles:
    """The wanted top-level files of an sdist's project directory."""

    top: str
    """The leading directory stripped (as pip strips it), or "" when there is none."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Basename (e.g. `setup.py`) -> content, for regular files only."""
    not_regular: frozenset[str] = frozenset()
    """Wanted basenames present as links or other non-regular members (never read)."""


def _split(path: str) -> tuple[str, str]:
    path = path.lstrip("/").lstrip("\\")
    prefix, _, rest = path.partition("/")
    return prefix, rest


def _read_bounded(handle: object, limit: int, what: str) -> bytes:
    data: bytes = handle.read(limit + 1)  # type: ignore[attr-defined]
    if len(data) > limit:
        raise ArchiveError(f"{what} is larger than the {limit}-byte limit; refusing to read it.")
    return data


class _Collector:
    """Remember candidate files per leading directory while the archive is walked once."""

    def __init__(self, origin: str) -> None:
        self.origin, self.prefixes = origin, set[str]()
        self.found: dict[tuple[str, str], bytes] = {}
        self.irregular: set[tuple[str, str]] = set()

    def wanted(self, path: str) -> tuple[str, str] | None:
        prefix, rest = _split(path)
        self.prefixes.add(prefix)
        key = (prefix, rest) if rest else ("", prefix)
        return key if key[1] in SDIST_FILE_LIMITS else None

    def result(self) -> SdistFiles:
        top = next(iter(self.prefixes)) if len(self.prefixes) == 1 else ""
        return SdistFiles(
            top=top,
            files={name: data for (pre, name), data in self.found.items() if pre == top},
            not_regular=frozenset(name for pre, name in self.irregular if pre == top),
        )


def _too_big(count: int, span: int, archive_size: int) -> bool:
    """Member count or uncompressed span beyond the bounds (checked before reading a member)."""
    bomb = span > RATIO_FLOOR and span > MAX_RATIO * max(archive_size, 1)
    return count > MAX_MEMBERS or span > MAX_SCANNED_BYTES or bomb


def _walk_tar(path: Path, collector: _Collector) -> None:
    size = path.stat().st_size
    with tarfile.open(path, "r:*") as archive:
        for count, member in enumerate(iter(archive.next, None), 1):
            if _too_big(count, member.offset_data + member.size, size):
                raise ArchiveError(f"{path.name}: too many members or too large to inspect "
                                   "(a decompression bomb?); refusing it.")
            key = collector.wanted(member.name)
            if key is None or member.isdir():
                continue
            if not member.isreg():
                collector.irregular.add(key)
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                collector.found[key] = _read_bounded(handle, SDIST_FILE_LIMITS[key[1]],
                                                     f"{path.name}: {member.name}")


def _is_zip_link(info: zipfile.ZipInfo) -> bool:
    """Symlinks and other special files, by the Unix mode in the high 16 bits (0 = plain)."""
    return stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG, stat.S_IFDIR)


def _walk_zip(path: Path, collector: _Collector) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"{path.name}: more than {MAX_MEMBERS} members; refusing it.")
        for info in infos:
            key = collector.wanted(info.filename)
            if key is None or info.is_dir():
                continue
            if _is_zip_link(info) or info.flag_bits & 0x1:
                collector.irregular.add(key)
                continue
            with archive.open(info) as handle:
                collector.found[key] = _read_bounded(handle, SDIST_FILE_LIMITS[key[1]],
                                                     f"{path.name}: {info.filename}")


def read_sdist_files(path: Path) -> SdistFiles:
    """The top-level PKG-INFO / pyproject.toml / setup.cfg / setup.py of an sdist, as bytes."""
    collector = _Collector(path.name)
    try:
        if path.name.lower().endswith(".zip"):
            _walk_zip(path, collector)
        else:
            _walk_tar(path, collector)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"{path.name}: cannot read the sdist archive: {exc}") from exc
    return collector.result()


def wheel_dist_info_dir(names: list[str], project: str, origin: str) -> str:
    """The one `*.dist-info` directory of a wheel, which must belong to `project` (as pip)."""
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    dirs = sorted(top for top in tops if top.endswith(".dist-info"))
    if len(dirs) != 1:
        found = "no" if not dirs else "several"
        raise ArchiveError(f"{origin}: {found} .dist-info directory in the wheel; it is invalid.")
    dist_name = dirs[0].removesuffix(".dist-info").rpartition("-")[0]
    if canonicalize_name(dist_name) != canonicalize_name(project):
        raise MetadataMismatchError(
            f"{origin}: the wheel's metadata directory {dirs[0]!r} belongs to another project."
        )
    return dirs[0]


def read_wheel_metadata(archive: zipfile.ZipFile, project: str, origin: str) -> bytes:
    """The bytes of `<dist-info>/METADATA` (size-bounded), read from an open wheel."""
    info_dir = wheel_dist_info_dir(archive.namelist(), project, origin)
    try:
        info = archive.getinfo(f"{info_dir}/METADATA")
    except KeyError:
        raise ArchiveError(f"{origin}: the wheel has no {info_dir}/METADATA; it is invalid.") \
            from None
    if _is_zip_link(info) or info.flag_bits & 0x1:
        raise ArchiveError(f"{origin}: {info.filename} is a link or encrypted; refusing it.")
    with archive.open(info) as handle:
        return _read_bounded(handle, MAX_METADATA_BYTES, f"{origin}: {info.filename}")
