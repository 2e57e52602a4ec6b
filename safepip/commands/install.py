"""`safepip install`: vet, then hand the vetted files to pip."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.commands.common import (
    add_fail_on,
    add_output,
    add_python,
    add_vetting_options,
    choose_environment,
)
from safepip.errors import ExitCode, SafepipError, UsageError

if TYPE_CHECKING:
    from safepip.findings import Finding, Location
    from safepip.pip.handoff import Handoff
    from safepip.pip.request import InstallRequest
    from safepip.pipeline import Vetting
    from safepip.resolution.environment import StartedProbe


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install",
        allow_abbrev=False,
        usage="safepip install [options] [pip install options] [SPEC ...]",
        help="vet and install packages (takes pip install's arguments)",
        description="Resolve and vet everything pip would install, then install exactly the "
        "vetted files with pip. Every pip install option is accepted (see `pip install "
        "--help`): options that change what is installed are interpreted by safepip, the "
        "others are passed to pip.",
    )
    add_python(parser, "to vet for and install into")
    parser.add_argument("--dry-run", action="store_true", help="vet and show the plan only")
    parser.add_argument("--yes", action="store_true", help="accept warnings without asking")
    parser.add_argument("--allow-unconfined-build", action="store_true",
                        help="build sdists even where the build cage is unavailable (unsafe)")
    add_fail_on(parser)
    add_output(parser)
    add_vetting_options(parser)
    parser.set_defaults(run=run, takes_pip_args=True)


def run(args: argparse.Namespace) -> int:
    from safepip.pip.request import parse_install_args
    from safepip.resolution.environment import start_probe

    _check_report_destination(args)
    request = parse_install_args(choose_environment(args), environ=os.environ)
    if args.allow_unconfined_build:  # read by the build cage (safepip.sandbox)
        os.environ["SAFEPIP_ALLOW_UNCONFINED_BUILD"] = "1"
    # Another interpreter is probed from now on, while the engine loads.
    with start_probe(request.target) or contextlib.nullcontext() as probe:
        return _vet_and_install(args, request, probe)


def _vet_and_install(
    args: argparse.Namespace, request: InstallRequest, probe: StartedProbe | None
) -> int:
    # The whole engine loads only when a command needs it (start-up time of the offline ones).
    from safepip.commands.vetting import load_policy, print_notices
    from safepip.pipeline import vet_request

    config = load_policy(args, os.environ)
    with (
        tempfile.TemporaryDirectory(prefix="safepip-") as workdir,
        _prepare_handoff(request, dry_run=args.dry_run) as prepared,
    ):
        vet = vet_request(request, config, Path(workdir), probe=probe)
        print_notices(vet)
        if not _report_to_stdout(args):
            _print_plan(vet)
        seen: list[Finding] = []  # what the build cage saw and found, for the report
        try:
            code = _decide_and_install(args, request, vet, prepared, seen)
        except SafepipError:  # stopped by the cage (or pip could not run): reported all the same
            _write_report(args, request, vet, seen, failing=True)
            raise
        _write_report(args, request, vet, seen)
        return code


def _decide_and_install(
    args: argparse.Namespace, request: InstallRequest, vet: Vetting, prepared: Handoff | None,
    seen: list[Finding],
) -> int:
    from safepip.commands.vetting import print_refusals
    from safepip.pipeline import handoff_obstacle
    from safepip.policy.consent import ask_consent
    from safepip.policy.verdict import Verdict

    if vet.verdict is Verdict.BLOCK:
        print_refusals(vet)
        sys.stderr.write("safepip: blocked; nothing was installed.\n")
        return int(ExitCode.BLOCKED)
    if args.dry_run:
        return int(ExitCode.OK)
    obstacle = handoff_obstacle(request, vet)
    if obstacle is not None:
        sys.stderr.write(f"safepip: {obstacle}\n")
        return int(ExitCode.INCOMPLETE)
    consent = ask_consent(
        vet.outcome.kept, fail_on=vet.fail_on, assume_yes=args.yes,
        is_tty=_can_ask(args.pip_args), stdin=sys.stdin, output=sys.stderr, listed=True,
    )
    if not consent.proceed:
        sys.stderr.write("safepip: not confirmed; nothing was installed.\n")
        return int(ExitCode.BLOCKED)
    return _handoff(vet, request, prepared, seen)


def _check_report_destination(args: argparse.Namespace) -> None:
    """A machine-readable report on standard output only when pip does not write there too."""
    if args.format != "text" and args.output is None and not args.dry_run:
        raise UsageError(
            f"--format {args.format} needs -o FILE when installing: pip writes its own output "
            "to standard output, which would mix with the report.",
            hint="Give -o FILE, or add --dry-run to get the report on standard output.")


def _report_to_stdout(args: argparse.Namespace) -> bool:
    return args.format != "text" and args.output is None


def _write_report(
    args: argparse.Namespace, request: InstallRequest, vet: Vetting, seen: list[Finding], *,
    failing: bool = False,
) -> None:
    """The plan's findings and what the build cage saw, in the chosen format, to -o FILE or
    (with --dry-run) standard output. Without --format or -o the text was printed as it went.
    `failing`: an error is on its way to the user; a report that cannot be written is then
    said, not raised in its place."""
    if args.format == "text" and args.output is None:
        return
    from dataclasses import replace

    from safepip.commands.common import emit
    from safepip.policy.verdict import Verdict, decide

    findings = (*vet.outcome.kept, *seen)
    verdict = Verdict.BLOCK if vet.verdict is Verdict.BLOCK else decide(findings, vet.fail_on)
    origins, inputs = _origins(request)
    report = replace(vet.report(origins, inputs), findings=findings, verdict=verdict)
    try:
        emit(report, args.format, args.output)
    except SafepipError as error:
        if not failing:
            raise
        sys.stderr.write(f"safepip: {error.diagnostics()}\n")
        return
    if args.output is not None:
        sys.stderr.write(f"safepip: {args.format} report written to {args.output} (verdict "
                         f"{verdict.value}, {len(findings)} finding(s)).\n")


def _origins(request: InstallRequest) -> tuple[dict[str, Location], list[str]]:
    """Requirements-file lines that brought each project in, and those files (for SARIF)."""
    from packaging.utils import canonicalize_name

    origins: dict[str, Location] = {}
    for line in request.requirements:
        if line.requirement is not None and not line.source.path.startswith("<"):
            origins.setdefault(canonicalize_name(line.requirement.name), line.source)
    return origins, list(dict.fromkeys(location.path for location in origins.values()))


def _can_ask(pip_args: list[str]) -> bool:
    """A terminal, unless `--no-input` was given on this command line (then never prompt).

    PIP_NO_INPUT is deliberately not read: a variable set long ago must not silently turn
    every safepip prompt into a warning that proceeds.
    """
    from safepip.pip.pipconfig import INSTALL_OPTIONS, split_args

    # Read with pip's option table, so `--no-inp` (an abbreviation pip accepts) counts too.
    given = {token.option.key for token in split_args(pip_args, INSTALL_OPTIONS, origin="")
             if not isinstance(token, str) and token.option is not None}
    return sys.stdin.isatty() and "--no-input" not in given


def _print_plan(vet: Vetting) -> None:
    from safepip.report.text import TextFormatter

    for requirement in vet.resolution.already_satisfied:
        sys.stdout.write(f"Requirement already satisfied: {requirement}\n")
    sys.stdout.write(TextFormatter(color=sys.stdout.isatty()).format(vet.report()))


def _prepare_handoff(
    request: InstallRequest, *, dry_run: bool
) -> contextlib.AbstractContextManager[Handoff | None]:
    from safepip.pipeline import prepare_handoff

    prepared = None if dry_run else prepare_handoff(request)
    return prepared if prepared is not None else contextlib.nullcontext()


def _handoff(
    vet: Vetting, request: InstallRequest, prepared: Handoff | None, seen: list[Finding]
) -> int:
    from safepip.pipeline import hand_off

    try:
        return hand_off(vet, request, prepared, seen)
    except KeyboardInterrupt:
        _report_interrupted_handoff(vet, request)
        return INTERRUPTED


INTERRUPTED = 130
"""A shell's exit status for a process ended by Ctrl-C (128 + SIGINT)."""


def _report_interrupted_handoff(vet: Vetting, request: InstallRequest) -> None:
    """Interrupted while pip was installing: say what pip had installed, as the environment
    itself now tells it, and how to undo it."""
    from safepip.errors import SafepipError
    from safepip.pipeline import installed_from_plan

    where = request.target.python or sys.executable
    try:
        done = installed_from_plan(request, vet)
    except (SafepipError, OSError) as error:
        sys.stderr.write(
            f"safepip: interrupted while pip was installing; reading back {where} failed "
            f"({error}). Check it with `safepip list --python {where}`.\n")
        return
    if not done:
        sys.stderr.write(
            f"safepip: interrupted while pip was installing; {where} holds none of the "
            "planned packages, so nothing is left to undo.\n")
        return
    names = " ".join(name for name, _ in done)
    listed = ", ".join(f"{name} {version}" for name, version in done)
    sys.stderr.write(
        f"safepip: interrupted while pip was installing; {where} now holds {listed} (read "
        f"back from the environment). To undo: safepip uninstall -y --python {where} "
        f"{names} (a package pip upgraded is not restored by uninstalling it; reinstall "
        "its earlier version).\n")
