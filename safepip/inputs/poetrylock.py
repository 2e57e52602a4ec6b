"""Poetry's `poetry.lock`, read as data.

Each `[[package]]` has `name`, `version`, optional `markers` (lock-version 2.1: a string, or a table
of group -> marker) and `files` (`{file, hash}` pairs: names only, no URLs). An optional
`[package.source]` says where it comes from: `legacy` (an index URL), or `url`, `file`, `git`,
`directory` (direct sources). lock-version 1.1 keeps the files in `[metadata.files]` by name.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import Problems, TomlDocument, load_toml, optional_str, table_list
from safepip.inputs.models import LockedFile, LockedPackage

logger = logging.getLogger(__name__)

SUPPORTED_MAJOR = (1, 2)
_DIRECT_KINDS = ("url", "file", "git", "directory")


def read_poetry_lock(path: Path) -> list[LockedPackage]:
    """Every package of a poetry.lock file; InputError listing all problems otherwise."""
    document = load_toml(path)
    problems = Problems(path)
    _check_lock_version(document, problems)
    packages = table_list(document.data.get("package", []))
    if packages is None:
        problems.add(None, "`package` must be an array of tables")
        packages = []
    legacy_files = _legacy_files(document.data)
    lines = document.array_table_lines("package")
    result: list[LockedPackage] = []
    for position, table in enumerate(packages):
        line = lines[position] if len(lines) == len(packages) else None
        try:
            result.append(_package(table, Location(str(path), line), legacy_files))
        except ValueError as error:
            problems.add(line, str(error))
    problems.raise_if_any()
    return result


def _check_lock_version(document: TomlDocument, problems: Problems) -> None:
    metadata = document.data.get("metadata")
    value = metadata.get("lock-version") if isinstance(metadata, dict) else None
    line = document.find_line("lock-version")
    if not isinstance(value, str):
        problems.add(line, "missing `[metadata] lock-version`; is this a poetry.lock file?")
        return
    major = value.split(".", 1)[0]
    if not major.isdigit() or int(major) not in SUPPORTED_MAJOR:
        problems.add(line, f"lock-version {value!r} is not supported (expected 1.x or 2.x)")


def _legacy_files(data: dict[str, Any]) -> dict[str, Any]:
    """lock-version 1.x: `[metadata.files]` maps each (normalised) name to its files."""
    metadata = data.get("metadata")
    files = metadata.get("files") if isinstance(metadata, dict) else None
    if not isinstance(files, dict):
        return {}
    return {canonicalize_name(name): entries for name, entries in files.items()}


def _package(table: dict[str, Any], source: Location, legacy: dict[str, Any]) -> LockedPackage:
    name = _fields.project_name(table.get("name"))
    version = _fields.version(table.get("version"), name)
    marker = _markers(table.get("markers"), name)
    origin = table.get("source")
    if origin is not None and not isinstance(origin, dict):
        raise ValueError(f"{name}: `source` must be a table")
    kind = optional_str(origin, "type") if origin else None
    if origin and kind in _DIRECT_KINDS:
        where = optional_str(origin, "url") or "?"
        return LockedPackage(name, version, (), source, marker=marker, direct=f"{kind}: {where}")
    if kind not in (None, "legacy"):
        raise ValueError(f"{name}: unknown source type {kind!r}")
    index_url = optional_str(origin, "url") if origin else None
    raw_files = table["files"] if "files" in table else legacy.get(name, [])
    files = _files(raw_files, name)
    if not files:
        raise ValueError(f"{name}: no `files` are locked, so nothing can be checked")
    return LockedPackage(name, version, files, source, index_url=index_url, marker=marker)


def _markers(value: object, name: str) -> Marker | None:
    """A string, or (lock-version 2.1) one marker per dependency group: any group installs it."""
    if isinstance(value, dict):
        parts = [_fields.marker(v, name) for v in value.values()]
        if not parts or any(p is None for p in parts):
            return None
        return Marker(" or ".join(f"({p})" for p in parts))
    return _fields.marker(value, name)


def _files(value: object, name: str) -> tuple[LockedFile, ...]:
    entries = table_list(value)
    if entries is None:
        raise ValueError(f"{name}: `files` must be an array of tables")
    result = []
    for entry in entries:
        raw_file = entry.get("file")
        if not isinstance(raw_file, str):
            raise ValueError(f"{name}: every file needs a `file` name")
        raw_hash = entry.get("hash")
        sha = None if raw_hash is None else _fields.prefixed_hash(raw_hash, name)
        result.append(LockedFile(_fields.filename(raw_file, name), None, sha))
    return tuple(result)
