"""Name checks over a resolved plan: findings for transitive names reach `safepip audit` JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safepip.checks.advisories import load_snapshot
from safepip.checks.names import data_summary, default_name_checks
from safepip.cli import main
from tests.kit.archives import make_wheel


def test_default_checks_cover_both_rules() -> None:
    rules = {f.rule for c in default_name_checks() for f in c.check_name("aaiohttp", None)}  # type: ignore[arg-type]
    assert rules == {"name/known-malicious", "name/typosquat"}
    assert "14,985 popular projects" in data_summary()


def test_transitive_squat_and_malicious_release_reach_the_audit_report(
    tmp_path: Path, index_server, isolated_home: Path,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_snapshot.cache_clear()
    wheels = [
        make_wheel(tmp_path, "goodlib", "1.0", requires_dist=["reqeusts", "1337test"]),
        make_wheel(tmp_path, "reqeusts", "1.0"),
        make_wheel(tmp_path, "1337test", "1"),  # MAL-2024-4720 lists exactly version 1
    ]
    server = index_server(wheels)
    code = main(["audit", "--format", "json", "--index-url", server.index_url, "goodlib"])
    report = json.loads(capsys.readouterr().out)
    found = {(f["rule"], f["package"], f["version"], f["severity"]) for f in report["findings"]}
    assert ("name/typosquat", "reqeusts", "1.0", "high") in found
    assert ("name/known-malicious", "1337test", "1", "critical") in found
    assert code == 1 and report["verdict"] == "block"


def test_a_requested_malicious_name_stops_before_resolution(
    tmp_path: Path, index_server, isolated_home: Path,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_snapshot.cache_clear()
    server = index_server([make_wheel(tmp_path, "aaiohttp", "1.0")])
    code = main(["audit", "--format", "json", "--index-url", server.index_url, "aaiohttp"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert any(f["rule"] == "name/known-malicious" and f["severity"] == "critical"
               for f in report["findings"])
