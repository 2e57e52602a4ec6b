"""Known-malicious check: exact normalised-name match against OSV `MAL-` reports.

Severity, by what is known:
- the release is known (`version` given) and a report covers it: **critical**;
- the name alone (`safepip check-name`, or before resolution) and a report covers every version:
  **critical** - there is no safe release to pick;
- the name alone and reports list only some versions: **high** for an obscure project (its only
  known releases were malicious), **medium** for a project in the popularity list (a real project
  compromised for a few releases: pin a version outside the list);
- the release is known and no report covers it, but others of the project were reported: **low**,
  naming those versions, so a compromised popular project stays visible without blocking.
Withdrawn reports never match.
"""

from __future__ import annotations

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.checks.advisories import Advisory, AdvisorySnapshot, load_snapshot
from safepip.checks.popularity import load_popularity
from safepip.findings import Finding, Severity

RULE = "name/known-malicious"


class KnownMaliciousCheck:
    """`name/known-malicious` findings from the advisory snapshot (embedded or updated)."""

    def __init__(self, snapshot: AdvisorySnapshot | None = None) -> None:
        self._snapshot = snapshot

    @property
    def snapshot(self) -> AdvisorySnapshot:
        if self._snapshot is None:
            self._snapshot = load_snapshot()
        return self._snapshot

    def check_name(self, name: NormalizedName, version: Version | None) -> list[Finding]:
        advisories = self.snapshot.for_name(name)
        if not advisories:
            return []
        if version is not None:
            return self._release(name, version, advisories)
        return [self._name_only(name, a) for a in advisories]

    def _release(
        self, name: NormalizedName, version: Version, advisories: tuple[Advisory, ...],
    ) -> list[Finding]:
        hits = [a for a in advisories if a.affects(version)]
        if hits:
            return [_finding(a, name, str(version), Severity.CRITICAL,
                             f"{name} {version} is reported as malicious: {a.summary}. "
                             "Do not install it.") for a in hits]
        return [_finding(a, name, str(version), Severity.LOW,
                         f"Other releases of {name} ({a.describe_versions()}) were reported "
                         f"as malicious: {a.summary}. {version} is not among them.")
                for a in advisories]

    def _name_only(self, name: NormalizedName, advisory: Advisory) -> Finding:
        if advisory.all_versions:
            return _finding(advisory, name, None, Severity.CRITICAL,
                            f"Every release of {name} is reported as malicious: "
                            f"{advisory.summary}. Do not install it.")
        popular = load_popularity().rank(canonicalize_name(name)) is not None
        severity = Severity.MEDIUM if popular else Severity.HIGH
        listed = advisory.describe_versions()
        verb = "is" if len(advisory.versions or ()) + len(advisory.ranges) == 1 else "are"
        return _finding(advisory, name, None, severity,
                        f"{name} {listed} {verb} reported as malicious: {advisory.summary}. "
                        "Pin a version outside that list.")


def _finding(advisory: Advisory, name: NormalizedName, version: str | None,
             severity: Severity, message: str) -> Finding:
    return Finding(
        rule=RULE, severity=severity, package=name, version=version, message=message,
        evidence=f"{advisory.id}: affected {advisory.describe_versions()}",
    )
