"""Options and output plumbing shared by several subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from safepip.errors import UsageError
from safepip.findings import Severity
from safepip.policy.config import DEFAULT_FAIL_ON
from safepip.report.interface import Formatter, Report

FORMATS = ("text", "json", "sarif", "github")


class _FailOnAction(argparse.Action):
    """Stores the severity and remembers it was given, so it can override configuration."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
        values: object, option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.fail_on_given = True


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        type=_severity,
        action=_FailOnAction,
        default=DEFAULT_FAIL_ON,
        metavar="{info,low,medium,high,critical}",
        help="lowest severity that blocks (default: high, or the configured `fail-on`)",
    )
    parser.set_defaults(fail_on_given=False)


def add_output(parser: argparse.ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument("--format", choices=formats, default="text", help="report format")
    parser.add_argument("-o", "--output", type=Path, help="write the report to FILE")


def add_vetting_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-release-age", metavar="DURATION",
        help="refuse files uploaded more recently than this (e.g. 7d, 12h)",
    )
    parser.add_argument(
        "--policy", type=Path, metavar="FILE",
        help="read the policy from FILE instead of pyproject.toml/safepip.toml discovery",
    )


def add_python(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--python", metavar="PYTHON",
        help=f"the environment {what} (an interpreter or an environment directory); default: "
        "the active VIRTUAL_ENV, else a .venv in this directory or a parent, else the "
        "python on PATH",
    )


def choose_environment(args: argparse.Namespace) -> list[str]:
    """Discover the environment, name it on the first line of output, and return the pip
    arguments with that environment made explicit (`--python`), so every later step - pip's
    config files, the resolution, the handoff - acts on the same one."""
    import os

    from safepip.resolution.environment import discover_environment

    chosen = discover_environment(args.python, os.environ, Path.cwd(),
                                  isolated="--isolated" in args.pip_args)
    sys.stderr.write(chosen.describe() + "\n")
    sys.stderr.flush()
    return ["--python", chosen.python, *args.pip_args]


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def formatter_for(name: str) -> Formatter:
    # Imported here: start-up of offline commands should not pay for every formatter.
    if name == "json":
        from safepip.report.json import JsonFormatter

        return JsonFormatter()
    if name == "text":
        from safepip.report.text import TextFormatter

        return TextFormatter(color=sys.stdout.isatty())
    if name == "sarif":
        from safepip.report.sarif import SarifFormatter

        return SarifFormatter()
    if name == "github":
        from safepip.report.github import GithubFormatter

        return GithubFormatter()
    raise UsageError(f"There is no {name!r} report format.",
                     hint="Use --format text, json, sarif or github.")


def emit(report: Report, format_name: str, output: Path | None) -> None:
    """Render the report and write it to FILE or standard output."""
    write_output(formatter_for(format_name).format(report), output)


def write_output(text: str, output: Path | None) -> None:
    """Write a rendered report to FILE, or to standard output when no file is given."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"Cannot write the report to {output}: {error.strerror}.") from None
