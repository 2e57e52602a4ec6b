"""From findings to a verdict: allow, warn (ask), or block."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from safepip.errors import ExitCode
from safepip.findings import Finding, Severity

DEFAULT_FAIL_ON = Severity.HIGH
WARN_AT = Severity.MEDIUM
"""Below the fail level, findings from here up ask for consent (or print as warnings)."""


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
