"""`safepip audit`: resolve and vet requirements or lock files; never installs."""

from __future__ import annotations

import argparse

from safepip.commands.common import add_fail_on, add_output, not_built


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "audit",
        allow_abbrev=False,
        usage="safepip audit [options] [pip install options] [SPEC ...]",
        help="vet requirements, pyproject or lock files without installing",
        description="Resolve and vet what the inputs would install; never installs.",
    )
    add_fail_on(parser)
    add_output(parser)
    parser.set_defaults(run=run, takes_pip_args=True)


def run(args: argparse.Namespace) -> int:
    return not_built("audit")
