"""The resolution reporter draws on a terminal and stays silent when piped."""

from __future__ import annotations

import io

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
