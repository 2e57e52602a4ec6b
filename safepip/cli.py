"""Command-line entry point: parse arguments, dispatch to a command, map errors to exit codes.

Each subcommand lives in `safepip.commands.<name>` with `add_parser(subparsers)` and
`run(args) -> int`; this module knows nothing about what they do.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess  # nosec B404
import sys
from collections.abc import Sequence

from safepip import __version__
from safepip.commands import COMMANDS, load
from safepip.errors import ExitCode, SafepipError
from safepip.redact import redact_text

logger = logging.getLogger(__name__)

PIP_COMMANDS = frozenset({
    "uninstall", "freeze", "inspect", "list", "show", "check", "config", "search", "cache",
    "index", "hash", "completion", "debug", "help",
})
"""pip commands that install nothing: passed straight to pip, so `alias pip=safepip` is drop-in."""
UNVETTED_PIP_COMMANDS = frozenset({"download", "wheel", "lock"})
"""pip commands that may build sdists (running their code) with nothing vetted: refused."""

ALIAS_HELP = """\
Use safepip in place of pip:
  alias pip='safepip'
`pip install ...` is then vetted before anything runs; other pip commands (list, show,
uninstall, freeze, ...) are passed to pip unchanged. Note: `python -m pip install ...` runs pip
itself and bypasses the alias; use `safepip install ...` (or `python -m safepip install ...`).
"""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """safepip's parser; with `command`, only that subcommand's module is loaded (start-up)."""
    parser = argparse.ArgumentParser(
        prog="safepip",
        description="Vet what pip would install - names, releases, install hooks - before "
        "anything runs, then hand the vetted files to pip.",
        epilog=ALIAS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"safepip {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="log what safepip does (credentials are redacted)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in load([command] if command in COMMANDS else []):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if _pip_command(args_list) in PIP_COMMANDS | UNVETTED_PIP_COMMANDS:
        return run_pip_command(args_list)
    parser = build_parser(_pip_command(args_list))
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
    except Exception as error:  # fail closed: a crash is never a verdict
        logger.debug("internal error", exc_info=True)
        _print_error(redact_text(
            f"safepip failed unexpectedly ({type(error).__name__}: {error}); vetting did not "
            "complete and nothing was installed. Run with --debug for details and report it."
        ))
        return int(ExitCode.INCOMPLETE)


def _print_error(text: str) -> None:
    from rich.console import Console  # only when there is an error to show (start-up time)
    from rich.markup import escape

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(text)}")


def _pip_command(args: Sequence[str]) -> str | None:
    """The pip command named by `args` (first word that is not an option), if any."""
    words = _without_python_option(args)[1]
    return next((word for word in words if not word.startswith("-")), None)


def _without_python_option(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """Split off `--python PATH` / `--python=PATH`; the rest is for pip."""
    rest: list[str] = []
    python: str | None = None
    items = iter(args)
    for item in items:
        if item == "--python":
            python = next(items, None)
        elif item.startswith("--python="):
            python = item.partition("=")[2]
        else:
            rest.append(item)
    return python, rest


def run_pip_command(args: Sequence[str]) -> int:
    """Run a non-install pip command unchanged (`--python PATH` picks the interpreter)."""
    from safepip.pip.handoff import resolve_interpreter  # loaded only when pip is passed through
    from safepip.pip.process import pip_argv, without_working_directory

    python, rest = _without_python_option(args)
    command = _pip_command(rest)
    if command in UNVETTED_PIP_COMMANDS:
        _print_error(
            f"`pip {command}` can build sdists and so run package code that safepip has not "
            f"vetted. Vet first with `safepip audit ...`; if you accept the risk, run "
            f"`python -m pip {command} ...` yourself."
        )
        return int(ExitCode.USAGE)
    from pathlib import Path

    from safepip.resolution.environment import discover_environment

    chosen = discover_environment(python, os.environ, Path.cwd(), isolated="--isolated" in rest)
    sys.stderr.write(chosen.describe() + "\n")
    sys.stderr.flush()
    argv = pip_argv(resolve_interpreter(chosen.python), rest)
    logger.debug("passing through to pip: %s", rest)
    try:
        # An argv list (never a shell string) naming pip; the arguments are the user's own.
        return subprocess.run(  # nosec B603
            argv, env=without_working_directory(os.environ), check=False
        ).returncode
    except OSError as error:
        _print_error(f"Cannot run {argv[0]}: {error.strerror}. Check the --python path.")
        return int(ExitCode.USAGE)
