"""Issue 13 item 6: errors that say what is really wrong, with the README's exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.cli import main
from tests.kit.archives import make_wheel
from tests.kit.index_server import FileOptions, IndexServer

Factory = Callable[..., IndexServer]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("args", [["audit", "--fail-onn", "medium", "six"],
                                  ["install", "--frobnicate", "six"]])
def test_unknown_options_are_usage_errors_before_any_request(
    args: list[str], tmp_path: Path, index_server: Factory,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "six", "1.0")])
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, *args, "--python", str(Path(__import__("sys").executable)),
                        "--index-url", server.index_url)
    assert code == 2, err
    assert "Unknown option" in err and args[1] in err
    assert server.requests == []


def test_a_missing_file_is_file_not_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "audit", "requirments.txt", "--no-index")
    assert code == 2
    assert "File not found: requirments.txt" in err and "did you mean" not in err.lower()


def test_no_matching_version_is_not_called_yanked(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dist = tmp_path / "dist"
    old = make_wheel(dist, "orchard", "0.9")
    server = index_server([old, make_wheel(dist, "orchard", "2.0")],
                          file_options={old.name: FileOptions(yanked="broken")})
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "audit", "orchard>=99", "--index-url", server.index_url)
    assert code == 2
    flat = " ".join(err.split())
    assert "yanked" not in flat
    assert "no release of orchard on the index matches >=99; the newest there is 2.0" in flat


def test_a_release_needing_a_newer_python_says_so(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dist = tmp_path / "dist"
    old = make_wheel(dist, "orchard", "0.9")
    new = make_wheel(dist, "orchard", "5.0", requires_python=">=3.99")
    server = index_server([old, new], file_options={
        old.name: FileOptions(yanked=""), new.name: FileOptions(requires_python=">=3.99")})
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "audit", "orchard>=5", "--index-url", server.index_url)
    assert code == 2
    flat = " ".join(err.split())
    assert "yanked" not in flat
    assert "orchard 5.0 requires Python >=3.99, and the target runs Python 3." in flat


def test_a_wrong_hash_exits_3_as_the_readme_says(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "orchard", "1.0")])
    monkeypatch.chdir(tmp_path)
    Path("req.txt").write_text("orchard==1.0 --hash=sha256:" + "0" * 64 + "\n")
    code, _, err = _run(capsys, "install", "--dry-run", "-r", "req.txt",
                        "--index-url", server.index_url)
    assert code == 3, err
    assert "hash" in err.lower()


def test_an_ignore_entry_with_an_unknown_rule_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("safepip.toml").write_text(
        '[[ignore]]\nrule = "name/typoquat"\npackage = "x"\nreason = "r"\n')
    code, _, err = _run(capsys, "audit", "six", "--no-index")
    assert code == 2
    assert "name/typoquat" in err and "name/typosquat" in err


def test_safepip_toml_accepts_the_tool_safepip_header(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "orchard", "1.0")])
    monkeypatch.chdir(tmp_path)
    Path("safepip.toml").write_text('[tool.safepip]\nfail-on = "critical"\n')
    code, _, err = _run(capsys, "audit", "orchard", "--index-url", server.index_url)
    assert code == 0, err


def test_output_to_a_file_still_prints_the_verdict(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "orchard", "1.0")])
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "audit", "orchard", "--index-url", server.index_url,
                        "--format", "json", "-o", "report.json")
    assert code == 0
    assert "verdict allow" in out and "report.json" in out
    assert json.loads(Path("report.json").read_text())["verdict"] == "allow"


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, flag)
    assert code == 0 and out.startswith("safepip ")


@pytest.mark.parametrize("name", ["discord.py", "flufl.lock"])
def test_project_names_that_end_like_files_are_still_names(
    name: str, tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", name, "1.0")])
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "audit", name, "--index-url", server.index_url)
    assert code == 0, err
    assert "File not found" not in err


@pytest.mark.parametrize("name", ["uv.lock", "requirements-dev.in", "pyproject.toml",
                                  "./vendor/pkg", "tool.py.lock"])
def test_missing_input_files_are_file_not_found(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "install", "--dry-run", "--no-index", name)
    assert code == 2
    assert f"File not found: {name}" in " ".join(err.split())
