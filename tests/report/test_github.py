"""`--format github`: workflow commands with the Actions toolkit's escaping, one per finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safepip.commands.common import formatter_for
from safepip.findings import Finding, Location, Severity
from safepip.policy.verdict import Verdict
from safepip.report.github import GithubFormatter, escape_data, escape_property
from safepip.report.interface import Report

# How the runner reads a command line (actions/runner ActionCommand.TryParseV2).
COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","),
                           ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
    return match["name"], {k: unescape(v) for k, v in props.items()}, unescape(match["message"])


def test_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext%3A a%2Cb"
    assert escape_property("%3A") == "%253A"  # an escape sequence in the input stays literal


def test_one_command_per_finding_then_a_summary(sample_report: Report, tmp_path: Path) -> None:
    lines = GithubFormatter(base=tmp_path).format(sample_report).splitlines()
    assert len(lines) == len(sample_report.findings) + 1
    assert lines[-1] == "safepip: verdict block, 5 finding(s), 3 package(s) vetted."
    assert [parse(line)[0] for line in lines[:-1]] == [
        "error", "error", "warning", "notice", "notice"]


def test_high_finding_is_an_error_on_the_requirement_line(
    sample_report: Report, tmp_path: Path,
) -> None:
    lines = GithubFormatter(base=tmp_path).format(sample_report).splitlines()
    typosquat = next(line for line in lines if "name/typosquat" in line)
    assert typosquat == (
        "::error file=requirements.txt,line=3,title=name/typosquat (high)%3A reqeusts 1.0.0"
        "::'reqeusts' looks like the popular project 'requests' (swapped letters)."
        "%0AEvidence: reqeusts ~ requests"
    )


def test_hook_finding_message_names_the_member_inside_the_artifact(
    sample_report: Report, tmp_path: Path,
) -> None:
    lines = GithubFormatter(base=tmp_path).format(sample_report).splitlines()
    name, props, message = parse(next(line for line in lines if "hook/network-fetch" in line))
    assert name == "error"
    assert props == {"file": "requirements.txt", "line": "3",
                     "title": "hook/network-fetch (critical): reqeusts 1.0.0"}
    assert message.startswith("setup.py downloads and runs a file at install time. "
                              "(in reqeusts-1.0.0/setup.py:12 of reqeusts-1.0.0.tar.gz)\n")


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.CRITICAL, "error"), (Severity.HIGH, "error"), (Severity.MEDIUM, "warning"),
     (Severity.LOW, "notice"), (Severity.INFO, "notice")],
)
def test_command_follows_severity(severity: Severity, command: str) -> None:
    finding = Finding("name/typosquat", severity, "reqeusts", None, "Looks like requests.")
    line = GithubFormatter().format(Report(verdict=Verdict.WARN, findings=(finding,)))
    assert parse(line.splitlines()[0])[0] == command


def test_hostile_text_cannot_start_another_command(tmp_path: Path) -> None:
    hostile = Finding(
        "hook/exec-obfuscated", Severity.HIGH, "evil", "1.0",
        "bad\n::add-mask::x\r\n::stop-commands::token",
        location=Location("evil-1.0/set,up:py", 3),
        evidence="%0A::error::forged",
    )
    report = Report(verdict=Verdict.BLOCK, findings=(hostile,),
                    origins={"evil": Location("req,uire:ments.txt", 1)},
                    inputs=("req,uire:ments.txt",))
    lines = GithubFormatter(base=tmp_path).format(report).splitlines()
    assert len(lines) == 2 and lines[0].startswith("::error ") and lines[1].startswith("safepip:")
    _, props, message = parse(lines[0])
    assert props["file"] == "req,uire:ments.txt"
    assert message == ("bad\n::add-mask::x\r\n::stop-commands::token "
                       "(in evil-1.0/set,up:py:3 of the artifact)\nEvidence: %0A::error::forged")


def test_package_of_unknown_origin_is_anchored_at_the_first_input_and_says_so() -> None:
    finding = Finding("name/typosquat", Severity.HIGH, "djnago", None, "Looks like django.")
    report = Report(verdict=Verdict.BLOCK, findings=(finding,),
                    inputs=("requirements.txt", "requirements-dev.txt"))
    _, props, message = parse(GithubFormatter().format(report).splitlines()[0])
    assert set(props) == {"file", "title"} and props["file"] == "requirements.txt"
    assert message == ("Looks like django. "
                       "(brought in by one of: requirements.txt, requirements-dev.txt)")


def test_finding_without_any_input_file_has_no_file_property() -> None:
    finding = Finding("name/typosquat", Severity.HIGH, "djnago", None, "Looks like django.")
    line = GithubFormatter().format(Report(verdict=Verdict.BLOCK, findings=(finding,)))
    _, props, _ = parse(line.splitlines()[0])
    assert set(props) == {"title"}


def test_credentials_are_redacted() -> None:
    finding = Finding("resolve/multiple-indexes", Severity.MEDIUM, "lib", "1.0",
                      "Also on https://bob:hunter2@mirror.example/simple/.")
    text = GithubFormatter().format(Report(verdict=Verdict.WARN, findings=(finding,)))
    assert "hunter2" not in text and "https://***@mirror.example/simple/" in text


def test_cli_format_name_selects_github(sample_report: Report) -> None:
    assert formatter_for("github").format(sample_report).startswith("::error ")


def test_paths_are_relative_to_the_github_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A workflow step with `working-directory: app` still annotates app/requirements.txt."""
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path / "app")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    finding = Finding("name/typosquat", Severity.HIGH, "djnago", None, "Looks like django.")
    report = Report(verdict=Verdict.BLOCK, findings=(finding,),
                    origins={"djnago": Location("requirements.txt", 2)},
                    inputs=("requirements.txt",))
    _, props, _ = parse(GithubFormatter().format(report).splitlines()[0])
    assert (props["file"], props["line"]) == ("app/requirements.txt", "2")
