"""`safepip install`: vet, then hand the vetted files to pip."""

from __future__ import annotations

import argparse

from safepip.commands.common import add_fail_on, not_built


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install",
        allow_abbrev=False,
        usage="safepip install [options] [pip install options] [SPEC ...]",
        help="vet and install packages (takes pip install's arguments)",
        description="Resolve and vet everything pip would install, then install exactly the "
        "vetted files with pip.",
    )
    parser.add_argument("--yes", action="store_true", help="accept warnings without asking")
    add_fail_on(parser)
    parser.set_defaults(run=run, takes_pip_args=True)


def run(args: argparse.Namespace) -> int:
    return not_built("install")
