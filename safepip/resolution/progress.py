"""Resolution progress through resolvelib's reporter hooks: a live line on a terminal only."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING

from resolvelib import BaseReporter

from safepip.resolution.provider import PYTHON_IDENTIFIER, Candidate, Requirement

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

_RICH_OVERRIDES = ("FORCE_COLOR", "FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
"""Variables with which rich may treat a non-TTY stream as a terminal: then rich decides."""


class TerminalReporter(BaseReporter[Requirement, Candidate, str]):
    """Shows how many projects are pinned and which one is being looked at (stderr, TTY only)."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console if console is not None else _stderr_console()
        self._status: Status | None = None
        self._pinned: set[str] = set()

    def __enter__(self) -> TerminalReporter:
        if self._console is not None and self._console.is_terminal:
            self._status = self._console.status("Resolving...")
            self._status.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()

    def pinning(self, candidate: Candidate) -> None:
        if candidate.name == PYTHON_IDENTIFIER or self._status is None:
            return
        self._pinned.add(candidate.name)
        self._status.update(
            f"Resolving: {len(self._pinned)} pinned, now {candidate.name} {candidate.version}"
        )


def _stderr_console() -> Console | None:
    """rich's Console on stderr, or None when stderr is piped (rich is not even imported then:
    it costs ~0.1 s a process and would draw nothing)."""
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive and not any(name in os.environ for name in _RICH_OVERRIDES):
        return None
    from rich.console import Console

    return Console(stderr=True)
