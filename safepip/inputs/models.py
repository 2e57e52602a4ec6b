"""What a lock file pins, whatever tool wrote it: one shape for pylock, uv.lock and poetry.lock."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from packaging.markers import Marker
from packaging.utils import NormalizedName
from packaging.version import Version

from safepip.findings import Location


@dataclass(frozen=True)
class LockedFile:
    """One distribution file a lock file allows for a package."""

    filename: str
    """The file's name (a wheel or sdist name; never contains a path separator)."""
    url: str | None = None
    """Where the lock file says to fetch it; None when only the name is locked (poetry.lock)."""
    sha256: str | None = None
    """Lower-case hex sha256 the lock file promises; None when it records no sha256."""
    path: str | None = None
    """Local path the lock file gives instead of a URL (absolute, or relative to the lock file)."""
    size: int | None = None
    """Size in bytes, when the lock file records it."""

    @property
    def kind(self) -> str:
        return "wheel" if self.filename.endswith(".whl") else "sdist"


@dataclass(frozen=True)
class LockSelection:
    """What the user selected from a PEP 751 lock: its markers test `extras`/`dependency_groups`."""

    extras: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    def marker_environment(self, markers: Mapping[str, str]) -> dict[str, str | AbstractSet[str]]:
        """The target's markers plus the two PEP 751 sets (for the "lock_file" context)."""
        return {**markers, "extras": self.extras, "dependency_groups": self.groups}


@dataclass(frozen=True)
class LockedPackage:
    """One pinned project of a lock file, vetted as locked (no resolution)."""

    name: NormalizedName
    """PEP 503 normalised project name."""
    version: Version | None
    """Locked version; None only for direct sources (VCS, directory) that lock no version."""
    files: tuple[LockedFile, ...]
    """Files the lock allows; empty for direct sources that are not archives."""
    source: Location
    """The lock file and the line of this package's table, for report locations."""
    index_url: str | None = None
    """Index the lock says the package comes from; None for the default index or unknown."""
    marker: Marker | None = None
    """Environment marker under which the package is installed; None means always."""
    direct: str | None = None
    """For packages not from an index: `vcs: URL`, `directory: PATH`, `editable: PATH`,
    `virtual: PATH`, `url: URL` or `path: PATH`. Such packages cannot be vetted against an index."""
    selection: LockSelection | None = None
    """PEP 751 locks only: the marker is evaluated in the lock-file context with this selection."""
    extras: frozenset[str] = frozenset()
    """Extras the user selected, for markers that test `extra == "..."` (poetry.lock)."""

    def applies_to(self, markers: Mapping[str, str]) -> bool:
        """Whether the target environment (its marker values) installs this package."""
        if self.marker is None:
            return True
        if self.selection is not None:
            return self.marker.evaluate(self.selection.marker_environment(markers), "lock_file")
        return any(self.marker.evaluate({**markers, "extra": extra})
                   for extra in ("", *sorted(self.extras)))

    @property
    def vettable_from_index(self) -> bool:
        return self.direct is None and self.version is not None and bool(self.files)
