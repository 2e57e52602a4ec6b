"""`safepip check-name`: offline name checks (typosquat, known-malicious).

Each argument is a project name, or `NAME==VERSION` to also match that release against the
malicious-package reports. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import re

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.commands.common import add_fail_on, add_output, formatter_for, write_output
from safepip.errors import UsageError
from safepip.findings import Finding
from safepip.policy.verdict import decide
from safepip.report.interface import Report

_NAME_ARG = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:==\s*(?P<version>\S+))?"
)
"""A PEP 508 project name, optionally pinned with `==`."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check-name",
        help="check project names for typosquatting and known-malicious releases (offline)",
        description="Check names against popular projects and the malicious-release database. "
        "Give NAME, or NAME==VERSION to also check that release.",
    )
    add_fail_on(parser)
    add_output(parser, ("text", "json"))
    parser.add_argument("names", nargs="+", metavar="NAME")
    parser.set_defaults(run=run)


def parse_name(text: str) -> tuple[NormalizedName, Version | None]:
    """`NAME` or `NAME==VERSION`; anything else is a usage error (exit 2).

    A regular expression rather than packaging's requirement parser: check-name starts often
    and only needs these two forms (PEP 508 names)."""
    match = _NAME_ARG.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"{text!r} is not a project name: give NAME or NAME==VERSION.")
    name, version = match.group("name"), match.group("version")
    try:
        return canonicalize_name(name), Version(version) if version else None
    except InvalidVersion:
        raise UsageError(f"{text!r}: {version!r} is not a valid version.") from None


def check(names: list[tuple[NormalizedName, Version | None]]) -> list[Finding]:
    """Both name checks over every name, in argument order."""
    from safepip.checks.names import default_name_checks

    checks = default_name_checks()
    return [f for name, version in names for c in checks for f in c.check_name(name, version)]


def run(args: argparse.Namespace) -> int:
    names = [parse_name(text) for text in args.names]
    findings = check(names)
    verdict = decide(findings, args.fail_on)
    report = Report(verdict=verdict, findings=tuple(findings))
    text = formatter_for(args.format).format(report)
    if args.format == "text":
        text = _preamble(args.names, names, findings) + text
    write_output(text, args.output)
    return int(verdict.exit_code)


def _preamble(typed: list[str], names: list[tuple[NormalizedName, Version | None]],
              findings: list[Finding]) -> str:
    from safepip.checks.names import data_summary

    flagged = {f.package for f in findings}
    lines = [data_summary()]
    lines += [f"note {text}: compared as {name} (PEP 503 normalised form)"
              for text, (name, _) in zip(typed, names, strict=True)
              if text.split("==")[0].strip() != name]
    lines += [f"ok  {name}{'==' + str(version) if version else ''}: no findings"
              for name, version in names if name not in flagged]
    return "\n".join(lines) + "\n"
