"""The outcome of resolution: which file of which version of each project, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from packaging.utils import NormalizedName
from packaging.version import Version

from safepip.findings import Finding
from safepip.index.models import DistributionFile, ProjectHistory

MetadataSource = Literal["pep658", "wheel", "pkg-info", "static", "unknown", "lock", "installed"]


@dataclass(frozen=True)
class ResolvedPackage:
    """One pinned project in the plan."""

    name: NormalizedName
    version: Version
    artifact: DistributionFile
    """The exact file chosen; its sha256 is what the handoff pins."""
    metadata_source: MetadataSource
    """Which rung of the static metadata ladder answered (DESIGN.md)."""
    dependencies: tuple[NormalizedName, ...] = ()
    """Names this package depends on in the target environment (extras applied)."""
    requested: bool = False
    """True when the user asked for it directly (command line or input file)."""
    build_dependency: bool = False
    """True when only needed to build an sdist in the plan (pip would run it)."""
    extras: frozenset[str] = field(default_factory=frozenset)
    """Extras selected for this package."""


@dataclass(frozen=True)
class Resolution:
    """The whole plan plus what resolution itself noticed."""

    packages: tuple[ResolvedPackage, ...]
    findings: tuple[Finding, ...] = ()
    already_satisfied: tuple[str, ...] = ()
    """Requirements the target environment already satisfies (`name==version`), as pip reports."""
    histories: dict[NormalizedName, ProjectHistory] = field(
        default_factory=dict, compare=False, hash=False)
    """What the index pages tell about each planned project's past (typosquat evidence)."""
