"""The sdist rungs of the static metadata ladder, plus the sdist's build requirements.

Order (DESIGN.md): PKG-INFO with Metadata-Version >= 2.2 whose Requires-Dist is not Dynamic
(PEP 643) -> pyproject.toml `[project]` (PEP 621, honouring `dynamic`) -> setup.cfg `[options]`
-> literal setup.py keywords (ast) -> unknown. The last three only speak for setuptools builds:
another backend that computes dependencies (poetry, hatch hooks, ...) is `unknown`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.metadata import InvalidMetadata, Metadata
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.index.filenames import name_version_from_filename
from safepip.resolution.archive_members import SdistFiles, read_sdist_files
from safepip.resolution.build_system import BuildSystem, build_system_from_pyproject, load_pyproject
from safepip.resolution.core_metadata import (
    MetadataInvalidError,
    StaticMetadata,
    check_matches_filename,
    lenient_requires_python,
    normalise_extras,
    parse_requirements,
    read_core_metadata,
    version_or_none,
)
from safepip.resolution.setup_py import NotStatic
from safepip.resolution.setuptools_config import (
    extras_to_requirements,
    requirement_lines,
    setuptools_deps,
)

logger = logging.getLogger(__name__)

SETUPTOOLS_BACKENDS = frozenset({"setuptools.build_meta", "setuptools.build_meta:__legacy__"})


@dataclass(frozen=True)
class SdistInspection:
    """Everything the resolver needs from one sdist, read in one pass over the archive."""

    metadata: StaticMetadata
    """Runtime metadata from the first ladder rung that answered (or `unknown`)."""
    build_system: BuildSystem
    """What pip would install and run to build it."""


@dataclass(frozen=True)
class _Identity:
    name: NormalizedName
    version: Version
    pkg_info: dict[str, Any] | None
    """The raw PKG-INFO fields, when the sdist has a readable PKG-INFO."""


def _identity(path: Path, files: SdistFiles, project: dict[str, Any] | None) -> _Identity:
    """Name and version from PKG-INFO, else static `[project]`, else the filename."""
    if "PKG-INFO" in files.files:
        raw, meta = read_core_metadata(files.files["PKG-INFO"], origin=f"{path.name}: PKG-INFO")
        name, version = _pkg_info_name_version(meta, path.name)
        return _Identity(name, version, dict(raw))
    from_file = name_version_from_filename(path.name)
    declared = project.get("name") if project else None
    static_version = (version_or_none(str(project["version"]))
                      if project and "version" in project else None)
    if isinstance(declared, str) and static_version is not None:
        return _Identity(canonicalize_name(declared), static_version, None)
    if from_file is None:
        raise MetadataInvalidError(f"{path.name}: the sdist has no PKG-INFO and its filename "
                                   "does not state a name and version.")
    return _Identity(canonicalize_name(str(declared or from_file[0])), from_file[1], None)


def _pkg_info_name_version(meta: Metadata, origin: str) -> tuple[NormalizedName, Version]:
    try:
        return canonicalize_name(meta.name), meta.version
    except InvalidMetadata as exc:
        raise MetadataInvalidError(f"{origin}: PKG-INFO is invalid: {exc}") from exc


def _from_pkg_info(ident: _Identity, origin: str) -> StaticMetadata | None:
    """Rung 3: PKG-INFO is authoritative when Metadata-Version >= 2.2 and Requires-Dist is
    not Dynamic (PEP 643)."""
    raw = ident.pkg_info
    if raw is None:
        return None
    declared = version_or_none(str(raw.get("metadata_version", "")))
    dynamic = {field.lower() for field in raw.get("dynamic", [])}
    if declared is None or declared < Version("2.2") or "requires-dist" in dynamic:
        return None
    requires_python = None if "requires-python" in dynamic else raw.get("requires_python")
    return StaticMetadata(
        name=ident.name, version=ident.version,
        requires_dist=parse_requirements(list(raw.get("requires_dist", [])), origin),
        requires_python=lenient_requires_python(requires_python, origin),
        provides_extra=normalise_extras(list(raw.get("provides_extra", []))),
        source="pkg-info", detail=f"PKG-INFO (Metadata-Version {declared}, PEP 643 static)",
        metadata_version=str(raw.get("metadata_version")),
    )


def _unknown(ident: _Identity, why: str) -> StaticMetadata:
    return StaticMetadata(name=ident.name, version=ident.version, requires_dist=(),
                          requires_python=None, provides_extra=frozenset(), source="unknown",
                          detail=why)


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _pyproject_fields(project: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Static `[project]` dependency fields, and the ones declared `dynamic` (PEP 621)."""
    dynamic = {str(f) for f in project.get("dynamic", [])} & {
        "dependencies", "optional-dependencies", "requires-python"}
    static = {f: project.get(f) for f in ("dependencies", "optional-dependencies",
                                          "requires-python") if f not in dynamic}
    return static, dynamic


def _static_rungs(ident: _Identity, files: SdistFiles, pyproject: dict[str, Any],
                  build: BuildSystem) -> StaticMetadata:
    """Rungs 4-6: pyproject `[project]`, then setup.cfg / setup.py for setuptools builds."""
    if files.not_regular - {"PKG-INFO"}:
        links = ", ".join(sorted(files.not_regular))
        return _unknown(ident, f"{links} in the sdist is a link or special file; not followed")
    project = pyproject.get("project")
    static, dynamic = _pyproject_fields(project) if isinstance(project, dict) else ({}, set())
    needed = dynamic if isinstance(project, dict) else {
        "dependencies", "optional-dependencies", "requires-python"}
    sources = ["pyproject.toml [project]"] if isinstance(project, dict) else []
    if needed:
        if build.backend not in SETUPTOOLS_BACKENDS:
            kind = f"{', '.join(sorted(needed))} dynamic" if sources else "no [project] table"
            return _unknown(ident, f"pyproject.toml has {kind}; build backend {build.backend!r} "
                                   "would compute the dependencies by running code")
        if needed & set(_table(_table(_table(pyproject, "tool"), "setuptools"), "dynamic")):
            return _unknown(ident, "[tool.setuptools.dynamic] reads dependencies from files")
        deps = setuptools_deps(files.files, files.top)
        static.update({k: v for k, v in {
            "dependencies": deps.install_requires, "optional-dependencies": deps.extras_require,
            "requires-python": deps.python_requires}.items() if k in needed})
        sources += deps.sources
    return _assemble(ident, static, " + ".join(sources))


def _assemble(ident: _Identity, static: dict[str, Any], detail: str) -> StaticMetadata:
    deps = requirement_lines(static.get("dependencies") or [], "dependencies")
    optional = static.get("optional-dependencies") or {}
    if not isinstance(optional, dict):
        raise NotStatic("optional-dependencies is not a table")
    extra_reqs, provided = extras_to_requirements(
        {str(k): requirement_lines(v, f"extra {k}") for k, v in optional.items()})
    python = static.get("requires-python")
    return StaticMetadata(
        name=ident.name, version=ident.version,
        requires_dist=tuple(Requirement(line) for line in deps) + tuple(extra_reqs),
        requires_python=lenient_requires_python(str(python) if python else None, detail),
        provides_extra=frozenset(canonicalize_name(e) for e in provided),
        source="static", detail=detail,
    )


def inspect_sdist(path: Path, *, filename: str | None = None) -> SdistInspection:
    """Read an sdist once: its metadata down the ladder, and its build system.

    The name and version found inside must match `filename` (default: `path.name`).
    """
    files = read_sdist_files(path)
    pyproject = load_pyproject(files, path.name)
    build = build_system_from_pyproject(pyproject, files, path.name)
    project = pyproject.get("project")
    ident = _identity(path, files, project if isinstance(project, dict) else None)
    origin = f"{path.name}: PKG-INFO"
    metadata = _from_pkg_info(ident, origin)
    if metadata is None:
        try:
            metadata = _static_rungs(ident, files, pyproject, build)
        except (NotStatic, ValueError) as exc:
            metadata = _unknown(ident, f"dependencies are not static: {exc}")
    check_matches_filename(metadata, filename or path.name)
    if metadata.source == "unknown":
        logger.info("%s: dependency metadata unknown (%s)", path.name, metadata.detail)
    return SdistInspection(metadata=metadata, build_system=build)


def metadata_from_sdist_file(path: Path, *, filename: str | None = None) -> StaticMetadata:
    """The sdist's runtime metadata from the first rung that answers (never by running it)."""
    return inspect_sdist(path, filename=filename).metadata


def build_requirements_from_sdist(path: Path) -> tuple[Requirement, ...]:
    """What pip installs to build this sdist: `[build-system] requires` or pip's legacy default."""
    files = read_sdist_files(path)
    return build_system_from_pyproject(load_pyproject(files, path.name), files, path.name).requires
