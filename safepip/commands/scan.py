"""`safepip scan`: static install-hook scan of local sdists, wheels or directories."""

from __future__ import annotations

import argparse

from safepip.commands.common import add_fail_on, add_output, not_built


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan sdists, wheels or unpacked directories for install-time code",
        description="Statically scan artifacts for install-time behaviour; nothing is executed.",
    )
    add_fail_on(parser)
    add_output(parser)
    parser.add_argument("paths", nargs="+", metavar="PATH|URL")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return not_built("scan")
