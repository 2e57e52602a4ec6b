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
from safepip.request import RequirementLine
from safepip.resolution.catalog import Catalog
from safepip.resolution.environment import TargetEnvironment
from safepip.resolution.models import ResolvedPackage


@dataclass(frozen=True)
class Pin:
    """One project pinned to one version, with the files (or hashes) it may come from."""

    name: NormalizedName
    version: Version
    source: Location
    sha256s: frozenset[str] = frozenset()
    """Allowed digests; empty when the input records none (then any index file may do)."""
    filenames: dict[str, str | None] | None = None
    """Locked file name -> its locked sha256; None when the input names no files."""
    marker: Marker | None = None


def pins_from_lock(packages: Iterable[LockedPackage]) -> tuple[list[Pin], list[Finding]]:
    pins: list[Pin] = []
    findings: list[Finding] = []
    for package in packages:
        if not package.vettable_from_index or package.version is None:
            findings.append(_finding(
                "resolve/unvettable-source", Severity.HIGH, package.name, package.version,
                f"{package.name} is locked to a direct source ({package.direct or 'no files'}); "
                "safepip vets packages from an index only. Vet it with `safepip scan` first.",
                package.source,
            ))
            continue
        files = {f.filename: f.sha256 for f in package.files}
        hashes = frozenset(h for h in files.values() if h)
        pins.append(Pin(package.name, package.version, package.source, hashes, files,
                        package.marker))
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
                        line.source, sha256s, None, requirement.marker))
    return pins or None


def plan_from_pins(
    pins: Iterable[Pin], catalog: Catalog, environment: TargetEnvironment
) -> tuple[list[ResolvedPackage], list[Finding]]:
    packages: list[ResolvedPackage] = []
    findings: list[Finding] = []
    for pin in pins:
        if pin.marker is not None and not pin.marker.evaluate({**environment.markers, "extra": ""}):
            continue
        index_files = list(catalog.files(pin.name))
        findings.extend(_hash_disagreements(pin, index_files))
        chosen = _choose(pin, index_files, catalog)
        if chosen is None:
            findings.append(_finding(
                "lock/no-installable-file", Severity.HIGH, pin.name, pin.version,
                f"None of the files locked for {pin.name} {pin.version} is on the index with "
                "the locked hash and installable in this environment, so none could be vetted.",
                pin.source,
            ))
            continue
        packages.append(ResolvedPackage(pin.name, pin.version, chosen, "lock", requested=True))
    return packages, findings


def _choose(
    pin: Pin, index_files: list[DistributionFile], catalog: Catalog
) -> DistributionFile | None:
    candidates = [f for f in index_files if pin.filenames is None or f.filename in pin.filenames]
    choices = catalog.finder.acceptable(pin.name, candidates)
    best = catalog.finder.best_per_version(
        choices, SpecifierSet(f"=={pin.version}"), pin.sha256s or None
    )
    return best[0].file if best else None


def _hash_disagreements(pin: Pin, index_files: list[DistributionFile]) -> list[Finding]:
    """A locked hash that differs from the index's for the same file: tampering or a re-upload."""
    findings = []
    for file in index_files:
        locked = (pin.filenames or {}).get(file.filename)
        if locked and file.sha256 and locked.lower() != file.sha256.lower():
            findings.append(_finding(
                "lock/hash-mismatch", Severity.CRITICAL, pin.name, pin.version,
                f"The index serves {file.filename} with a different sha256 than the lock "
                "records. The file changed after it was locked; do not install it until you "
                "know why.", pin.source, evidence=f"locked {locked}, index {file.sha256}",
            ))
    return findings


def _finding(
    rule: str, severity: Severity, name: str, version: Version | None, message: str,
    location: Location, *, evidence: str | None = None,
) -> Finding:
    return Finding(rule, severity, name, str(version) if version else None, message,
                   location, evidence)
