"""Subcommands. Each module offers `add_parser(subparsers)`; its parser sets `run`."""

from __future__ import annotations

import argparse
from typing import Protocol

from safepip.commands import audit, check_name, db, install, scan


class Command(Protocol):
    def add_parser(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        ...


COMMANDS: tuple[Command, ...] = (install, audit, scan, check_name, db)
