"""GitHub Actions annotations: one `::error` / `::warning` / `::notice` workflow command a finding.

Escaping follows the Actions toolkit (`@actions/core` command.ts): in the message `%`, CR and LF
become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A` and `%2C`. Anything
the runner could read as a second command is thereby inert. GitHub shows at most 10 annotations
of each level per step, so findings come most severe first.
"""

from __future__ import annotations

from pathlib import Path

from safepip.findings import Finding, Severity, sort_findings
from safepip.redact import redact_text
from safepip.report.interface import Report
from safepip.report.places import Place, context_sentence, default_base, place_of

_COMMAND = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "notice", Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (`file=`, `title=`, ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter:
    def __init__(self, *, base: Path | None = None) -> None:
        # Annotation paths are relative to the workspace, where the workflow runs safepip.
        self.base = base if base is not None else default_base()

    def format(self, report: Report) -> str:
        findings = sort_findings(list(report.findings))
        lines = [annotation(f, place_of(f, report, self.base)) for f in findings]
        lines.append(f"safepip: verdict {report.verdict.value}, {len(findings)} finding(s), "
                     f"{len(report.packages)} package(s) vetted.")
        return "\n".join(lines) + "\n"


def annotation(finding: Finding, place: Place) -> str:
    """One workflow command line for `finding`."""
    properties: list[tuple[str, str]] = []
    if place.input_path is not None:
        properties.append(("file", place.input_path))
        if place.input_line:
            properties.append(("line", str(place.input_line)))
    subject = f"{finding.package} {finding.version}" if finding.version else finding.package
    properties.append(("title", f"{finding.rule} ({finding.severity.label}): {subject}"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND[finding.severity]} {rendered}::{escape_data(_message(finding, place))}"


def _message(finding: Finding, place: Place) -> str:
    text = redact_text(finding.message)
    text += context_sentence(place)
    if finding.evidence:
        text += f"\nEvidence: {redact_text(finding.evidence)[:300]}"
    return text
