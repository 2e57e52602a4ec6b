"""`safepip db update|info`: the known-malicious advisory snapshot."""

from __future__ import annotations

import argparse

from safepip.commands.common import not_built


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db", help="refresh or describe the advisory snapshot",
        description="Manage the known-malicious release database.",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    update = actions.add_parser("update", help="download the newest OSV malicious-package records")
    update.add_argument("--url", help="OSV PyPI export zip to read instead of the default")
    update.set_defaults(run=run_update)
    info = actions.add_parser("info", help="show the snapshot's source, date and counts")
    info.set_defaults(run=run_info)


def run_update(args: argparse.Namespace) -> int:
    return not_built("db update")


def run_info(args: argparse.Namespace) -> int:
    return not_built("db info")
