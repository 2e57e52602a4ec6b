"""What pip would install and run to build an sdist, read from pyproject.toml as pip reads it.

Mirrors pip's `load_pyproject_toml` (pip/_internal/pyproject.py, pip 26.3): no `[build-system]`
table means `requires = ["setuptools>=40.8.0"]` with the `setuptools.build_meta:__legacy__`
backend (current pip no longer adds `wheel`); a table without `requires`, or with a `requires`
that is not a list of valid PEP 508 strings, is an error pip refuses too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from safepip.resolution.archive_members import SdistFiles
from safepip.resolution.core_metadata import MetadataInvalidError
from safepip.tomlfile import TomlError, parse_toml

LEGACY_REQUIRES = ("setuptools>=40.8.0",)
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"


@dataclass(frozen=True)
class BuildSystem:
    """An sdist's PEP 517/518 build system."""

    requires: tuple[Requirement, ...]
    """Build requirements pip would install (and run) before building."""
    backend: str
    """The build backend object, `module:object` (pip's legacy default when unset)."""
    backend_path: tuple[str, ...] = ()
    """PEP 517 `backend-path`: in-tree directories the backend is imported from."""
    declared: bool = True
    """False when there is no `[build-system]` table and pip's legacy default applies."""

    @property
    def in_tree_backend(self) -> bool:
        """True when the backend is code shipped inside the sdist itself (PEP 517 backend-path)."""
        return bool(self.backend_path)


def load_pyproject(files: SdistFiles, origin: str) -> dict[str, Any]:
    """The parsed pyproject.toml ({} when absent); invalid TOML is an error, as for pip."""
    if "pyproject.toml" in files.not_regular:
        raise MetadataInvalidError(f"{origin}: pyproject.toml is a link; it is not followed.")
    data = files.files.get("pyproject.toml")
    if data is None:
        return {}
    try:
        return parse_toml(data)
    except TomlError as exc:
        raise MetadataInvalidError(f"{origin}: pyproject.toml is {exc}") from exc


def _string_list(value: Any, what: str, origin: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MetadataInvalidError(f"{origin}: {what} is not a list of strings.")
    return value


def build_system_from_pyproject(pyproject: dict[str, Any], files: SdistFiles,
                                origin: str) -> BuildSystem:
    """The build system pip would use for this sdist."""
    has_setup_py = "setup.py" in files.files or "setup.py" in files.not_regular
    if not pyproject and not has_setup_py:
        raise MetadataInvalidError(f"{origin}: neither setup.py nor pyproject.toml found; it "
                                   "does not appear to be a Python project.")
    table = pyproject.get("build-system")
    if table is None:
        return BuildSystem(tuple(Requirement(r) for r in LEGACY_REQUIRES), LEGACY_BACKEND,
                           declared=False)
    if not isinstance(table, dict) or "requires" not in table:
        raise MetadataInvalidError(f"{origin}: [build-system] has no 'requires' key.")
    requires: list[Requirement] = []
    for line in _string_list(table["requires"], "[build-system] requires", origin):
        try:
            requires.append(Requirement(line))
        except InvalidRequirement as exc:
            raise MetadataInvalidError(f"{origin}: [build-system] requires has an invalid "
                                       f"requirement {line!r}: {exc}") from exc
    backend = table.get("build-backend") or LEGACY_BACKEND
    if not isinstance(backend, str):
        raise MetadataInvalidError(f"{origin}: build-backend is not a string.")
    path = _string_list(table.get("backend-path", []), "backend-path", origin)
    return BuildSystem(tuple(requires), backend, tuple(path))
