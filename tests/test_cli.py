"""The command-line skeleton: version, help for every subcommand, usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from safepip import __version__
from safepip.cli import main

SUBCOMMANDS = ["install", "audit", "scan", "check-name", "db", "db update", "db info"]


def test_version_via_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"safepip {__version__}"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command.split(), "--help"]) == 0
    assert "usage: safepip" in capsys.readouterr().out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "x", "--no-such-option"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_an_unexpected_crash_exits_3_not_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 means 'blocked by findings'; a crash must never read as a verdict."""
    import safepip.commands.scan as scan

    def explode(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(scan, "run", explode)
    assert main(["scan", "whatever"]) == 3
    assert "failed unexpectedly" in capsys.readouterr().err
