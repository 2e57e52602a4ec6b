"""PDM's `pdm.lock` (`[metadata] lock_version = "4.x"`), read as data.

Each `[[package]]` has `name`, `version` and `files` (`{file, hash}`, or `{url, hash}`), or a
direct source (`path`, `url`, `git`/`hg`/`svn`/`bzr`, `editable`). A package locked with extras
appears once more per extra set, with the same files (early 4.x locks list them once, in
`[metadata.files]` under `"name version"`). Locks written with the `inherit_metadata`
strategy (PDM 2.11+) record on each package its `groups` and the `marker` under which it is
installed; older locks record neither, so every package is vetted.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from safepip.errors import InputError
from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import Problems, TomlDocument, load_toml, optional_str, table_list
from safepip.inputs.models import LockedFile, LockedPackage

SUPPORTED_MAJOR = 4
DEFAULT_GROUP = "default"
_DIRECT_KINDS = ("git", "hg", "svn", "bzr", "url", "path")


def read_pdm_lock(
    path: Path, *, extras: Iterable[str] = (), groups: Iterable[str] = (),
) -> list[LockedPackage]:
    """The packages `pdm install` (default group, dev groups, plus `groups`) takes from it."""
    document = load_toml(path)
    problems = Problems(path)
    declared = _metadata_groups(document, problems)
    wanted = {DEFAULT_GROUP, *(_dev_groups(path) & declared),
              *(canonicalize_name(g) for g in groups)}
    unknown = sorted(wanted - declared - {DEFAULT_GROUP})
    if unknown:
        problems.add(None, f"the lock declares no group {', '.join(unknown)} (declared: "
                     + (", ".join(sorted(declared)) or "none") + ")")
    tables = table_list(document.data.get("package", []))
    if tables is None:
        problems.add(None, "`package` must be an array of tables")
        tables = []
    lines = document.array_table_lines("package")
    legacy = _metadata_files(document.data)
    result: dict[tuple[str, str | None], LockedPackage] = {}
    for position, table in enumerate(tables):
        line = lines[position] if len(lines) == len(tables) else None
        try:
            package = _package(table, Location(str(path), line), frozenset(extras), legacy)
        except ValueError as error:
            problems.add(line, str(error))
            continue
        if _in_groups(table, wanted):
            key = (package.name, None if package.version is None else str(package.version))
            result.setdefault(key, package)  # `name[extra]` entries repeat the same files
    problems.raise_if_any()
    return list(result.values())


def _dev_groups(path: Path) -> set[str]:
    """`pdm install` installs every dev group too (`--prod` leaves them out). The lock does not
    say which of its groups are dev groups; the project's pyproject.toml beside it does
    (`[tool.pdm.dev-dependencies]`, PEP 735 `[dependency-groups]`). Without one, only the
    default group and the asked-for groups are taken."""
    beside = path.parent / "pyproject.toml"
    if not beside.is_file():
        return set()
    try:
        data = load_toml(beside).data
    except InputError:
        return set()  # the lock is still read; its groups are then selected with --group
    tool = data.get("tool")
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    tables = (data.get("dependency-groups"),
              pdm.get("dev-dependencies") if isinstance(pdm, dict) else None)
    return {canonicalize_name(key) for table in tables if isinstance(table, dict)
            for key in table if isinstance(key, str)}


def _metadata_groups(document: TomlDocument, problems: Problems) -> set[str]:
    metadata = document.data.get("metadata")
    version = metadata.get("lock_version") if isinstance(metadata, dict) else None
    line = document.find_line("lock_version")
    major = version.split(".", 1)[0] if isinstance(version, str) else ""
    if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
        problems.add(line, f"lock_version {version!r} is not supported (expected 4.x); "
                     "is this a pdm.lock file?")
        return set()
    groups = metadata.get("groups", []) if isinstance(metadata, dict) else []
    return {canonicalize_name(g) for g in groups if isinstance(g, str)}


def _in_groups(table: dict[str, Any], wanted: set[str]) -> bool:
    """`inherit_metadata` locks say which groups need a package; older ones say nothing."""
    groups = table.get("groups")
    if not isinstance(groups, list):
        return True
    return any(isinstance(g, str) and canonicalize_name(g) in wanted for g in groups)


def _metadata_files(data: dict[str, Any]) -> dict[tuple[str, str], object]:
    """Early 4.x locks (lock_version "4.0", PDM 2.0) keep the files in `[metadata.files]`,
    keyed `"name version"` (extras stripped); later locks keep them on each package."""
    metadata = data.get("metadata")
    files = metadata.get("files") if isinstance(metadata, dict) else None
    if not isinstance(files, dict):
        return {}
    result: dict[tuple[str, str], object] = {}
    for key, value in files.items():
        name, _, version = str(key).strip().rpartition(" ")
        if name:
            result[(canonicalize_name(name.split("[", 1)[0]), version)] = value
    return result


def _package(
    table: dict[str, Any], source: Location, extras: frozenset[str],
    legacy: dict[tuple[str, str], object],
) -> LockedPackage:
    name = _fields.project_name(table.get("name"))
    raw_version = table.get("version")
    version = None if raw_version is None else _fields.version(raw_version, name)
    marker = _fields.marker(table.get("marker"), name)
    for kind in _DIRECT_KINDS:
        where = optional_str(table, kind)
        if where is not None:
            kind = "editable" if table.get("editable") is True else kind
            return LockedPackage(name, version, (), source, marker=marker,
                                 direct=f"{kind}: {where}", extras=extras)
    if version is None:
        raise ValueError(f"{name}: a package from an index needs a `version`")
    listed = table.get("files", legacy.get((name, str(raw_version)), []))
    files = _files(listed, name)
    if not files:
        raise ValueError(f"{name}: no `files` are locked, so nothing can be checked")
    return LockedPackage(name, version, files, source, marker=marker, extras=extras)


def _files(value: object, name: str) -> tuple[LockedFile, ...]:
    entries = table_list(value)
    if entries is None:
        raise ValueError(f"{name}: `files` must be an array of tables")
    result = []
    for entry in entries:
        raw_hash = entry.get("hash")
        sha = None if raw_hash is None else _fields.prefixed_hash(raw_hash, name)
        url, file = entry.get("url"), entry.get("file")
        result.append(_fields.locked_file(name, url=url, path=None, explicit_name=file, sha=sha))
    return tuple(result)
