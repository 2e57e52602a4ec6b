"""PEP 751 `pylock.toml` lock files, read through `packaging.pylock`.

packaging validates the document (lock-version, one source kind per package, hashes on every
file); this module maps its packages onto `LockedPackage` and keeps what PEP 751 says selection
needs: each package's marker, evaluated later in the "lock file" context where `extras` and
`dependency_groups` are the sets the user selected (always with the lock's `default-groups`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from packaging.pylock import (
    Package,
    PackageArchive,
    PackageDirectory,
    PackageSdist,
    PackageVcs,
    PackageWheel,
    Pylock,
    PylockUnsupportedVersionError,
    PylockValidationError,
)
from packaging.utils import canonicalize_name

from safepip.errors import InputError
from safepip.findings import Location
from safepip.inputs import _fields
from safepip.inputs._toml import TomlDocument, load_toml
from safepip.inputs.models import LockedFile, LockedPackage, LockSelection

_PACKAGE_INDEX = re.compile(r"^packages\[(\d+)\]")


def read_pylock(
    path: Path, *, extras: Iterable[str] = (), groups: Iterable[str] = (),
) -> list[LockedPackage]:
    """Every package of a pylock.toml file; InputError naming the first problem otherwise."""
    document = load_toml(path)
    lock = _validated(document)
    selection = _selection(lock, extras, groups, document)
    lines = document.array_table_lines("packages")
    result = []
    for position, package in enumerate(lock.packages):
        line = lines[position] if len(lines) == len(lock.packages) else None
        try:
            result.append(_package(package, Location(str(path), line), selection))
        except ValueError as error:
            raise InputError(f"{error}.", path=str(path), line=line,
                             hint="Fix or regenerate the file, then run safepip again.") from None
    return result


def _validated(document: TomlDocument) -> Pylock:
    try:
        return Pylock.from_dict(document.data)
    except PylockUnsupportedVersionError as error:
        raise InputError(f"{error} (safepip reads lock-version 1.x).", path=str(document.path),
                         line=document.find_line("lock-version")) from None
    except PylockValidationError as error:
        raise InputError(f"not a valid PEP 751 lock file: {error}.", path=str(document.path),
                         line=_error_line(document, error.context),
                         hint="Fix or regenerate the file, then run safepip again.") from None


def _error_line(document: TomlDocument, context: str | None) -> int | None:
    """The `[[packages]]` header of the package an error names (`packages[3].wheels[0]`)."""
    match = _PACKAGE_INDEX.match(context or "")
    lines = document.array_table_lines("packages")
    if match and int(match.group(1)) < len(lines):
        return lines[int(match.group(1))]
    return None


def _selection(
    lock: Pylock, extras: Iterable[str], groups: Iterable[str], document: TomlDocument,
) -> LockSelection:
    """PEP 751: the lock's `default-groups` plus the user's groups; names must be declared."""
    wanted_extras = frozenset(canonicalize_name(e) for e in extras)
    wanted_groups = frozenset(canonicalize_name(g) for g in groups)
    declared_extras = {canonicalize_name(e) for e in lock.extras or ()}
    declared_groups = {canonicalize_name(g) for g in lock.dependency_groups or ()}
    unknown = sorted((wanted_extras - declared_extras) | (wanted_groups - declared_groups))
    if unknown:
        raise InputError(
            f"the lock file declares no extra or dependency group named {', '.join(unknown)}.",
            path=str(document.path),
            hint="Declared extras: " + (", ".join(sorted(declared_extras)) or "none")
            + "; dependency groups: " + (", ".join(sorted(declared_groups)) or "none") + ".")
    # Like PDM and uv, naming groups adds to the defaults (the project's own dependencies).
    defaults = frozenset(canonicalize_name(g) for g in lock.default_groups or ())
    return LockSelection(wanted_extras, wanted_groups | defaults)


def _package(package: Package, source: Location, selection: LockSelection) -> LockedPackage:
    name = canonicalize_name(package.name)
    direct = _direct_source(package)
    files = () if direct else _files(package, name)
    if direct is None and package.version is None:
        raise ValueError(f"{name}: a package installed from an index needs a `version`")
    return LockedPackage(
        name=name, version=package.version, files=files, source=source, index_url=package.index,
        marker=package.marker, direct=direct, selection=selection,
    )


def _direct_source(package: Package) -> str | None:
    origin: PackageVcs | PackageDirectory | PackageArchive | None = (
        package.vcs or package.directory or package.archive)
    if origin is None:
        return None
    where = getattr(origin, "url", None) or origin.path or "?"
    if isinstance(origin, PackageVcs):
        return f"vcs: {where}"
    if isinstance(origin, PackageDirectory):
        return f"{'editable' if origin.editable else 'directory'}: {where}"
    return f"archive: {where}"


def _files(package: Package, name: str) -> tuple[LockedFile, ...]:
    entries: list[PackageSdist | PackageWheel] = [*([package.sdist] if package.sdist else []),
                                                  *(package.wheels or ())]
    return tuple(_file(entry, name) for entry in entries)


def _file(entry: PackageSdist | PackageWheel, name: str) -> LockedFile:
    digest = entry.hashes.get("sha256")
    sha = _fields.sha256(digest, name) if digest is not None else None
    return LockedFile(_fields.filename(entry.filename, name), entry.url, sha, entry.path,
                      entry.size)
