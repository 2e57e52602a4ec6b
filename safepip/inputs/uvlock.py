"""uv's `uv.lock` (lock `version = 1`), read as data.

Each `[[package]]` has `name`, `version` and a `source` inline table: `registry` (index URL or local
path) for index packages, whose `sdist`/`wheels` entries carry `url` (or `path`) and `hash`
(`sha256:<hex>`); `git`, `url`, `path`, `directory`, `editable` or `virtual` for direct sources. The
project itself appears as an `editable`/`virtual` package.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import Problems, file_tables, load_toml, read_package_tables
from safepip.inputs.models import LockedFile, LockedPackage

logger = logging.getLogger(__name__)

SUPPORTED_VERSION = 1
_DIRECT_KINDS = ("git", "url", "path", "directory", "editable", "virtual")


def read_uv_lock(path: Path) -> list[LockedPackage]:
    """Every package of a uv.lock file; InputError listing all problems otherwise."""
    document = load_toml(path)
    problems = Problems(path)
    lock_version = document.data.get("version")
    if lock_version != SUPPORTED_VERSION:
        problems.add(document.find_line("version"),
                     f"uv.lock version {lock_version!r} is not supported (expected 1)")
    result = read_package_tables(document, problems, "package", _package)
    problems.raise_if_any()
    return result


def _package(table: dict[str, Any], source: Location) -> LockedPackage:
    name = _fields.project_name(table.get("name"))
    raw_version = table.get("version")
    version = None if raw_version is None else _fields.version(raw_version, name)
    origin = table.get("source")
    if not isinstance(origin, dict):
        raise ValueError(f"{name}: `source` must be a table")
    registry = origin.get("registry")
    if registry is None:
        return LockedPackage(name, version, (), source, direct=_direct(origin, name))
    if not isinstance(registry, str):
        raise ValueError(f"{name}: `source.registry` must be a string")
    if version is None:
        raise ValueError(f"{name}: a registry package needs a `version`")
    files = _files(table, name)
    if not files:
        raise ValueError(f"{name}: a registry package lists no `sdist` or `wheels`")
    return LockedPackage(name, version, files, source, index_url=registry)


def _direct(origin: dict[str, Any], name: str) -> str:
    for kind in _DIRECT_KINDS:
        if kind in origin:
            return f"{kind}: {origin[kind]}"
    raise ValueError(f"{name}: unknown `source` kind {sorted(origin)!r}")


def _files(table: dict[str, Any], name: str) -> tuple[LockedFile, ...]:
    return tuple(_file(entry, name) for entry in file_tables(table, name))


def _file(entry: dict[str, Any], name: str) -> LockedFile:
    raw_hash = entry.get("hash")
    sha = None if raw_hash is None else _fields.prefixed_hash(raw_hash, name)
    return _fields.locked_file(
        name, url=entry.get("url"), path=entry.get("path"),
        explicit_name=entry.get("filename"), sha=sha, size=entry.get("size"),
    )
