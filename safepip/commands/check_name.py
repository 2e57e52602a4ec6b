"""`safepip check-name`: offline name checks (typosquat, known-malicious)."""

from __future__ import annotations

import argparse

from safepip.commands.common import add_fail_on, add_output, not_built


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check-name",
        help="check project names for typosquatting and known-malicious releases (offline)",
        description="Check names against popular projects and the malicious-release database.",
    )
    add_fail_on(parser)
    add_output(parser, ("text", "json"))
    parser.add_argument("names", nargs="+", metavar="NAME")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return not_built("check-name")
