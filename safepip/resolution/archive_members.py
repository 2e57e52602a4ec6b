"""Read a few named files straight out of wheels and sdists: bounded, nothing written, no links.

An sdist's top-level files go through the one safe archive reader (`artifacts.unpack`, the same
gate and limits as the scanner's: content sniffed, PEP 706 link rules, bombs refused from their
headers); a wanted file that the gate refuses (a link out of the tree, a device) is reported as
such and never read. A wheel's METADATA is read from an open zip (local or over HTTP ranges) with
the same member checks.
"""

from __future__ import annotations

import dataclasses
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.artifacts.unpack import DEFAULT_LIMITS, read_members, zip_member_problem
from safepip.errors import ArchiveError
from safepip.resolution.core_metadata import MAX_METADATA_BYTES, MetadataMismatchError

SDIST_FILE_LIMITS = {
    "PKG-INFO": MAX_METADATA_BYTES,
    "pyproject.toml": 1024 * 1024,
    "setup.cfg": 1024 * 1024,
    "setup.py": 2 * 1024 * 1024,
}
"""The top-level sdist files the ladder reads, with the largest size accepted for each."""
MAX_MEMBERS = DEFAULT_LIMITS.max_members
"""More members than this and the archive is refused (the archive reader's bound)."""


@dataclass(frozen=True)
class SdistFiles:
    """The wanted top-level files of an sdist's project directory."""

    top: str
    """The leading directory stripped (as pip strips it), or "" when there is none."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Basename (e.g. `setup.py`) -> content, for regular files only."""
    not_regular: frozenset[str] = frozenset()
    """Wanted basenames present as links out of the tree or other special members (never
    read)."""


def _wanted(name: str) -> tuple[str, str] | None:
    """(leading directory or "", basename) of a wanted top-level file, else None."""
    parts = name.split("/")
    if len(parts) == 1:
        return ("", parts[0]) if parts[0] in SDIST_FILE_LIMITS else None
    if len(parts) == 2 and parts[1] in SDIST_FILE_LIMITS:
        return parts[0], parts[1]
    return None


def _clean(name: str) -> str:
    return "/".join(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))


def read_sdist_files(path: Path) -> SdistFiles:
    """The top-level PKG-INFO / pyproject.toml / setup.cfg / setup.py of an sdist, as bytes."""
    prefixes: set[str] = set()

    def select(name: str) -> bool:
        prefixes.add(name.split("/", 1)[0] if "/" in name else "")
        return _wanted(name) is not None

    limits = dataclasses.replace(DEFAULT_LIMITS, max_members=MAX_MEMBERS)
    budget = sum(SDIST_FILE_LIMITS.values()) * 2
    try:
        memory = read_members(path, limits=limits, select=select, budget=budget)
    except ArchiveError as error:
        raise ArchiveError(f"{path.name}: cannot read the sdist archive: {error}",
                           hint=error.hint) from None
    if memory is None:
        raise ArchiveError(f"{path.name}: its top-level build files are larger than the "
                           f"{budget}-byte limit; refusing to read them.")
    if memory.stopped is not None:
        raise ArchiveError(f"{path.name}: too many members or too large to inspect "
                           f"({memory.stopped.reason}); refusing it.")
    top = next(iter(prefixes)) if len(prefixes) == 1 else ""
    files: dict[str, bytes] = {}
    for name, data in memory.files.items():
        key = _wanted(name)
        if key is not None and key[0] == top:
            limit = SDIST_FILE_LIMITS[key[1]]
            if len(data) > limit:
                raise ArchiveError(f"{path.name}: {name} is larger than the {limit}-byte limit; "
                                   "refusing to read it.")
            files[key[1]] = data
    # A wanted file refused by the gate, or linked to what the gate refused, is never read.
    refused = {_wanted(_clean(r.member)) for r in memory.refusals} | set(map(_wanted, memory.links))
    not_regular = frozenset(key[1] for key in refused if key is not None and key[0] == top)
    return SdistFiles(top=top, files=files, not_regular=not_regular - files.keys())


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
    problem = zip_member_problem(info)
    if problem is not None:
        raise ArchiveError(f"{origin}: {info.filename}: {problem}; refusing it.")
    try:
        with archive.open(info) as handle:
            data: bytes = handle.read(MAX_METADATA_BYTES + 1)
    except (zlib.error, NotImplementedError, RuntimeError) as error:
        raise ArchiveError(f"{origin}: {info.filename} could not be read: {error}.") from None
    if len(data) > MAX_METADATA_BYTES:
        raise ArchiveError(f"{origin}: {info.filename} is larger than the "
                           f"{MAX_METADATA_BYTES}-byte limit; refusing to read it.")
    return data
