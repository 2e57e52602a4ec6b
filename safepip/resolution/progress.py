"""Resolution progress through resolvelib's reporter hooks: a live line on a terminal only."""

from __future__ import annotations

from types import TracebackType

from resolvelib import BaseReporter
from rich.console import Console
from rich.status import Status

from safepip.resolution.provider import PYTHON_IDENTIFIER, Candidate, Requirement


class TerminalReporter(BaseReporter[Requirement, Candidate, str]):
    """Shows how many projects are pinned and which one is being looked at (stderr, TTY only)."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._status: Status | None = None
        self._pinned: set[str] = set()

    def __enter__(self) -> TerminalReporter:
        if self._console.is_terminal:
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

