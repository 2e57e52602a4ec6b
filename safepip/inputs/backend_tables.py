"""Dependencies a build backend keeps in its own table, for projects without PEP 621 dependencies.

A Poetry project (`[tool.poetry.dependencies]`, Poetry 1 and Poetry 2 with `dynamic =
["dependencies"]`) and a legacy flit project (`[tool.flit.metadata] requires`) declare what
`pip install .` installs in the backend's table: pip builds the project and the backend writes
these into its metadata. They are read here as data, Poetry's with poetry-core (the backend pip
runs for such a project, so `^1.2`, `~1.2`, `python = "..."` and `markers` become the very PEP 508
requirements it would write). Nothing is built or run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from poetry.core.packages.dependency import Dependency


@dataclass(frozen=True)
class Declared:
    """One requirement as the backend would write it, with where it is declared."""

    requirement: Requirement
    section: str
    """The TOML table it is in (`tool.poetry.dependencies`), to find its line."""
    key: str
    """Its key in that table (the project name as written)."""
    text: str
    """The declaration as written, for messages."""


@dataclass
class BackendDependencies:
    """What one backend table selects, plus the problems found on the way."""

    backend: str
    """`Poetry` or `flit`, for messages."""
    requirements: list[Declared] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    """(section, key, message): a declaration that cannot be read."""
    other_groups: list[str] = field(default_factory=list)
    """Asked-for groups this backend does not declare (left to PEP 735 `[dependency-groups]`)."""


def backend_dependencies(
    data: Mapping[str, Any], root: Path, *, extras: Sequence[str], groups: Sequence[str],
    include_project: bool = True,
) -> BackendDependencies | None:
    """The backend-declared requirements of a project, or None when it declares none there."""
    tool = _table(data.get("tool"))
    poetry = _table(tool.get("poetry"))
    if isinstance(poetry.get("dependencies"), dict) or _poetry_groups(poetry):
        return _poetry(poetry, root, extras, groups, include_project)
    flit = _table(_table(tool.get("flit")).get("metadata"))
    if flit:
        return _flit(flit, extras, groups, include_project)
    return None


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# --- Poetry ---

_POETRY_MAIN = "tool.poetry.dependencies"


def _poetry(
    poetry: dict[str, Any], root: Path, extras: Sequence[str], groups: Sequence[str],
    include_project: bool,
) -> BackendDependencies:
    out = BackendDependencies("Poetry")
    optional = _poetry_extras(poetry, extras, out)
    if include_project:
        for declared in _poetry_table(_table(poetry.get("dependencies")), _POETRY_MAIN, root, out):
            if declared is None:
                continue
            dependency, item = declared
            if not dependency.is_optional() or canonicalize_name(item.key) in optional:
                out.requirements.append(item)
    known = _poetry_groups(poetry)
    for group in groups:
        tables = known.get(canonicalize_name(group))
        if tables is None:
            out.other_groups.append(group)
            continue
        for section, table in tables:
            out.requirements += [d[1] for d in _poetry_table(table, section, root, out) if d]
    return out


def _poetry_extras(poetry: dict[str, Any], extras: Sequence[str], out: BackendDependencies,
                   ) -> set[str]:
    """Names of the optional dependencies the asked-for extras turn on."""
    declared = {canonicalize_name(k): v for k, v in _table(poetry.get("extras")).items()}
    names: set[str] = set()
    for extra in extras:
        members = declared.get(canonicalize_name(extra))
        if not isinstance(members, list):
            out.problems.append(("tool.poetry.extras", extra, f"the project has no extra {extra!r}"
                                 f" (declared: {', '.join(sorted(declared)) or 'none'})"))
            continue
        names |= {canonicalize_name(m.split("[", 1)[0]) for m in members if isinstance(m, str)}
    return names


def _poetry_groups(poetry: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """group -> its dependency tables; the legacy `dev-dependencies` is group `dev`."""
    result: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, group in _table(poetry.get("group")).items():
        table = _table(group).get("dependencies")
        if isinstance(table, dict):
            result.setdefault(canonicalize_name(name), []).append(
                (f"tool.poetry.group.{name}.dependencies", table))
    legacy = poetry.get("dev-dependencies")
    if isinstance(legacy, dict):
        result.setdefault("dev", []).append(("tool.poetry.dev-dependencies", legacy))
    return result


def _poetry_table(
    table: dict[str, Any], section: str, root: Path, out: BackendDependencies,
) -> list[tuple[Dependency, Declared] | None]:
    from poetry.core.factory import Factory  # only Poetry projects pay for importing it

    # poetry-core logs "Path X for Y does not exist" for path dependencies; the audit reports
    # path dependencies itself (they are not vetted from an index), so its log stays quiet.
    logging.getLogger("poetry.core").setLevel(logging.ERROR)

    result: list[tuple[Dependency, Declared] | None] = []
    for key, value in table.items():
        if key.lower() == "python":
            continue  # the project's own Requires-Python, not a dependency
        for constraint in value if isinstance(value, list) else [value]:
            try:
                dependency = Factory.create_dependency(key, constraint, root_dir=root)
                pep508 = dependency.to_pep_508()
                requirement = Requirement(pep508)
            except InvalidRequirement:
                out.problems.append((section, key, f"{key} = {constraint!r} has no PEP 508 form "
                                     f"({pep508!r}); safepip cannot vet it"))
                result.append(None)
                continue
            except Exception as error:  # poetry-core's own refusal of a malformed declaration
                out.problems.append((section, key, f"{key} = {constraint!r} is not a valid "
                                     f"Poetry dependency: {error}"))
                result.append(None)
                continue
            written = f'"{constraint}"' if isinstance(constraint, str) else repr(constraint)
            result.append((dependency, Declared(requirement, section, key, f"{key} = {written}")))
    return result


# --- flit (legacy `[tool.flit.metadata]`) ---

def _flit(flit: dict[str, Any], extras: Sequence[str], groups: Sequence[str],
          include_project: bool) -> BackendDependencies:
    out = BackendDependencies("flit", other_groups=list(groups))
    tables = {canonicalize_name(k): (k, v)
              for k, v in _table(flit.get("requires-extra")).items()}
    if isinstance(flit.get("dev-requires"), list):
        tables.setdefault(canonicalize_name("dev"), ("dev-requires", flit["dev-requires"]))
    chosen: list[tuple[str, str, object]] = []
    if include_project:
        chosen.append(("tool.flit.metadata", "requires", flit.get("requires", [])))
    for extra in extras:
        found = tables.get(canonicalize_name(extra))
        if found is None:
            out.problems.append(("tool.flit.metadata.requires-extra", extra,
                                 f"the project has no extra {extra!r}"))
            continue
        chosen.append(("tool.flit.metadata.requires-extra", found[0], found[1]))
    for section, key, values in chosen:
        if not isinstance(values, list):
            out.problems.append((section, key, f"`{key}` must be a list of requirement strings"))
            continue
        for value in values:
            try:
                out.requirements.append(Declared(Requirement(str(value)), section, key,
                                                 str(value)))
            except InvalidRequirement as error:
                out.problems.append((section, key, f"{value!r} is not a valid requirement: "
                                     f"{error}"))
    return out
