"""The resolution reporter draws on a terminal and stays silent when piped."""

from __future__ import annotations

import io
import sys

import pytest
from packaging.version import Version
from rich.console import Console

from safepip.resolution.progress import TerminalReporter
from safepip.resolution.provider import Candidate


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with TerminalReporter(Console(file=stream, force_terminal=False)) as reporter:
        reporter.pinning(Candidate("demo", Version("1.0"), None))
    assert stream.getvalue() == ""


def test_counts_pins_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=80)
    with TerminalReporter(console) as reporter:
        reporter.pinning(Candidate("demo", Version("1.0"), None))
        reporter.pinning(Candidate("other", Version("2.0"), None))
        assert reporter._status is not None
        assert "2 pinned" in str(reporter._status.renderable.text)


def test_piped_stderr_needs_no_console(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with TerminalReporter() as reporter:
        reporter.pinning(Candidate("demo", Version("1.0"), None))
    assert reporter._console is None and reporter._status is None
    assert sys.stderr.getvalue() == ""  # type: ignore[attr-defined]


def test_a_forced_terminal_still_gets_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    reporter = TerminalReporter()
    assert reporter._console is not None and reporter._console.is_terminal
