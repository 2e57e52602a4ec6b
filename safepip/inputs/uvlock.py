"""uv's `uv.lock` (lock `version = 1`), read as data.

Each `[[package]]` has `name`, `version` and a `source` inline table: `registry` (index URL or local
path) for index packages, whose `sdist`/`wheels` entries carry `url` (or `path`) and `hash`
(`sha256:<hex>`); `git`, `url`, `path`, `directory`, `editable` or `virtual` for direct sources. The
project itself (and each workspace member) appears as an `editable`/`virtual` package.

uv.lock is universal: it lists what any environment may need, and its dependency edges carry the
markers. What one install selects is what the roots reach (`inputs.reach`): their dependencies,
the extras asked for, and the dependency groups (uv installs `dev` unless told otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from safepip.errors import InputError
from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import (
    Problems,
    TomlDocument,
    file_tables,
    load_toml,
    read_package_tables,
    table_list,
)
from safepip.inputs.models import LockedFile, LockedPackage
from safepip.inputs.reach import Edge, Node, reachable

SUPPORTED_VERSION = 1
DEFAULT_GROUPS = ("dev",)
"""uv sync and uv export install the `dev` group unless `[tool.uv] default-groups` says
otherwise (read from the pyproject.toml next to the lock)."""
_CONFLICT_ATOM = re.compile(
    r"""extra\s*(==|!=)\s*(['"])((extra|group)-(\d+)-([^'"]*))\2""")
"""uv's encoding of conflicting extras and groups (`tool.uv.conflicts`) in lock markers:
`extra == 'extra-N-PKG-NAME'` or `'group-N-PKG-NAME'`, N the length of the package name."""
_TRUE, _FALSE = "python_version >= '0'", "python_version < '0'"
"""Markers that hold (never hold) anywhere: what a decided conflict atom becomes."""
_DIRECT_KINDS = ("git", "url", "path", "directory", "editable", "virtual")
_ROOT_KINDS = ("editable", "virtual")
_MANIFEST = "<manifest>"
"""The root standing for `[manifest]` requirements and groups (no package has this name)."""


def read_uv_lock(
    path: Path, *, extras: Iterable[str] = (), groups: Iterable[str] = (),
) -> list[LockedPackage]:
    """The packages an install from this uv.lock selects; InputError listing all problems."""
    document = load_toml(path)
    problems = Problems(path)
    if "distribution" in document.data and "package" not in document.data:
        problems.add(document.find_line("[[distribution]]"), "this uv.lock was written by a "
                     "pre-release uv (`[[distribution]]` tables, which uv no longer writes); "
                     "regenerate it with a current uv (`uv lock`)")
    lock_version = document.data.get("version")
    if lock_version != SUPPORTED_VERSION:
        problems.add(document.find_line("version"),
                     f"uv.lock version {lock_version!r} is not supported (expected 1)")
    result = read_package_tables(document, problems, "package", _package)
    nodes = read_package_tables(document, problems, "package", _node)
    problems.raise_if_any()
    return _selected(document, result, nodes, list(extras), list(groups),
                     default_groups(path.parent / "pyproject.toml"))


def default_groups(pyproject: Path) -> tuple[str, ...] | None:
    """`[tool.uv] default-groups` of the project next to the lock: its names, or None for
    "all"; uv's own default (`dev`) when the file or the key is absent."""
    from safepip.tomlfile import read_toml

    if not pyproject.is_file():
        return DEFAULT_GROUPS
    data, _ = read_toml(pyproject)
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    value = uv.get("default-groups", DEFAULT_GROUPS) if isinstance(uv, dict) else DEFAULT_GROUPS
    if value == "all":
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(g, str) for g in value):
        raise InputError("`[tool.uv] default-groups` must be a list of group names or \"all\".",
                         path=str(pyproject))
    return tuple(value)


def _selected(
    document: TomlDocument, packages: list[LockedPackage], nodes: list[Node],
    extras: list[str], groups: list[str], defaults: tuple[str, ...] | None,
) -> list[LockedPackage]:
    """Only what the roots reach, each with the marker under which it is reached."""
    manifest = _manifest_root(document)
    if manifest is not None:  # one more root; its index is past every package's
        nodes = [*nodes, manifest]
    roots = [i for i, node in enumerate(nodes) if any(k in node.source for k in _ROOT_KINDS)]
    if not roots:
        if extras or groups:
            raise InputError("this uv.lock names no project, so it has no extras or groups.",
                             path=str(document.path))
        return packages  # nothing to start from: all of it
    # A workspace's members each declare their own extras and groups: only a lone root is judged.
    strict = len(roots) == 1
    wanted_extras = {canonicalize_name(e) for e in extras}
    active: set[tuple[str, str, str]] = {
        (canonicalize_name(nodes[i].name), "extra", e) for i in roots for e in wanted_extras}
    active |= {(canonicalize_name(nodes[i].name), "group", g) for i in roots
               for g in _wanted_groups(nodes[i], groups, defaults)}
    nodes = [_decided(node, active) for node in nodes]
    root_edges = [(i, _root_edges(nodes[i], extras, groups, defaults, document, strict=strict))
                  for i in roots]
    markers = reachable(nodes, root_edges)
    return [replace(package, marker=markers[i]) for i, package in enumerate(packages)
            if i in markers]


def _manifest_root(document: TomlDocument) -> Node | None:
    """What uv installs besides the lock's projects, as one more root: `[manifest] requirements`
    (a PEP 723 script's dependencies in `uv lock --script`, a project-less workspace root's
    `tool.uv.dev-dependencies`) and `[manifest.dependency-groups]` (that root's PEP 735 groups,
    synced like a project's). None when the manifest has neither."""
    manifest = document.data.get("manifest")
    if not isinstance(manifest, dict):
        return None
    requirements = manifest.get("requirements")
    groups = manifest.get("dependency-groups")
    if requirements is None and groups is None:
        return None
    line = document.find_line("[manifest]")
    try:
        if groups is not None and not isinstance(groups, dict):
            raise ValueError("`[manifest.dependency-groups]` must be a table of arrays")
        return Node(_MANIFEST, None, {"virtual": _MANIFEST},
                    requires=_requirement_edges(requirements or []),
                    groups={canonicalize_name(k): _requirement_edges(v)
                            for k, v in (groups or {}).items()})
    except ValueError as error:
        raise InputError(f"{error}.", path=str(document.path), line=line) from error


def _requirement_edges(value: object) -> list[Edge]:
    """Requirements as the manifest records them (`{ name, specifier, marker, extras }`): edges
    by name, narrowed by nothing else (a specifier is not a pin)."""
    entries = table_list(value)
    if entries is None:
        raise ValueError("`[manifest]` requirements must be arrays of tables")
    return [_edge({"name": e.get("name"), "marker": e.get("marker"), "extra": e.get("extras", [])},
                  "[manifest]") for e in entries]


def _wanted_groups(
    node: Node, groups: list[str], defaults: tuple[str, ...] | None
) -> set[str]:
    chosen = set(node.groups) if defaults is None else {canonicalize_name(g) for g in defaults}
    return chosen | {canonicalize_name(g) for g in groups}


def _decided(node: Node, active: set[tuple[str, str, str]]) -> Node:
    """The node with uv's conflict atoms decided by the selection: `extra == 'extra-N-PKG-X'`
    holds when PKG is a root and X one of its selected extras (`group-`: groups), as uv
    evaluates them; `!=` is the opposite. They are not real extras and never hold otherwise."""
    def edges(items: list[Edge]) -> list[Edge]:
        return [replace(e, marker=_decide(e.marker, active)) if e.marker else e for e in items]

    return replace(
        node, requires=edges(node.requires),
        optional={k: edges(v) for k, v in node.optional.items()},
        groups={k: edges(v) for k, v in node.groups.items()},
    )


def _decide(marker: str, active: set[tuple[str, str, str]]) -> str:
    def constant(match: re.Match[str]) -> str:
        kind, length, rest = match.group(4), int(match.group(5)), match.group(6)
        package, item = rest[:length], rest[length + 1:]
        holds = (canonicalize_name(package), kind, canonicalize_name(item)) in active
        return _TRUE if holds == (match.group(1) == "==") else _FALSE

    return _CONFLICT_ATOM.sub(constant, marker)


def _root_edges(
    node: Node, extras: list[str], groups: list[str], defaults: tuple[str, ...] | None,
    document: TomlDocument, *, strict: bool,
) -> list[Edge]:
    """A root's own dependencies, plus those of the selected extras and dependency groups."""
    dev = node.groups
    wanted_groups = _wanted_groups(node, groups, defaults)
    wanted_extras = {canonicalize_name(e) for e in extras}
    unknown = sorted((wanted_extras - set(node.optional))
                     | ({canonicalize_name(g) for g in groups} - set(dev)))
    if unknown and strict:
        owner = "script" if node.name == _MANIFEST else "project"
        raise InputError(f"the {owner} in this uv.lock has no extra or group named "
                         f"{', '.join(unknown)}.", path=str(document.path),
                         hint="Extras: " + (", ".join(sorted(node.optional)) or "none")
                         + "; groups: " + (", ".join(sorted(dev)) or "none") + ".")
    edges = list(node.requires)
    edges += [e for extra in sorted(wanted_extras) for e in node.optional.get(extra, [])]
    edges += [e for group in sorted(wanted_groups) for e in dev.get(group, [])]
    return edges


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


def _node(table: dict[str, Any], _: Location) -> Node:
    """The package's place in the dependency graph (checked loosely: _package checked the rest)."""
    name = _fields.project_name(table.get("name"))
    version = table.get("version")
    origin = table.get("source")
    return Node(
        name, version if isinstance(version, str) else None,
        origin if isinstance(origin, dict) else {},
        requires=_edges(table.get("dependencies", []), name),
        optional=_edge_tables(table.get("optional-dependencies", {}), name),
        groups=_edge_tables(table.get("dev-dependencies", {}), name),
    )


def _edge_tables(value: object, name: str) -> dict[str, list[Edge]]:
    if not isinstance(value, dict):
        raise ValueError(f"{name}: optional and dev dependencies must be tables of arrays")
    return {canonicalize_name(key): _edges(entries, name) for key, entries in value.items()}


def _edges(value: object, name: str) -> list[Edge]:
    entries = table_list(value)
    if entries is None:
        raise ValueError(f"{name}: `dependencies` must be an array of tables")
    return [_edge(entry, name) for entry in entries]


def _edge(entry: Mapping[str, Any], name: str) -> Edge:
    target = _fields.project_name(entry.get("name"))
    marker = entry.get("marker")
    if marker is not None:
        _fields.marker(marker, name)  # refuse what would fail later, with the package named
    version, source, extras = entry.get("version"), entry.get("source"), entry.get("extra", [])
    if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
        raise ValueError(f"{name}: the `extra` of a dependency must be a list of strings")
    return Edge(target, version if isinstance(version, str) else None,
                source if isinstance(source, dict) else None, marker,
                tuple(canonicalize_name(e) for e in extras))


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
