"""Lock file entries checked against what the index serves: same project, files and hashes.

(Here, beside the lock-pin planner, so that `inputs` reads files and imports nothing of resolution.)

A lock is a claim ("these files, with these sha256"); vetting as locked believes none of it that
the index does not confirm. Each locked file must be named for the locked project and version,
be listed on the project's index page under the same file name, and carry the same sha256 there.
The download step then verifies the bytes against that sha256. Pure functions over data already
fetched: no network here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from safepip.findings import Finding, Severity
from safepip.index.filenames import standard_name_version
from safepip.index.models import DistributionFile, ProjectPage
from safepip.inputs.models import LockedFile, LockedPackage

_LOCAL_KINDS = ("virtual", "editable", "directory")
"""Direct sources that are the user's own tree (e.g. uv's entry for the project itself)."""


@dataclass(frozen=True)
class LockedMatch:
    """A locked file the index confirms."""

    locked: LockedFile
    """The lock file's entry."""
    published: DistributionFile
    """The index's entry with the same file name (and, when both have one, the same sha256)."""

    @property
    def sha256(self) -> str | None:
        """The hash to pin: the lock's, else the index's (the lock recorded none)."""
        return self.locked.sha256 or self.published.sha256


def check_locked_package(
    package: LockedPackage, pages: Sequence[ProjectPage],
) -> tuple[list[LockedMatch], list[Finding]]:
    """Confirmed files of one index package, and findings for every claim the index refutes."""
    matches: list[LockedMatch] = []
    findings: list[Finding] = []
    for locked in package.files:
        problem = _naming_problem(package, locked)
        if problem is not None:
            findings.append(problem)
            if problem.severity >= Severity.HIGH:
                continue
        match, finding = _match(package, locked, pages)
        if match is not None:
            matches.append(match)
        if finding is not None:
            findings.append(finding)
    return matches, findings


def direct_source_finding(package: LockedPackage) -> Finding | None:
    """The finding for a package that does not come from an index (None for index packages)."""
    if package.direct is None:
        return None
    kind = package.direct.split(":", 1)[0]
    local = kind in _LOCAL_KINDS
    return _finding(
        package, "lock/unvetted-source", Severity.INFO if local else Severity.MEDIUM,
        f"{package.name} comes from {package.direct}, not from an index, so safepip did not "
        + ("vet it (it is part of your own tree)." if local
           else "vet it; review that source yourself or depend on a released version."),
        evidence=package.direct,
    )


def _naming_problem(package: LockedPackage, locked: LockedFile) -> Finding | None:
    """A file named for another project or version would install something else than audited."""
    parsed = standard_name_version(locked.filename)
    if parsed is None:
        return _finding(package, "lock/inconsistent-file", Severity.MEDIUM,
                        f"{locked.filename} is not a standard wheel or sdist name, so its project "
                        "and version cannot be confirmed.", evidence=locked.filename)
    name, version = parsed
    if name != package.name or (package.version is not None and version != package.version):
        return _finding(package, "lock/inconsistent-file", Severity.HIGH,
                        f"The lock pins {package.name} {package.version} to {locked.filename}, "
                        f"a file of {name} {version}; regenerate the lock file.",
                        evidence=locked.filename)
    return None


def _match(
    package: LockedPackage, locked: LockedFile, pages: Sequence[ProjectPage],
) -> tuple[LockedMatch | None, Finding | None]:
    published = [f for page in pages for f in page.files if f.filename == locked.filename]
    if not published:
        return None, _finding(
            package, "lock/file-not-on-index", Severity.HIGH,
            f"{locked.filename} is not listed by the index for {package.name}; the lock refers "
            "to a file nobody can vet. Regenerate the lock file against your index.",
            evidence=locked.filename)
    if locked.sha256 is None:
        return LockedMatch(locked, published[0]), _finding(
            package, "lock/unpinned-file", Severity.MEDIUM,
            f"The lock records no sha256 for {locked.filename}; the index's hash is used "
            "instead. Regenerate the lock file with hashes.", evidence=locked.filename)
    for candidate in published:
        if candidate.sha256 in (None, locked.sha256):
            return LockedMatch(locked, candidate), None
    served = ", ".join(sorted({f"sha256:{f.sha256}" for f in published}))
    return None, _finding(
        package, "lock/hash-mismatch", Severity.CRITICAL,
        f"The index serves {locked.filename} with a different sha256 than the lock file "
        "promises: the file was replaced, or the lock was edited. Do not install it.",
        evidence=f"locked sha256:{locked.sha256}; index {served}")


def _finding(
    package: LockedPackage, rule: str, severity: Severity, message: str, *, evidence: str,
) -> Finding:
    version = None if package.version is None else str(package.version)
    return Finding(rule, severity, package.name, version, message, location=package.source,
                   evidence=evidence)
