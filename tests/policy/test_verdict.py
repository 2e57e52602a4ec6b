"""Verdicts, ignore entries (with expiry), trusted names, index allow-list, unsafe warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from packaging.utils import canonicalize_name

from safepip.errors import ExitCode, UsageError
from safepip.findings import Finding, Severity
from safepip.policy.config import IgnoreEntry, PolicyConfig
from safepip.policy.verdict import Verdict, apply_ignores, check_indexes, decide

TODAY = dt.date(2026, 11, 28)


def _finding(rule: str = "name/typosquat", package: str = "reqeusts", version: str | None = None,
             severity: Severity = Severity.HIGH) -> Finding:
    return Finding(rule, severity, package, version, "seen")


def _entry(rule: str = "name/typosquat", package: str = "reqeusts", version: str | None = None,
           expires: dt.date | None = None) -> IgnoreEntry:
    return IgnoreEntry(rule, canonicalize_name(package), version, "trusted internal fork", expires,
                       "safepip.toml")


@pytest.mark.parametrize(
    ("severities", "fail_on", "verdict"),
    [
        ([], Severity.HIGH, Verdict.ALLOW),
        ([Severity.LOW, Severity.INFO], Severity.HIGH, Verdict.ALLOW),
        ([Severity.MEDIUM], Severity.HIGH, Verdict.WARN),
        ([Severity.HIGH], Severity.HIGH, Verdict.BLOCK),
        ([Severity.MEDIUM], Severity.MEDIUM, Verdict.BLOCK),
        ([Severity.HIGH], Severity.CRITICAL, Verdict.WARN),
        ([Severity.LOW], Severity.LOW, Verdict.BLOCK),
    ],
)
def test_decide(severities: list[Severity], fail_on: Severity, verdict: Verdict) -> None:
    assert decide([_finding(severity=s) for s in severities], fail_on) is verdict


def test_block_exit_code() -> None:
    assert Verdict.BLOCK.exit_code == ExitCode.BLOCKED
    assert Verdict.WARN.exit_code == ExitCode.OK


def test_ignore_matches_rule_and_normalised_package() -> None:
    hit, other_rule, other_pkg = (
        _finding(package="Reqeusts"), _finding(rule="hook/pth-exec"), _finding(package="x"))
    outcome = apply_ignores([hit, other_rule, other_pkg], PolicyConfig(ignores=(_entry(),)), TODAY)
    assert outcome.kept == (other_rule, other_pkg)
    assert [i.finding for i in outcome.ignored] == [hit]
    assert outcome.ignored[0].entry.reason == "trusted internal fork"
    assert outcome.notices == ()


def test_version_specific_ignore_uses_pep440_equality() -> None:
    config = PolicyConfig(ignores=(_entry(rule="hook/network-fetch", version="1.0"),))
    same = _finding(rule="hook/network-fetch", version="1.0.0")
    newer = _finding(rule="hook/network-fetch", version="1.1")
    nameonly = _finding(rule="hook/network-fetch", version=None)
    outcome = apply_ignores([same, newer, nameonly], config, TODAY)
    assert outcome.kept == (newer, nameonly)


def test_entry_applies_through_its_expiry_day() -> None:
    config = PolicyConfig(ignores=(_entry(expires=TODAY),))
    assert apply_ignores([_finding()], config, TODAY).kept == ()


def test_expired_entry_stops_applying_and_says_so() -> None:
    config = PolicyConfig(ignores=(_entry(expires=TODAY - dt.timedelta(days=1)),))
    finding = _finding()
    outcome = apply_ignores([finding], config, TODAY)
    assert outcome.kept == (finding,) and outcome.ignored == ()
    (notice,) = outcome.notices
    assert "expired on 2026-11-27" in notice and "no longer applies" in notice
    assert "name/typosquat" in notice and "reqeusts" in notice and "safepip.toml" in notice
    assert decide(outcome.kept) is Verdict.BLOCK


def test_trusted_names_silence_only_typosquat_findings() -> None:
    config = PolicyConfig(trusted_names=frozenset({canonicalize_name("reqeusts")}))
    squat = _finding()
    malicious = _finding(rule="name/known-malicious", severity=Severity.CRITICAL)
    outcome = apply_ignores([squat, malicious], config, TODAY)
    assert outcome.kept == (malicious,)
    assert outcome.ignored[0].entry.reason == "listed in trusted-names"


def test_check_indexes_allows_listed_and_refuses_others() -> None:
    check_indexes(PolicyConfig(), ["https://anything.example/simple/"])
    config = PolicyConfig(allow_indexes=("https://pypi.org/simple",))
    check_indexes(config, ["https://pypi.org/simple/", "https://tok@PYPI.org/simple"])
    with pytest.raises(UsageError) as raised:
        check_indexes(config, ["https://user:secret@evil.example/simple/"])
    text = raised.value.diagnostics()
    assert "evil.example" in text and "secret" not in text and "allow-indexes" in text
