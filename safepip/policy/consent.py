"""Consent for warnings: ask on a terminal, warn and proceed otherwise, never override a block.

Findings at or above `--fail-on` block and nothing here can change that (`--yes` included).
Findings from `WARN_AT` (medium) up to the fail level are warnings: on a terminal the user is asked
`Proceed? [y/N]` (default No, so a stray Enter installs nothing); without a terminal (CI, pipes)
they are printed as warnings and the install proceeds, as pip itself never prompts there; `--yes`
accepts them without asking.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from typing import TextIO

from safepip.findings import Finding, Severity, sort_findings
from safepip.policy.verdict import WARN_AT

logger = logging.getLogger(__name__)

PROMPT = "Proceed? [y/N] "
_YES = frozenset({"y", "yes"})


class Consent(enum.Enum):
    """What the user (or the policy) decided."""

    PROCEED = "proceed"
    DECLINED = "declined"
    BLOCKED = "blocked"

    @property
    def proceed(self) -> bool:
        return self is Consent.PROCEED


def warnings_among(findings: Sequence[Finding], fail_on: Severity) -> list[Finding]:
    """Findings that need consent: at `WARN_AT` or above but below the fail level."""
    return sort_findings([f for f in findings if WARN_AT <= f.severity < fail_on])


def ask_consent(
    findings: Sequence[Finding],
    *,
    fail_on: Severity,
    assume_yes: bool,
    is_tty: bool,
    stdin: TextIO,
    output: TextIO,
    listed: bool = False,
) -> Consent:
    """Decide whether to go on with the install, asking on a terminal when warnings exist.

    `findings` are the ones left after ignores. `output` receives the warnings and the prompt
    (normally standard error, so a report on standard output stays clean); `listed` says the
    caller has already printed them, so they are counted rather than repeated.
    """
    if any(f.severity >= fail_on for f in findings):
        return Consent.BLOCKED
    warnings = warnings_among(findings, fail_on)
    if not warnings:
        return Consent.PROCEED
    if listed:  # the report above already shows each one: say how many, not each again
        output.write(f"warning: {len(warnings)} finding(s) listed above are below the fail "
                     f"level ({fail_on.label}) but need consent.\n")
    else:
        for finding in warnings:
            output.write(_warning_line(finding))
    if assume_yes:
        output.write("Proceeding: --yes accepts these warnings.\n")
        return Consent.PROCEED
    if not is_tty:
        output.write(
            "Proceeding without a terminal to ask on; use --fail-on "
            f"{warnings[-1].severity.label} to block such findings instead.\n"
        )
        return Consent.PROCEED
    return _prompt(stdin, output)


def _prompt(stdin: TextIO, output: TextIO) -> Consent:
    output.write(PROMPT)
    output.flush()
    answer = stdin.readline()
    if not answer:  # end of input: nobody said yes
        output.write("\n")
    if answer.strip().lower() in _YES:
        return Consent.PROCEED
    output.write("Nothing was installed.\n")
    logger.debug("consent declined with answer %r", answer.strip())
    return Consent.DECLINED


def _warning_line(finding: Finding) -> str:
    version = f" {finding.version}" if finding.version else ""
    return (
        f"warning: [{finding.severity.label}] {finding.package}{version} "
        f"{finding.rule}: {finding.message}\n"
    )
