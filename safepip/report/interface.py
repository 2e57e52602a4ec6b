"""The report seam: one `Report` value, several formatters that each return a string."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from safepip.findings import Finding, Location
from safepip.policy.verdict import Verdict
from safepip.resolution.models import ResolvedPackage


@dataclass(frozen=True)
class Report:
    """Everything a formatter may show."""

    verdict: Verdict
    packages: tuple[ResolvedPackage, ...] = ()
    findings: tuple[Finding, ...] = ()
    origins: dict[str, Location] = field(default_factory=dict, hash=False, compare=False)
    """Normalised name -> input-file line that brought the package in (for SARIF locations)."""
    inputs: tuple[str, ...] = ()
    """Input files the run read (requirements, lock files), for SARIF artifacts."""


class Formatter(Protocol):
    def format(self, report: Report) -> str:
        """Render the whole report as one string."""
        ...
