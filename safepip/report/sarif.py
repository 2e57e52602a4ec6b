"""SARIF 2.1.0 report for code-scanning dashboards (one run, tool `safepip`).

Results point at the input-file line that brought the package in (a physical location in the
repository); findings inside a downloaded artifact also carry a logical location naming the
artifact member (`<artifact filename>/<member path>`), since that file is not in the repository.
`partialFingerprints` hash what identifies a finding, never its line, so alerts survive edits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from safepip import __version__
from safepip.catalog import catalog
from safepip.findings import Finding, Severity, sort_findings
from safepip.redact import redact_text
from safepip.report.interface import Report
from safepip.report.places import Place, context_sentence, default_base, input_paths, place_of
from safepip.rules import RuleInfo, rule_info

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/safepip/"
FINGERPRINT_KEY = "safepipFinding/v1"
EVIDENCE_LIMIT = 300

_LEVEL = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "note", Severity.INFO: "note",
}
# GitHub code scanning ranks security alerts by this 0-10 score (critical > 9, high 7-8.9, ...).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0",
}


class SarifFormatter:
    def __init__(self, *, base: Path | None = None,
                 rules: Mapping[str, RuleInfo] | None = None) -> None:
        # Input paths are made relative to `base`: the repository root in CI.
        self.base = base if base is not None else default_base()
        self.rules = rules

    def format(self, report: Report) -> str:
        findings = sort_findings(list(report.findings))
        known = catalog() if self.rules is None else self.rules
        rule_ids = sorted({f.rule for f in findings})
        rule_index = {rule_id: n for n, rule_id in enumerate(rule_ids)}
        places = [place_of(f, report, self.base) for f in findings]
        artifacts = list(dict.fromkeys(
            [*input_paths(report, self.base), *(p.input_path for p in places if p.input_path)]
        ))
        run = {
            "tool": {"driver": _driver([_describe(r, known, findings) for r in rule_ids])},
            "artifacts": [{"location": {"uri": _uri(a)}} for a in artifacts],
            "results": [
                _result(f, p, rule_index[f.rule], artifacts)
                for f, p in zip(findings, places, strict=True)
            ],
            "columnKind": "unicodeCodePoints",
        }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return json.dumps(document, indent=2) + "\n"


def _driver(rules: list[RuleInfo]) -> dict[str, Any]:
    return {
        "name": "safepip",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(r) for r in rules],
    }


def _describe(rule_id: str, known: Mapping[str, RuleInfo], findings: list[Finding]) -> RuleInfo:
    """Catalogue entry; an undescribed rule defaults to the worst severity it reported."""
    if rule_id in known:
        return known[rule_id]
    worst = max(f.severity for f in findings if f.rule == rule_id)
    return dataclasses.replace(rule_info(rule_id, known), default_severity=worst)


def _rule(rule: RuleInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["security", "supply-chain", rule.id.split("/")[0]]}
    if rule.default_severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.default_severity]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace("-", "/").split("/")),
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": rule.help, "markdown": rule.help},
        "defaultConfiguration": {"level": _LEVEL[rule.default_severity]},
        "properties": properties,
    }


def _result(finding: Finding, place: Place, index: int, artifacts: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": _message(finding, place)},
    }
    location = _location(place, artifacts)
    if location:
        result["locations"] = [location]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(finding, place)}
    properties: dict[str, Any] = {
        "severity": finding.severity.label, "package": finding.package,
        "version": finding.version,
    }
    if finding.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    if finding.evidence:
        properties["evidence"] = redact_text(finding.evidence)
    result["properties"] = properties
    return result


def _message(finding: Finding, place: Place) -> str:
    subject = f"{finding.package} {finding.version}" if finding.version else finding.package
    text = f"{subject}: {redact_text(finding.message)}"
    text += context_sentence(place)
    if finding.evidence:
        evidence = redact_text(finding.evidence)
        if len(evidence) > EVIDENCE_LIMIT:
            evidence = evidence[:EVIDENCE_LIMIT] + "..."
        text += f"\nEvidence: {evidence}"
    return text


def _location(place: Place, artifacts: list[str]) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if place.input_path is not None:
        physical: dict[str, Any] = {"artifactLocation": {
            "uri": _uri(place.input_path), "index": artifacts.index(place.input_path),
        }}
        if place.input_line:
            physical["region"] = {"startLine": place.input_line}
        location["physicalLocation"] = physical
    if place.member is not None:
        qualified = f"{place.artifact}/{place.member}" if place.artifact else place.member
        logical: dict[str, Any] = {"name": place.member, "fullyQualifiedName": qualified}
        if place.member.endswith(".py"):
            logical["kind"] = "module"
        location["logicalLocations"] = [logical]
    return location


def fingerprint(finding: Finding, place: Place) -> str:
    """Stable across runs: rule, package, version, input file, member path, evidence; no lines."""
    parts = (finding.rule, finding.package, finding.version or "", place.input_path or "",
             place.artifact or "", place.member or "", finding.evidence or "")
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _uri(path: str) -> str:
    """A relative URI reference for a POSIX path; absolute paths become file: URIs."""
    if path.startswith("/"):
        return Path(path).as_uri()
    return quote(path, safe="/")
