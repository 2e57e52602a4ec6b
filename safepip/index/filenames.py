"""The one reader of wheel and sdist filenames: which files are distributions (by pip's list of
archive suffixes), which project and version they name, and whether a file names this project
and version (pip's MetadataInconsistent). Wheels and standard sdists are read by `packaging`;
legacy sdist suffixes (`.tar.bz2`, `.tbz`, `.tar.lz`, ...) split as pip splits them. Whether the
bytes really are the archive the suffix says is the archive reader's business (it sniffs them).
"""

from __future__ import annotations

from typing import Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar",
                  ".tar.lz", ".tlz", ".tar.lzma")
"""pip's archive suffixes other than `.whl` (pip/_internal/utils/filetypes.py): every one of
them is offered by the index, scanned and installed alike."""
WHEEL_SUFFIX = ".whl"
ARCHIVE_SUFFIXES = (WHEEL_SUFFIX, *SDIST_SUFFIXES)


def is_distribution_filename(filename: str) -> bool:
    """True for wheels and sdists (by suffix, as pip decides what it can install)."""
    return filename.lower().endswith(ARCHIVE_SUFFIXES)


def artifact_kind(filename: str) -> Literal["wheel", "sdist"]:
    """'wheel' for a `.whl`, else 'sdist' (what pip would do with the file)."""
    return "wheel" if filename.lower().endswith(WHEEL_SUFFIX) else "sdist"


def project_of(filename: str) -> NormalizedName | None:
    """The normalized project a wheel/sdist filename belongs to (None if it does not parse).

    Legacy sdists (`{name}-{version}{suffix}`) split at the last hyphen, as pip splits them."""
    parsed = standard_name_version(filename)
    if parsed is not None:
        return parsed[0]
    if filename.endswith(WHEEL_SUFFIX) or filename.lower().endswith((".tar.gz", ".zip")):
        return None
    stem = sdist_stem(filename)
    if stem is None or "-" not in stem:
        return None
    return canonicalize_name(stem.rsplit("-", 1)[0])


def sdist_stem(filename: str) -> str | None:
    """`name-version` of an sdist filename, or None when the suffix is not an sdist one."""
    lower = filename.lower()
    for suffix in SDIST_SUFFIXES:
        if lower.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def _same(name: str, version: str, want_name: str, want_version: Version) -> bool:
    try:
        return canonicalize_name(name) == canonicalize_name(want_name) and (
            Version(version) == want_version
        )
    except InvalidVersion:
        return False


def filename_matches(filename: str, name: str, version: Version) -> bool:
    """True when `filename` is a wheel or sdist of exactly `name` at `version`.

    Legacy sdist names are ambiguous (`python-dateutil-2.8.2`), so every hyphen is tried as the
    name/version boundary: the file matches when one split gives this name and this version.
    """
    if filename.endswith(".whl"):
        try:
            wheel_name, wheel_version, _, _ = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return False
        return wheel_name == canonicalize_name(name) and wheel_version == version
    stem = sdist_stem(filename)
    if stem is None:
        return False
    splits = [i for i, char in enumerate(stem) if char == "-"]
    return any(_same(stem[:i], stem[i + 1:], name, version) for i in splits)


def name_version_from_filename(filename: str) -> tuple[str, Version] | None:
    """The (name, version) a wheel or sdist filename states, or None when it cannot be read.

    For sdists the last hyphen that is followed by a valid version is the boundary.
    """
    if filename.endswith(".whl"):
        try:
            wheel_name, wheel_version, _, _ = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return str(wheel_name), wheel_version
    stem = sdist_stem(filename)
    if stem is None:
        return None
    for i in [i for i, char in enumerate(stem) if char == "-"][::-1]:
        try:
            return stem[:i], Version(stem[i + 1:])
        except InvalidVersion:
            continue
    return None


def standard_name_version(filename: str) -> tuple[NormalizedName, Version] | None:
    """Name and version of a standard wheel or sdist (`.tar.gz`/`.zip`) filename, as packaging
    reads them; None for anything else, legacy sdist suffixes included."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            return name, version
        return parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
