"""The static metadata ladder: a distribution's dependencies read as data, never by running it.

Rungs, in order (DESIGN.md "Never executing package code"):

1. PEP 658/714 `.metadata` file      -> `metadata_from_core_metadata(..., source="pep658")`
2. the wheel's `*.dist-info/METADATA` -> `wheel_metadata_over_http` (range requests) then
   `metadata_from_core_metadata(..., source="wheel")`, or `metadata_from_wheel_file`
3. sdist PKG-INFO, Metadata-Version >= 2.2, Requires-Dist not Dynamic (PEP 643)
4. pyproject.toml `[project]`, setup.cfg `[options]`, literal setup.py keywords (ast)
5. unknown: `source == "unknown"`, no dependencies, `detail` says why (a finding, not a guess)
   -> rungs 3-5: `metadata_from_sdist_file` / `inspect_sdist`

Every reader bounds sizes, extracts nothing to disk and follows no links. The name and version
inside must match the file's name (`MetadataMismatchError`), as pip requires.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from safepip.errors import ArchiveError
from safepip.resolution.archive_members import read_wheel_metadata
from safepip.resolution.build_system import BuildSystem
from safepip.resolution.core_metadata import (
    MAX_METADATA_BYTES,
    MetadataError,
    MetadataInvalidError,
    MetadataMismatchError,
    StaticMetadata,
    check_matches_filename,
    metadata_from_core_metadata,
)
from safepip.resolution.static_sdist import (
    SdistInspection,
    build_requirements_from_sdist,
    inspect_sdist,
    metadata_from_sdist_file,
)

if TYPE_CHECKING:
    import requests

__all__ = [
    "MAX_METADATA_BYTES",
    "BuildSystem",
    "MetadataError",
    "MetadataInvalidError",
    "MetadataMismatchError",
    "SdistInspection",
    "StaticMetadata",
    "build_requirements_from_sdist",
    "check_matches_filename",
    "inspect_sdist",
    "metadata_from_core_metadata",
    "metadata_from_sdist_file",
    "metadata_from_wheel_file",
    "wheel_metadata_over_http",
]


def wheel_metadata_over_http(session: requests.Session, url: str) -> bytes | None:
    """`lazy_wheel.wheel_metadata_over_http`, imported on first use: requests (~0.1 s of
    imports) loads only when an index is reached over HTTP."""
    from safepip.resolution.lazy_wheel import wheel_metadata_over_http as read

    return read(session, url)


def metadata_from_wheel_file(path: Path, *, filename: str | None = None) -> StaticMetadata:
    """Rung 2 on a downloaded wheel: its dist-info METADATA, read from the zip (nothing else).

    `filename` (default `path.name`) is the published wheel filename; the dist-info directory
    and the METADATA name/version must match it.
    """
    name = filename or path.name
    try:
        project = str(parse_wheel_filename(name)[0])
    except (InvalidWheelFilename, ValueError) as exc:
        raise ArchiveError(f"{name}: not a valid wheel filename ({exc}).") from exc
    try:
        with zipfile.ZipFile(path) as archive:
            data = read_wheel_metadata(archive, project, name)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"{name}: cannot read the wheel: {exc}") from exc
    return metadata_from_core_metadata(data, source="wheel", origin=name, filename=name)
