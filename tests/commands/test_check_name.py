"""`safepip check-name`: offline, findings per name, exit code by the fail level."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from safepip.checks.advisories import load_snapshot
from safepip.cli import main

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "report-schema.json"


@pytest.fixture(autouse=True)
def _fresh_caches(isolated_home: Path) -> Iterator[None]:
    load_snapshot.cache_clear()
    yield
    load_snapshot.cache_clear()


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check-name", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_popular_name_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-name", "requests"]) == 0
    out = capsys.readouterr().out
    assert "ok  requests: no findings" in out and "verdict: allow" in out


def test_readme_example_blocks_on_the_two_squats(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, "requests", "urlib3", "jeIlyfish")
    assert code == 1 and report["verdict"] == "block"
    by_name = {f["package"]: f for f in report["findings"]}
    assert set(by_name) == {"urlib3", "jeilyfish"}
    assert by_name["urlib3"]["severity"] == "high" and "'urllib3'" in by_name["urlib3"]["message"]
    assert "confusable glyphs" in by_name["jeilyfish"]["message"]
    Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(report)


def test_fail_on_moves_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, "--fail-on", "critical", "urlib3")
    assert code == 0 and report["verdict"] == "warn"
    code, report = run_json(capsys, "--fail-on", "critical", "aaiohttp")
    assert code == 1
    assert {f["rule"] for f in report["findings"]} == {"name/known-malicious", "name/typosquat"}
    malicious = next(f for f in report["findings"] if f["rule"] == "name/known-malicious")
    assert malicious["severity"] == "critical" and malicious["evidence"].startswith("MAL-")


def test_name_with_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, "1337test==1")
    assert code == 1 and report["findings"][0]["version"] == "1"
    code, report = run_json(capsys, "1337test==2")
    assert code == 0 and report["findings"][0]["severity"] == "low"


@pytest.mark.parametrize("bad", ["not a name", "requests>=2", "requests[socks]==1",
                                 "requests==not-a-version", "pkg @ https://example.org/x.whl"])
def test_bad_arguments_are_usage_errors(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-name", bad]) == 2
    assert "error:" in capsys.readouterr().err


def test_report_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "names.txt"
    assert main(["check-name", "-o", str(target), "reqeusts"]) == 1
    assert capsys.readouterr().out == ""
    text = target.read_text(encoding="utf-8")
    assert "HIGH name/typosquat reqeusts" in text and "swapped letters" in text


def test_the_readme_command_as_a_process(tmp_path: Path) -> None:
    """The first command of the README, in a fresh interpreter, with no network at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "check-name", "requests", "urlib3", "jeIlyfish"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Checked offline against 14,985 popular projects")
    assert "ok  requests: no findings" in lines
    assert any(line.startswith("HIGH name/typosquat urlib3") for line in lines)
    assert lines[-1].startswith("verdict: block")
