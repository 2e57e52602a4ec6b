"""Command-line entry point: parse arguments, dispatch to a command, map errors to exit codes.

Each subcommand lives in `safepip.commands.<name>` with `add_parser(subparsers)` and
`run(args) -> int`; this module knows nothing about what they do.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from safepip import __version__
from safepip.commands import COMMANDS
from safepip.errors import ExitCode, SafepipError
from safepip.index.redact import redact_text

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safepip",
        description="Vet what pip would install - names, releases, install hooks - before "
        "anything runs, then hand the vetted files to pip.",
    )
    parser.add_argument("--version", action="version", version=f"safepip {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="log what safepip does (credentials are redacted)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(args_list)
        if extras and not getattr(args, "takes_pip_args", False):
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
    except SystemExit as exit_request:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_request.code or 0)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    # install/audit take pip's own arguments: whatever safepip does not know passes on in order.
    args.pip_args = extras
    if args.command is None:
        parser.print_help()
        return int(ExitCode.USAGE)
    try:
        return int(args.run(args))
    except SafepipError as error:
        _print_error(redact_text(error.diagnostics()))
        return int(error.exit_code)
    except KeyboardInterrupt:
        _print_error("Interrupted; nothing was installed.")
        return 130


def _print_error(text: str) -> None:
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(text)}")
