"""Both name checks together, for callers that want "everything about this name"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safepip.checks.advisories import load_snapshot
from safepip.checks.interface import NameCheck
from safepip.checks.malicious import KnownMaliciousCheck
from safepip.checks.popularity import load_popularity
from safepip.checks.typosquat import NameEvidence, TyposquatCheck
from safepip.findings import Finding

if TYPE_CHECKING:
    from safepip.resolution.models import ResolvedPackage


def default_name_checks() -> list[NameCheck]:
    """Known-malicious first (it can stop a run), then typosquat."""
    return [KnownMaliciousCheck(), TyposquatCheck()]


def check_with_evidence(
    check: NameCheck, package: ResolvedPackage, evidence: NameEvidence
) -> list[Finding]:
    """One check on one planned package, given what the index showed where the check uses it."""
    if isinstance(check, TyposquatCheck):
        return check.check_name(package.name, package.version, evidence)
    return check.check_name(package.name, package.version)


def data_summary() -> str:
    """One sentence naming the data the checks used (for text reports)."""
    popularity, snapshot = load_popularity(), load_snapshot()
    info = snapshot.info()
    active = info["records"] - info["withdrawn"]
    where = "embedded" if snapshot.origin == "embedded" else "updated"
    return (f"Checked offline against {len(popularity.ranks):,} popular projects "
            f"({popularity.snapshot_date}) and {active:,} malicious-package reports "
            f"({where} snapshot of {snapshot.snapshot_date[:10]}).")
