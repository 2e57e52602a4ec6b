"""Vet what a lock (or a fully hash-pinned requirements file) pins, as pinned: no resolution.

Each pin is matched against the index: the file to vet is the one the installer would take in
the target environment among the locked files, and every locked hash must agree with the
index's hash for the same file name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.findings import Finding, Location, Severity
from safepip.index.models import DistributionFile
from safepip.inputs.models import LockedPackage
from safepip.pip.requirement_line import RequirementLine
from safepip.resolution.catalog import Catalog
from safepip.resolution.environment import TargetEnvironment
from safepip.resolution.locked_files import check_locked_package, direct_source_finding
from safepip.resolution.models import ResolvedPackage


@dataclass(frozen=True)
class Pin:
    """One project pinned to one version, with the files (or hashes) it may come from."""

    name: NormalizedName
    version: Version
    source: Location
    sha256s: frozenset[str] = frozenset()
    """Allowed digests (from `--hash` options); unused when `locked` is given."""
    locked: LockedPackage | None = None
    """The lock file's entry, whose files and hashes are checked against the index."""
    marker: Marker | None = None


def pins_from_lock(packages: Iterable[LockedPackage]) -> tuple[list[Pin], list[Finding]]:
    pins: list[Pin] = []
    findings: list[Finding] = []
    for package in packages:
        direct = direct_source_finding(package)
        if direct is not None:
            findings.append(direct)
        elif package.version is not None and package.files:
            pins.append(Pin(package.name, package.version, package.source, locked=package,
                            marker=package.marker))
    return pins, findings


def pins_from_requirements(lines: Sequence[RequirementLine]) -> list[Pin] | None:
    """Pins when every line is `name==version` with `--hash`es (pip's hash-checking mode)."""
    pins = []
    for line in lines:
        requirement = line.requirement
        specs = list(requirement.specifier) if requirement else []
        sha256s = frozenset(
            h.split(":", 1)[1].lower() for h in line.hashes if h.startswith("sha256:")
        )
        if requirement is None or len(specs) != 1 or specs[0].operator not in {"==", "==="}:
            return None
        if not sha256s or specs[0].version.endswith(".*"):
            return None
        pins.append(Pin(canonicalize_name(requirement.name), Version(specs[0].version),
                        line.source, sha256s, marker=requirement.marker))
    return pins or None


def plan_from_pins(
    pins: Iterable[Pin], catalog: Catalog, environment: TargetEnvironment
) -> tuple[list[ResolvedPackage], list[Finding]]:
    packages: list[ResolvedPackage] = []
    findings: list[Finding] = []
    for pin in pins:
        if not _applies(pin, environment):
            continue
        files, hashes, problems = _confirmed_files(pin, catalog)
        findings.extend(problems)
        chosen = _choose(pin, files, hashes, catalog)
        if chosen is None:
            findings.append(_finding(
                "lock/no-installable-file", Severity.HIGH, pin.name, pin.version,
                f"None of the files pinned for {pin.name} {pin.version} is on the index with "
                "the pinned hash and installable in this environment, so none could be vetted.",
                pin.source,
            ))
            continue
        packages.append(ResolvedPackage(pin.name, pin.version, chosen, "lock", requested=True))
    return packages, findings


def _applies(pin: Pin, environment: TargetEnvironment) -> bool:
    """Whether the target installs this pin (a lock's own rules, e.g. PEP 751 groups, first).

    A lock is vetted for its target: with `--python-version 3.11` a `python_version >= '3.12'`
    entry is not installed there, whatever Python runs safepip (pip's resolver keeps the running
    interpreter's markers; a lock has no resolver to agree with).
    """
    markers = {**environment.markers, **_python_markers(environment.python_version)}
    if pin.locked is not None:
        return pin.locked.applies_to(markers)
    return pin.marker is None or pin.marker.evaluate({**markers, "extra": ""})


def _python_markers(version: Version) -> dict[str, str]:
    return {"python_version": f"{version.major}.{version.minor}",
            "python_full_version": str(version)}


def _confirmed_files(
    pin: Pin, catalog: Catalog
) -> tuple[list[DistributionFile], frozenset[str], list[Finding]]:
    """Index files the pin may use, the hashes they must have, and what the index refutes."""
    if pin.locked is None:
        return list(catalog.files(pin.name)), pin.sha256s, []
    matches, findings = check_locked_package(pin.locked, catalog.pages(pin.name))
    hashes = frozenset(m.sha256 for m in matches if m.sha256)
    return [m.published for m in matches], hashes, findings


def _choose(
    pin: Pin, files: list[DistributionFile], hashes: frozenset[str], catalog: Catalog
) -> DistributionFile | None:
    """The file the installer would take here among the confirmed ones (pip's preference)."""
    choices = catalog.finder.acceptable(pin.name, files)
    best = catalog.finder.best_per_version(
        choices, SpecifierSet(f"=={pin.version}"), hashes or None, pin.name
    )
    return best[0].file if best else None


def _finding(
    rule: str, severity: Severity, name: str, version: Version | None, message: str,
    location: Location, *, evidence: str | None = None,
) -> Finding:
    return Finding(rule, severity, name, str(version) if version else None, message,
                   location, evidence)
