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


def test_a_command_loads_only_its_own_module() -> None:
    """`check-name` starts in well under 0.3 s because install/audit (the resolver, the scanner)
    are never imported for it; `--help` still lists every command."""
    probe = (
        "import sys; from safepip.cli import main; code = main(['check-name', 'requests']); "
        "print(code, sorted(m for m in sys.modules if m.startswith('safepip.commands.')))"
    )
    result = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True,
                            check=True)
    code, _, loaded = result.stdout.strip().splitlines()[-1].partition(" ")
    assert code == "0"
    assert "safepip.commands.install" not in loaded and "safepip.commands.audit" not in loaded
    assert "safepip.commands.check_name" in loaded
    overview = subprocess.run([sys.executable, "-I", "-m", "safepip", "--help"],
                              capture_output=True, text=True, check=True).stdout
    assert all(name in overview for name in ("install", "audit", "scan", "check-name", "db"))
