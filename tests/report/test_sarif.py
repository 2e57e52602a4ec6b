"""SARIF 2.1.0 output: schema-valid, right rules and levels, repository locations, stable ids."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from safepip.checks.hooks.rules import RULES as HOOK_RULES
from safepip.commands.common import formatter_for
from safepip.findings import Finding, Location, Severity
from safepip.policy.verdict import Verdict
from safepip.report.interface import Report
from safepip.report.sarif import FINGERPRINT_KEY, SarifFormatter
from safepip.rules import RULES, RuleInfo
from safepip.sandbox.rules import RULES as CAGE_RULES
from tests.report.conftest import FINDINGS, PACKAGES


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema_path = Path(__file__).resolve().parent.parent / "data" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


@pytest.fixture
def render(sarif_validator: Draft4Validator, tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Format a report and validate it against the official schema before any other check."""
    def render(report: Report, **options: Any) -> dict[str, Any]:
        options.setdefault("base", tmp_path)
        document: dict[str, Any] = json.loads(SarifFormatter(**options).format(report))
        errors = sorted(sarif_validator.iter_errors(document), key=str)
        assert errors == [], "\n".join(e.message for e in errors)
        return document
    return render


def results_by_rule(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in document["runs"][0]["results"]}


def test_full_report_is_one_run_of_tool_safepip(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    document = render(sample_report)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "safepip"
    assert driver["version"] and driver["informationUri"].startswith("https://")
    assert len(run["results"]) == len(FINDINGS)
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["requirements.txt"]


def test_empty_and_inputless_reports_are_valid(
    render: Callable[..., dict[str, Any]], empty_report: Report,
) -> None:
    assert render(empty_report)["runs"][0]["results"] == []
    no_inputs = Report(verdict=Verdict.WARN, packages=PACKAGES, findings=FINDINGS)
    results = render(no_inputs)["runs"][0]["results"]
    plain = next(r for r in results if r["ruleId"] == "name/typosquat")
    assert "locations" not in plain  # nothing honest to point at: no invented file


def test_rules_carry_metadata_and_result_indexes_point_at_them(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    run = render(sample_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert sorted(r["id"] for r in rules) == sorted({f.rule for f in FINDINGS})
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip()
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    typosquat = next(r for r in rules if r["id"] == "name/typosquat")
    assert typosquat["shortDescription"]["text"] == RULES["name/typosquat"].short
    assert typosquat["defaultConfiguration"]["level"] == "error"
    assert typosquat["properties"]["security-severity"] == "8.0"


@pytest.mark.parametrize(
    ("severity", "level"),
    [(Severity.CRITICAL, "error"), (Severity.HIGH, "error"), (Severity.MEDIUM, "warning"),
     (Severity.LOW, "note"), (Severity.INFO, "note")],
)
def test_level_follows_severity(
    render: Callable[..., dict[str, Any]], severity: Severity, level: str,
) -> None:
    finding = Finding("name/typosquat", severity, "reqeusts", "1.0.0", "Looks like requests.")
    result = render(Report(verdict=Verdict.WARN, findings=(finding,)))["runs"][0]["results"][0]
    assert result["level"] == level
    assert result["properties"]["severity"] == severity.label


def test_name_finding_points_at_the_requirement_line(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    result = results_by_rule(render(sample_report))["name/typosquat"]
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "requirements.txt", "index": 0}
    assert physical["region"] == {"startLine": 3}
    assert "logicalLocations" not in location
    assert result["properties"] == {
        "severity": "high", "package": "reqeusts", "version": "1.0.0",
        "security-severity": "8.0", "evidence": "reqeusts ~ requests",
    }


def test_hook_finding_names_the_artifact_member_as_a_logical_location(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    result = results_by_rule(render(sample_report))["hook/network-fetch"]
    (location,) = result["locations"]
    assert location["physicalLocation"]["region"] == {"startLine": 3}
    assert location["logicalLocations"] == [{
        "name": "reqeusts-1.0.0/setup.py",
        "fullyQualifiedName": "reqeusts-1.0.0.tar.gz/reqeusts-1.0.0/setup.py",
        "kind": "module",
    }]
    text = result["message"]["text"]
    assert "reqeusts-1.0.0/setup.py:12 of reqeusts-1.0.0.tar.gz" in text
    assert "Evidence: urllib.request.urlopen" in text


def test_finding_located_in_an_input_file_keeps_its_own_line(
    render: Callable[..., dict[str, Any]],
) -> None:
    finding = Finding("lock/hash-mismatch", Severity.CRITICAL, "attrs", "26.1.0",
                      "The locked hash differs from the index.", location=Location("uv.lock", 40))
    report = Report(verdict=Verdict.BLOCK, findings=(finding,),
                    origins={"attrs": Location("uv.lock", 5)}, inputs=("uv.lock",))
    (location,) = render(report)["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["region"] == {"startLine": 40}
    assert "logicalLocations" not in location


def test_paths_are_relative_to_the_base_and_uri_encoded(
    render: Callable[..., dict[str, Any]], tmp_path: Path,
) -> None:
    inside = tmp_path / "sub dir" / "requirements-dev.txt"
    outside = Path("/srv/other/poetry.lock")
    findings = (
        Finding("name/typosquat", Severity.HIGH, "reqeusts", None, "Looks like requests."),
        Finding("name/typosquat", Severity.HIGH, "djnago", None, "Looks like django."),
    )
    report = Report(verdict=Verdict.BLOCK, findings=findings,
                    origins={"reqeusts": Location(str(inside), 4),
                             "djnago": Location(str(outside), 9)},
                    inputs=(str(inside), str(outside)))
    run = render(report, base=tmp_path)["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == ["sub%20dir/requirements-dev.txt", "file:///srv/other/poetry.lock"]
    by_package = {r["properties"]["package"]: r for r in run["results"]}
    assert by_package["djnago"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///srv/other/poetry.lock", "index": 1,
    }


def fingerprints(document: dict[str, Any]) -> list[str]:
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in document["runs"][0]["results"]]


def test_fingerprints_are_stable_and_distinct(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    first = fingerprints(render(sample_report))
    assert first == fingerprints(render(sample_report))
    assert len(set(first)) == len(first)
    assert all(len(f) == 64 for f in first)


def test_fingerprints_survive_moved_lines_but_not_a_new_version(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    before = fingerprints(render(sample_report))
    moved = dataclasses.replace(sample_report, origins={
        name: Location(o.path, (o.line or 0) + 10) for name, o in sample_report.origins.items()
    })
    assert fingerprints(render(moved)) == before
    bumped = dataclasses.replace(sample_report, findings=tuple(
        dataclasses.replace(f, version="9.9") if f.package == "reqeusts" else f
        for f in sample_report.findings
    ))
    changed = [a != b for a, b in zip(before, fingerprints(render(bumped)), strict=True)]
    assert changed == [f.package == "reqeusts" for f in sorted(
        sample_report.findings, key=lambda f: (-f.severity, f.package, f.rule, f.message))]


def test_unknown_rule_gets_generic_metadata_at_its_worst_severity(
    render: Callable[..., dict[str, Any]],
) -> None:
    finding = Finding("hook/brand-new-rule", Severity.CRITICAL, "evil", "1.0", "Bad things.")
    rules = render(Report(verdict=Verdict.BLOCK, findings=(finding,)))["runs"][0]["tool"][
        "driver"]["rules"]
    assert rules[0]["id"] == "hook/brand-new-rule"
    assert rules[0]["defaultConfiguration"]["level"] == "error"
    assert "hook/brand-new-rule" in rules[0]["fullDescription"]["text"]


@pytest.mark.parametrize("source", [HOOK_RULES, CAGE_RULES])
def test_rules_owned_by_the_checks_and_the_cage_are_described_by_their_records(
    render: Callable[..., dict[str, Any]], source: dict[str, RuleInfo],
) -> None:
    for info in list(source.values())[:3]:
        finding = Finding(info.id, Severity.HIGH, "evil", "1.0", "Something it did.")
        rule = render(Report(verdict=Verdict.BLOCK, findings=(finding,)))["runs"][0]["tool"][
            "driver"]["rules"][0]
        assert rule["shortDescription"]["text"] == info.short
        assert rule["fullDescription"]["text"] == info.full
        assert rule["help"]["text"] == info.help


def test_credentials_never_reach_the_document(render: Callable[..., dict[str, Any]]) -> None:
    finding = Finding("resolve/multiple-indexes", Severity.MEDIUM, "internal-lib", "1.0",
                      "Also served by https://bob:hunter2@mirror.example/simple/.",
                      evidence="https://bob:hunter2@mirror.example/simple/internal-lib/")
    text = json.dumps(render(Report(verdict=Verdict.WARN, findings=(finding,))))
    assert "hunter2" not in text and "bob" not in text
    assert "https://***@mirror.example/simple/" in text


def test_cli_format_name_selects_sarif(sample_report: Report) -> None:
    text = formatter_for("sarif").format(sample_report)
    assert json.loads(text)["version"] == "2.1.0"


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d.pop("version"),
        lambda d: d["runs"][0]["results"][0].update(level="fatal"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"].update(
            region={"startLine": 0}),
        lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        lambda d: d["runs"][0]["results"][0].update(message={}),
    ],
)
def test_the_schema_check_is_not_vacuous(
    sarif_validator: Draft4Validator, sample_report: Report,
    mutation: Callable[[dict[str, Any]], object],
) -> None:
    document = json.loads(SarifFormatter().format(sample_report))
    assert sarif_validator.is_valid(document)
    mutation(document)
    assert not sarif_validator.is_valid(document)


def test_every_result_has_a_file_location_when_the_run_read_files(
    render: Callable[..., dict[str, Any]], sample_report: Report,
) -> None:
    """GitHub refuses the whole upload when one result has no physical artifact location."""
    two_inputs = dataclasses.replace(sample_report, origins={},
                                     inputs=("requirements.txt", "requirements-dev.txt"))
    for report in (sample_report, two_inputs):
        for result in render(report)["runs"][0]["results"]:
            (location,) = result["locations"]
            assert location["physicalLocation"]["artifactLocation"]["uri"]
    anchored = render(two_inputs)["runs"][0]["results"][0]
    physical = anchored["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "requirements.txt"
    assert "region" not in physical  # the line is unknown: a file-level result, not line 1
    assert "(brought in by one of: requirements.txt, requirements-dev.txt)" in anchored[
        "message"]["text"]


def test_uris_are_relative_to_the_github_workspace(
    sarif_validator: Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path / "app")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    finding = Finding("name/typosquat", Severity.HIGH, "djnago", None, "Looks like django.")
    report = Report(verdict=Verdict.BLOCK, findings=(finding,),
                    origins={"djnago": Location("uv.lock", 7)}, inputs=("uv.lock",))
    document = json.loads(SarifFormatter().format(report))
    sarif_validator.validate(document)
    physical = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "app/uv.lock"
