"""From findings to a verdict: allow, warn (ask), or block."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.errors import ExitCode, UsageError
from safepip.findings import Finding, Severity
from safepip.policy.config import DEFAULT_FAIL_ON, IgnoreEntry, PolicyConfig
from safepip.redact import redact_url

WARN_AT = Severity.MEDIUM
"""Below the fail level, findings from here up ask for consent (or print as warnings)."""
TYPOSQUAT_RULE = "name/typosquat"


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.BLOCKED if self is Verdict.BLOCK else ExitCode.OK


def decide(findings: Iterable[Finding], fail_on: Severity = DEFAULT_FAIL_ON) -> Verdict:
    """Block on anything at or above `fail_on`; warn on anything at or above medium."""
    worst = max((f.severity for f in findings), default=None)
    if worst is None:
        return Verdict.ALLOW
    if worst >= fail_on:
        return Verdict.BLOCK
    return Verdict.WARN if worst >= min(WARN_AT, fail_on) else Verdict.ALLOW


@dataclass(frozen=True)
class IgnoredFinding:
    """A finding the configuration accepted, with the entry that accepted it."""

    finding: Finding
    """The silenced finding (still shown in reports as ignored)."""
    entry: IgnoreEntry
    """The `ignore` entry (or `trusted-names` item) that matched."""


@dataclass(frozen=True)
class IgnoreOutcome:
    """Findings after the configured ignores were applied."""

    kept: tuple[Finding, ...]
    """Findings that still count toward the verdict."""
    ignored: tuple[IgnoredFinding, ...]
    """Findings an unexpired entry accepted."""
    notices: tuple[str, ...]
    """Sentences for the user, e.g. that an entry expired and no longer applies."""


def apply_ignores(
    findings: Iterable[Finding], config: PolicyConfig, today: dt.date
) -> IgnoreOutcome:
    """Drop findings accepted by unexpired `ignore` entries or `trusted-names`."""
    entries = (*config.ignores, *_trusted_name_entries(config))
    live = [e for e in entries if not e.expired(today)]
    kept: list[Finding] = []
    ignored: list[IgnoredFinding] = []
    for finding in findings:
        entry = next((e for e in live if _matches(e, finding)), None)
        if entry is None:
            kept.append(finding)
        else:
            ignored.append(IgnoredFinding(finding, entry))
    notices = tuple(_expiry_notice(e) for e in entries if e.expired(today))
    return IgnoreOutcome(tuple(kept), tuple(ignored), notices)


def _trusted_name_entries(config: PolicyConfig) -> list[IgnoreEntry]:
    return [
        IgnoreEntry(TYPOSQUAT_RULE, name, None, "listed in trusted-names", None, "trusted-names")
        for name in sorted(config.trusted_names)
    ]


def _matches(entry: IgnoreEntry, finding: Finding) -> bool:
    if entry.rule != finding.rule:
        return False
    if entry.package != "*" and entry.package != canonicalize_name(finding.package):
        return False
    return entry.version is None or _same_version(entry.version, finding.version)


def _same_version(wanted: str, actual: str | None) -> bool:
    if actual is None:
        return False
    try:
        return Version(wanted) == Version(actual)  # PEP 440: 1.0 == 1.0.0
    except InvalidVersion:
        return wanted == actual


def _expiry_notice(entry: IgnoreEntry) -> str:
    version = f" {entry.version}" if entry.version else ""
    return (
        f"The ignore entry for {entry.rule} on {entry.package}{version} ({entry.source}) "
        f"expired on {entry.expires}; it no longer applies. Renew its `expires` date if the "
        "reason still holds, or remove it."
    )


def check_indexes(config: PolicyConfig, index_urls: Iterable[str]) -> None:
    """Refuse index URLs outside `allow-indexes` (when that list is configured)."""
    from safepip.policy.config import normalize_index_url

    if not config.allow_indexes:
        return
    refused = [u for u in index_urls if normalize_index_url(u) not in config.allow_indexes]
    if refused:
        raise UsageError(
            f"The index {redact_url(refused[0])} is not in the policy's allow-indexes.",
            hint="Use an allowed index, or add it to `allow-indexes` in the safepip policy.",
        )
