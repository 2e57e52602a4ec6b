"""The one root error of safepip and the exit codes of the command-line contract.

Every error a user can see derives from `SafepipError` and carries a sentence saying what
happened and what to do next (`diagnostics()`); `cli.main` catches only this root.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Exit codes documented in DESIGN.md and README."""

    OK = 0
    """Nothing at or above the fail level."""
    BLOCKED = 1
    """Findings at or above the fail level blocked the run."""
    USAGE = 2
    """Bad argument, unparsable input file, or unsatisfiable requirements."""
    INCOMPLETE = 3
    """Vetting could not complete (network, index, archive): fail closed, nothing installed."""


class SafepipError(Exception):
    """Root of every error safepip reports to the user."""

    exit_code: ExitCode = ExitCode.INCOMPLETE
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """What happened and, when known, what to do next."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UsageError(SafepipError):
    """The command line itself is wrong."""

    exit_code = ExitCode.USAGE
    hint = "Run `safepip --help` for usage."


class InputError(SafepipError):
    """An input file (requirements, lock file, config) cannot be understood."""

    exit_code = ExitCode.USAGE

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(where + message, hint=hint)
        self.path = path
        self.line = line


class ResolutionImpossibleError(SafepipError):
    """The requirements cannot be satisfied together (user input, not a finding)."""

    exit_code = ExitCode.USAGE


class NetworkError(SafepipError):
    """The index or another server could not be reached or answered badly."""

    hint = "Check your network and index settings, then try again; nothing was installed."


class IndexPageError(NetworkError):
    """An index page or file was malformed, truncated, or missing."""


class ProjectNotFoundError(SafepipError):
    """Every configured index answered 404 for a project and no find-links location has it.

    Exit 3 as issue 2 asks: the plan could not be vetted, whatever the reason the name is absent.
    """

    exit_code = ExitCode.INCOMPLETE
    hint = "Check the name for typos and your --index-url / --extra-index-url / --find-links."

    def __init__(self, name: str, indexes: tuple[str, ...], *, message: str | None = None) -> None:
        where = ", ".join(indexes) or "no index (--no-index) and no find-links location"
        super().__init__(message or f"No project named {name!r} was found on {where}.")
        self.name = name
        self.indexes = indexes
        """The redacted index URLs and find-links locations that were asked."""


class HashMismatchError(SafepipError):
    """Downloaded bytes do not match the hash the index (or lock file) promised."""

    hint = "The file may have been tampered with in transit or on the index; nothing was installed."


class ArchiveError(SafepipError):
    """An archive could not be read safely."""


class CheckError(SafepipError):
    """A check could not run; its silence must never read as 'safe'."""
