"""Poetry's `poetry.lock`, read as data.

Each `[[package]]` has `name`, `version`, optional `markers` (lock-version 2.1: a string, or a table
of group -> marker) and `files` (`{file, hash}` pairs: names only, no URLs). An optional
`[package.source]` says where it comes from: `legacy` (an index URL), or `url`, `file`, `git`,
`directory` (direct sources). lock-version 1.1 keeps the files in `[metadata.files]` by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import Problems, TomlDocument, load_toml, optional_str, table_list
from safepip.inputs.models import LockedFile, LockedPackage

SUPPORTED_MAJOR = (1, 2)
_DIRECT_KINDS = ("url", "file", "git", "directory")


def read_poetry_lock(
    path: Path, *, extras: Iterable[str] = (), groups: Iterable[str] = (),
) -> list[LockedPackage]:
    """The packages `poetry install` would take from this lock; InputError listing all problems.

    Packages marked `optional` belong to extras: they are taken only when an extra that the
    lock's `[extras]` table maps to them is selected. Poetry installs every non-optional group by
    default and the lock does not say which groups are optional, so groups select nothing here.
    """
    del groups  # every group a poetry.lock records is installed by default
    extras = list(extras)
    document = load_toml(path)
    problems = Problems(path)
    _check_lock_version(document, problems)
    wanted = _extra_packages(document, extras, problems)
    packages = table_list(document.data.get("package", []))
    if packages is None:
        problems.add(None, "`package` must be an array of tables")
        packages = []
    legacy_files = _legacy_files(document.data)
    lines = document.array_table_lines("package")
    result: list[LockedPackage] = []
    for position, table in enumerate(packages):
        line = lines[position] if len(lines) == len(packages) else None
        if table.get("optional") is True and _name(table) not in wanted:
            continue
        try:
            package = _package(table, Location(str(path), line), legacy_files)
            result.append(replace(package, extras=frozenset(map(canonicalize_name, extras))))
        except ValueError as error:
            problems.add(line, str(error))
    problems.raise_if_any()
    return result


def _check_lock_version(document: TomlDocument, problems: Problems) -> None:
    metadata = document.data.get("metadata")
    value = metadata.get("lock-version") if isinstance(metadata, dict) else None
    line = document.find_line("lock-version")
    if not isinstance(value, str):
        if isinstance(metadata, dict) and isinstance(metadata.get("hashes"), dict):
            problems.add(document.find_line("[metadata.hashes]"), "this poetry.lock predates "
                         "Poetry 1.0 (`[metadata.hashes]`, no lock-version): it locks hashes "
                         "without file names, which safepip cannot check; regenerate it with a "
                         "current Poetry (`poetry lock`)")
        elif not (isinstance(metadata, dict) and isinstance(metadata.get("files"), dict)):
            problems.add(line, "missing `[metadata] lock-version`; is this a poetry.lock file?")
        return  # `[metadata.files]` without a lock-version: Poetry reads it as 1.0, as here
    major = value.split(".", 1)[0]
    if not major.isdigit() or int(major) not in SUPPORTED_MAJOR:
        problems.add(line, f"lock-version {value!r} is not supported (expected 1.x or 2.x)")


def _name(table: dict[str, Any]) -> str:
    name = table.get("name")
    return canonicalize_name(name) if isinstance(name, str) else ""


def _extra_packages(
    document: TomlDocument, extras: list[str], problems: Problems,
) -> set[str]:
    """Names of the optional packages the selected extras pull in (the lock's `[extras]`)."""
    table = document.data.get("extras", {})
    if not isinstance(table, dict):
        problems.add(document.find_line("[extras]"), "`[extras]` must be a table of arrays")
        return set()
    declared = {canonicalize_name(k): v for k, v in table.items()}
    wanted: set[str] = set()
    for extra in extras:
        entries = declared.get(canonicalize_name(extra))
        if not isinstance(entries, list):
            problems.add(None, f"the lock declares no extra {extra!r} (declared: "
                         + (", ".join(sorted(declared)) or "none") + ")")
            continue
        # Entries are names, sometimes with a constraint: `PySocks (>=1.5.6,!=1.5.7)`.
        wanted |= {canonicalize_name(str(e).split("(")[0].split("[")[0].strip()) for e in entries}
    return wanted


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
    if "files" in table:
        files = _files(table["files"], name)
    else:
        files = _same_version(_files(legacy.get(name, []), name), version)
    if not files:
        raise ValueError(f"{name}: no `files` are locked, so nothing can be checked")
    return LockedPackage(name, version, files, source, index_url=index_url, marker=marker)


def _same_version(files: tuple[LockedFile, ...], version: Version) -> tuple[LockedFile, ...]:
    """lock-version 1.x lists the files of every locked version of a name together in
    `[metadata.files]`; each package takes its own (a file of another version is not its own)."""
    return tuple(f for f in files if _file_version(f.filename) in (None, version))


def _file_version(filename: str) -> Version | None:
    """The version a wheel or sdist name carries; None for names of no standard form."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


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
