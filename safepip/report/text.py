"""Human-readable report: a summary table of the plan and the findings, rich on a TTY."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from safepip.findings import Finding, Severity, sort_findings
from safepip.policy.verdict import Verdict
from safepip.report.interface import Report

_SEVERITY_STYLE = {
    Severity.INFO: "dim",
    Severity.LOW: "cyan",
    Severity.MEDIUM: "yellow",
    Severity.HIGH: "bold red",
    Severity.CRITICAL: "bold white on red",
}
_VERDICT_LINE = {
    Verdict.ALLOW: "[green]verdict: allow[/] - nothing at or above the fail level.",
    Verdict.WARN: "[yellow]verdict: warn[/] - findings below the fail level need a look.",
    Verdict.BLOCK: "[bold red]verdict: block[/] - findings at or above the fail level.",
}


class TextFormatter:
    def __init__(self, *, color: bool = False, width: int = 100) -> None:
        self.color = color
        self.width = width

    def format(self, report: Report) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer, force_terminal=self.color, no_color=not self.color,
            width=self.width, highlight=False,
        )
        if report.packages:
            console.print(self._plan_table(report))
        for finding in sort_findings(list(report.findings)):
            console.print(_finding_line(finding))
        console.print(_VERDICT_LINE[report.verdict])
        return buffer.getvalue()

    def _plan_table(self, report: Report) -> Table:
        counts: dict[str, int] = {}
        for finding in report.findings:
            counts[finding.package] = counts.get(finding.package, 0) + 1
        table = Table(title="Plan", show_lines=False)
        for column in ("package", "version", "file", "metadata", "findings"):
            table.add_column(column)
        for package in report.packages:
            name = package.name + (" (build)" if package.build_dependency else "")
            table.add_row(
                name, str(package.version), package.artifact.filename,
                package.metadata_source, str(counts.get(package.name, 0)),
            )
        return table


def _finding_line(finding: Finding) -> str:
    style = _SEVERITY_STYLE[finding.severity]
    where = ""
    if finding.location is not None:
        line = f":{finding.location.line}" if finding.location.line else ""
        where = f" at {finding.location.path}{line}"
    version = f" {finding.version}" if finding.version else ""
    subject = escape(f"{finding.rule} {finding.package}{version}{where}")
    text = f"[{style}]{finding.severity.label.upper()}[/] {subject}: {escape(finding.message)}"
    if finding.evidence:
        text += f"\n    evidence: {escape(finding.evidence)}"
    return text
