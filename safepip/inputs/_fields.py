"""Validation of the fields lock files share: names, versions, markers, file names, hashes.

Each function turns one raw value into a validated object or raises ValueError with a sentence
fragment; readers collect those per package (see `_toml.Problems`).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.inputs.models import LockedFile

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_UNSAFE_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def project_name(value: object) -> NormalizedName:
    if not isinstance(value, str):
        raise ValueError("a package has no `name` string")
    try:
        return canonicalize_name(value, validate=True)
    except InvalidName:
        raise ValueError(f"{value!r} is not a valid project name") from None


def version(value: object, name: str) -> Version:
    if not isinstance(value, str):
        raise ValueError(f"{name}: `version` must be a string")
    try:
        return Version(value)
    except InvalidVersion:
        raise ValueError(f"{name}: {value!r} is not a valid version (PEP 440)") from None


def marker(value: object, name: str) -> Marker | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name}: `marker` must be a string")
    try:
        return Marker(value)
    except InvalidMarker:
        raise ValueError(f"{name}: {value!r} is not a valid environment marker") from None


def filename(value: str, name: str) -> str:
    """A file name safe to use as one path component (a hostile lock could say `../x`)."""
    if not value or value in (".", "..") or _UNSAFE_FILENAME.search(value):
        raise ValueError(f"{name}: {value!r} is not a plain file name")
    return value


def filename_from_location(url: str | None, path: str | None, name: str) -> str:
    """The last segment of a URL path or a local path, unquoted."""
    if url is not None:
        segment = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    elif path is not None:
        segment = path.replace("\\", "/").rsplit("/", 1)[-1]
    else:
        raise ValueError(f"{name}: a file has neither `url` nor `path`")
    return filename(segment, name)


def sha256(value: object, name: str) -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValueError(f"{name}: {value!r} is not a sha256 hex digest")
    return value.lower()


def prefixed_hash(value: object, name: str) -> str | None:
    """`sha256:<hex>` -> hex; other algorithms -> None (recorded, but not what safepip pins)."""
    if not isinstance(value, str) or ":" not in value:
        raise ValueError(f"{name}: {value!r} is not an `algorithm:digest` hash")
    algorithm, _, digest = value.partition(":")
    return sha256(digest, name) if algorithm.lower() == "sha256" else None


def optional_size(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name}: `size` must be a non-negative integer")
    return value


def locked_file(
    name: str, *, url: object, path: object, explicit_name: object = None,
    sha: str | None, size: object = None,
) -> LockedFile:
    """Build a LockedFile after checking every part."""
    if url is not None and not isinstance(url, str):
        raise ValueError(f"{name}: `url` must be a string")
    if path is not None and not isinstance(path, str):
        raise ValueError(f"{name}: `path` must be a string")
    if explicit_name is not None:
        if not isinstance(explicit_name, str):
            raise ValueError(f"{name}: a file `name` must be a string")
        fname = filename(explicit_name, name)
    else:
        fname = filename_from_location(url, path, name)
    return LockedFile(fname, url, sha, path, optional_size(size, name))
