"""Findings: what a check saw, how bad it is, and where."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.IntEnum):
    """Ordered severities; `--fail-on` picks the lowest one that blocks."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name case-insensitively (raises ValueError on unknown names)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}; expected one of {names}") from None

    @property
    def label(self) -> str:
        """The lower-case name used in output and configuration."""
        return self.name.lower()


@dataclass(frozen=True)
class Location:
    """A place in a file: inside an artifact, or in an input file such as requirements.txt."""

    path: str
    """Path relative to the artifact root or the working directory."""
    line: int | None = None
    """1-based line number, when known."""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line}


@dataclass(frozen=True)
class Finding:
    """One observation a check made about one package."""

    rule: str
    """Rule id, `area/slug` (e.g. `name/typosquat`, `hook/network-fetch`)."""
    severity: Severity
    """How bad it is; compared against `--fail-on`."""
    package: str
    """Normalised project name the finding is about."""
    version: str | None
    """Version the finding is about, or None when it concerns the name alone."""
    message: str
    """One sentence: what was seen and what to do."""
    location: Location | None = None
    """Where it was seen, when it was seen in a file."""
    evidence: str | None = None
    """The offending snippet or datum, shortened for display."""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "package": self.package,
            "version": self.version,
            "message": self.message,
            "location": self.location.to_json() if self.location else None,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Finding:
        """The inverse of `to_json`; KeyError/TypeError/ValueError on a malformed item."""
        location = item["location"]
        return cls(
            rule=str(item["rule"]),
            severity=Severity.parse(item["severity"]),
            package=str(item["package"]),
            version=None if item["version"] is None else str(item["version"]),
            message=str(item["message"]),
            location=Location(str(location["path"]), location["line"]) if location else None,
            evidence=None if item["evidence"] is None else str(item["evidence"]),
        )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by package and rule, so output is stable."""
    return sorted(findings, key=lambda f: (-f.severity, f.package, f.rule, f.message))
