"""Subcommands. Each module offers `add_parser(subparsers)`; its parser sets `run`.

Only the command that runs is imported: `check-name` must start in well under 0.3 s, and the
install and audit modules pull in the resolver, the scanner and rich.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol


class Command(Protocol):
    def add_parser(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        ...


def _install() -> Command:
    from safepip.commands import install

    return install


def _audit() -> Command:
    from safepip.commands import audit

    return audit


def _scan() -> Command:
    from safepip.commands import scan

    return scan


def _check_name() -> Command:
    from safepip.commands import check_name

    return check_name


def _db() -> Command:
    from safepip.commands import db

    return db


COMMANDS: dict[str, Callable[[], Command]] = {
    "install": _install,
    "audit": _audit,
    "scan": _scan,
    "check-name": _check_name,
    "db": _db,
}
"""Each command's name and how to load its module, in the order `--help` lists them."""


def load(names: list[str]) -> list[Command]:
    """The modules of the named commands; all of them when `names` is empty (for `--help`)."""
    return [COMMANDS[name]() for name in (names or list(COMMANDS))]
