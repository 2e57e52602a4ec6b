"""Does a wheel or sdist filename name this project and version? (pip's MetadataInconsistent)."""

from __future__ import annotations

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")


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
