"""PEP 751 `pylock.toml` lock files, read as data.

Each `[[packages]]` entry has a name, usually a version, an optional `index`, and exactly one source
kind: `sdist` and/or `wheels` (files with `url` or `path` and `hashes`), or `vcs`, `directory`,
`archive` (direct sources). Tools must refuse a `lock-version` whose major version they do not know.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import (
    Problems,
    file_tables,
    load_toml,
    optional_str,
    read_package_tables,
)
from safepip.inputs.models import LockedFile, LockedPackage

logger = logging.getLogger(__name__)

SUPPORTED_MAJOR = 1


def read_pylock(path: Path) -> list[LockedPackage]:
    """Every package of a pylock.toml file; InputError listing all problems otherwise."""
    document = load_toml(path)
    problems = Problems(path)
    _check_lock_version(document.data.get("lock-version"), problems)
    result = read_package_tables(document, problems, "packages", _package)
    problems.raise_if_any()
    return result


def _check_lock_version(value: object, problems: Problems) -> None:
    if not isinstance(value, str):
        problems.add(1, "missing `lock-version` (PEP 751 requires it)")
        return
    major = value.split(".", 1)[0]
    if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
        problems.add(1, f"lock-version {value!r} is not supported (expected 1.x)")


def _package(table: dict[str, Any], source: Location) -> LockedPackage:
    name = _fields.project_name(table.get("name"))
    raw_version = table.get("version")
    version = None if raw_version is None else _fields.version(raw_version, name)
    direct = _direct_source(table, name)
    files = () if direct else _files(table, name)
    if direct is None and not files:
        raise ValueError(f"{name}: no `sdist`, `wheels`, `archive`, `vcs` or `directory`")
    if direct is None and version is None:
        raise ValueError(f"{name}: a package installed from an index needs a `version`")
    return LockedPackage(
        name=name, version=version, files=files, source=source,
        index_url=optional_str(table, "index"),
        marker=_fields.marker(table.get("marker"), name), direct=direct,
    )


def _direct_source(table: dict[str, Any], name: str) -> str | None:
    for kind in ("vcs", "directory", "archive"):
        entry = table.get(kind)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise ValueError(f"{name}: `{kind}` must be a table")
        where = optional_str(entry, "url") or optional_str(entry, "path") or "?"
        if kind == "directory" and entry.get("editable") is True:
            kind = "editable"
        return f"{kind}: {where}"
    return None


def _files(table: dict[str, Any], name: str) -> tuple[LockedFile, ...]:
    return tuple(_file(entry, name) for entry in file_tables(table, name))


def _file(entry: dict[str, Any], name: str) -> LockedFile:
    hashes = entry.get("hashes")
    if not isinstance(hashes, dict) or not hashes:
        raise ValueError(f"{name}: every file needs a `hashes` table (PEP 751)")
    sha = _fields.sha256(hashes["sha256"], name) if "sha256" in hashes else None
    return _fields.locked_file(
        name, url=entry.get("url"), path=entry.get("path"), explicit_name=entry.get("name"),
        sha=sha, size=entry.get("size"),
    )
