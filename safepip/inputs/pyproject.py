"""Requirements declared in `pyproject.toml`, read as data (nothing is built or run).

`[project] dependencies` (PEP 621), the `optional-dependencies` of the selected extras (names
compared normalised, PEP 685; a project may name itself to pull in its own extras), and the
selected PEP 735 `[dependency-groups]` (see `pip.groups`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from safepip.errors import InputError
from safepip.findings import Location
from safepip.inputs._toml import Problems, TomlDocument, load_toml
from safepip.inputs.backend_tables import BackendDependencies, backend_dependencies
from safepip.pip.groups import group_specs
from safepip.pip.requirement_line import RequirementLine


def read_pyproject(
    path: Path, *, extras: Iterable[str] = (), groups: Iterable[str] = (),
    include_project: bool = True,
) -> list[RequirementLine]:
    """The requirements `pip install '.[extras]'` plus `--group` would ask for."""
    document = load_toml(path)
    problems = Problems(path)
    result: list[RequirementLine] = []
    groups = list(groups)
    # PEP 621 first; a backend's own table (Poetry, legacy flit) when [project] does not list
    # the dependencies, and Poetry's groups (`[tool.poetry.group.G]`) whatever lists them.
    lists = _lists_dependencies(document.data)
    if lists and include_project:
        result.extend(_project_requirements(document, list(extras), problems))
    backend = backend_dependencies(document.data, path.parent, extras=[] if lists else
                                   list(extras), groups=groups,
                                   include_project=include_project and not lists)
    if backend is not None:
        result.extend(_backend_requirements(document, backend, problems))
        groups = backend.other_groups
    elif include_project and not lists:
        result.extend(_project_requirements(document, list(extras), problems))  # refuses
    result.extend(_group_requirements(document, groups, problems))
    problems.raise_if_any()
    return result


def _lists_dependencies(data: dict[str, Any]) -> bool:
    """Whether `[project]` itself lists the dependencies (PEP 621, not dynamic)."""
    project = data.get("project")
    if not isinstance(project, dict):
        return False
    dynamic = project.get("dynamic", [])
    return not (isinstance(dynamic, list) and "dependencies" in dynamic)


def _backend_requirements(
    document: TomlDocument, backend: BackendDependencies, problems: Problems,
) -> list[RequirementLine]:
    for section, key, message in backend.problems:
        problems.add(_declaration_line(document, section, key), message)
    result = []
    for item in backend.requirements:
        line = _declaration_line(document, item.section, item.key) or 1
        result.append(RequirementLine(item.requirement, Location(str(document.path), line),
                                      item.text, url=item.requirement.url))
    return result


def _project_requirements(
    document: TomlDocument, extras: list[str], problems: Problems,
) -> list[RequirementLine]:
    project = document.data.get("project")
    if not isinstance(project, dict):
        raise InputError("there is no [project] table to read dependencies from"
                         + _backend_note(document.data) + ".", path=str(document.path),
                         hint="Pass a lock file or requirements file instead, or use --group.")
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "dependencies" in dynamic:
        raise InputError("[project] dependencies are dynamic: only a build backend can list them"
                         + _backend_note(document.data) + ".", path=str(document.path),
                         hint="Audit a requirements or lock file generated from this project.")
    own_name = canonicalize_name(str(project.get("name", "")))
    lines = _strings(document, project.get("dependencies", []), "project", "dependencies",
                     problems)
    optional = _normalised_tables(project.get("optional-dependencies", {}), document, problems)
    pending, seen = [canonicalize_name(e) for e in extras], set()
    while pending:
        extra = pending.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in optional:
            problems.add(None, f"the project has no extra {extra!r}")
            continue
        key, values = optional[extra]
        for line in _strings(document, values, "project.optional-dependencies", key, problems):
            if line.requirement and canonicalize_name(line.requirement.name) == own_name:
                pending.extend(canonicalize_name(e) for e in sorted(line.requirement.extras))
            else:
                lines.append(line)
    return lines


def _declaration_line(document: TomlDocument, section: str, key: str) -> int | None:
    """`key = ...` in `[section]`, or a table of its own (`[[tool.poetry.dependencies.key]]`)."""
    return _key_line(document, section, key) or document.find_line(f"{section}.{key}]")


def _backend_note(data: dict[str, Any]) -> str:
    """Which backend would list the dependencies, when the file names one."""
    system = data.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    if not isinstance(backend, str) or not backend:
        return " (the file names no build backend; setup.py or setup.cfg may list them)"
    return (f" (the build backend {backend} lists them, from setup.py, setup.cfg or its own "
            "configuration, which safepip does not run)")


def _group_requirements(
    document: TomlDocument, groups: list[str], problems: Problems,
) -> list[RequirementLine]:
    """PEP 735 groups through packaging's resolver; lines found by their text for messages."""
    if not groups:
        return []
    specs = group_specs(document.data, groups, path=str(document.path))
    return _strings(document, specs, "dependency-groups", groups[0], problems)


def _normalised_tables(
    value: object, document: TomlDocument, problems: Problems,
) -> dict[str, tuple[str, list[Any]]]:
    """name -> (key as written, list); two keys normalising alike are an error (PEP 735)."""
    if not isinstance(value, dict):
        problems.add(None, "extras and dependency groups must be tables of lists")
        return {}
    result: dict[str, tuple[str, list[Any]]] = {}
    for key, entries in value.items():
        name = canonicalize_name(key)
        if name in result:
            problems.add(document.find_line(key), f"{key!r} and {result[name][0]!r} clash")
        elif not isinstance(entries, list):
            problems.add(document.find_line(key), f"{key!r} must be a list")
        else:
            result[name] = (key, entries)
    return result


def _strings(
    document: TomlDocument, values: object, section: str, key: str, problems: Problems,
) -> list[RequirementLine]:
    if not isinstance(values, list):
        problems.add(_key_line(document, section, key), f"`{key}` must be a list of strings")
        return []
    key_line = _key_line(document, section, key) or 1
    result = []
    for value in values:
        line = _value_line(document, value, key_line) if isinstance(value, str) else key_line
        if not isinstance(value, str):
            problems.add(line, f"`{key}` entries must be requirement strings, not {value!r}")
            continue
        try:
            requirement = Requirement(value)
        except InvalidRequirement as error:
            problems.add(line, f"{value!r} is not a valid requirement: {error}")
            continue
        location = Location(str(document.path), line)
        result.append(RequirementLine(requirement, location, value, url=requirement.url))
    return result


def _key_line(document: TomlDocument, section: str, key: str) -> int | None:
    """Line of `key = ` inside `[section]` (a dotted `section.key` header also counts)."""
    header = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]")
    assignment = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    start = next((n for n, t in enumerate(document.lines, 1) if header.match(t)), None)
    if start is None:
        return None
    for number in range(start + 1, len(document.lines) + 1):
        text = document.lines[number - 1]
        if assignment.match(text):
            return number
        if text.lstrip().startswith("["):
            break
    return None


def _value_line(document: TomlDocument, value: str, key_line: int) -> int:
    """Lines have no positions in tomllib: find the quoted value at or after its key."""
    for needle in (f'"{value}"', f"'{value}'", value.replace('"', '\\"'), value):
        found = document.find_line(needle, key_line)
        if found is not None:
            return found
    return key_line
