"""`safepip install`: vet, then hand the vetted files to pip."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.commands.common import add_fail_on, add_vetting_options
from safepip.errors import ExitCode

if TYPE_CHECKING:
    from safepip.commands.vetting import VetRun
    from safepip.handoff import Handoff
    from safepip.request import InstallRequest
    from safepip.resolution.environment import StartedProbe


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install",
        allow_abbrev=False,
        usage="safepip install [options] [pip install options] [SPEC ...]",
        help="vet and install packages (takes pip install's arguments)",
        description="Resolve and vet everything pip would install, then install exactly the "
        "vetted files with pip. Every pip install option is accepted.",
    )
    parser.add_argument("--dry-run", action="store_true", help="vet and show the plan only")
    parser.add_argument("--yes", action="store_true", help="accept warnings without asking")
    parser.add_argument("--allow-unconfined-build", action="store_true",
                        help="build sdists even where the build cage is unavailable (unsafe)")
    add_fail_on(parser)
    add_vetting_options(parser)
    parser.set_defaults(run=run, takes_pip_args=True)


def run(args: argparse.Namespace) -> int:
    from safepip.request import parse_install_args
    from safepip.resolution.environment import start_probe

    request = parse_install_args(args.pip_args, environ=os.environ)
    if args.allow_unconfined_build:  # read by the build cage (safepip.sandbox)
        os.environ["SAFEPIP_ALLOW_UNCONFINED_BUILD"] = "1"
    # Another interpreter is probed from now on, while the engine loads.
    with start_probe(request.target) or contextlib.nullcontext() as probe:
        return _vet_and_install(args, request, probe)


def _vet_and_install(
    args: argparse.Namespace, request: InstallRequest, probe: StartedProbe | None
) -> int:
    # The whole engine loads only when a command needs it (start-up time of the offline ones).
    from safepip.commands.vetting import load_policy, run_vetting
    from safepip.consent import ask_consent
    from safepip.policy import Verdict

    config = load_policy(args, os.environ)
    with (
        tempfile.TemporaryDirectory(prefix="safepip-") as workdir,
        _prepare_handoff(request, dry_run=args.dry_run) as prepared,
    ):
        vet = run_vetting(request, config, Path(workdir), probe=probe)
        _print_plan(vet)
        if vet.verdict is Verdict.BLOCK:
            sys.stderr.write("safepip: blocked; nothing was installed.\n")
            return int(ExitCode.BLOCKED)
        if args.dry_run:
            return int(ExitCode.OK)
        consent = ask_consent(
            vet.outcome.kept, fail_on=vet.fail_on, assume_yes=args.yes,
            is_tty=_can_ask(args.pip_args), stdin=sys.stdin, output=sys.stderr,
        )
        if not consent.proceed:
            sys.stderr.write("safepip: not confirmed; nothing was installed.\n")
            return int(ExitCode.BLOCKED)
        return _handoff(vet, request, prepared)


def _can_ask(pip_args: list[str]) -> bool:
    """A terminal, unless `--no-input` was given on this command line (then never prompt).

    PIP_NO_INPUT is deliberately not read: a variable set long ago must not silently turn
    every safepip prompt into a warning that proceeds.
    """
    return sys.stdin.isatty() and "--no-input" not in pip_args


def _print_plan(vet: VetRun) -> None:
    from safepip.report.text import TextFormatter

    for requirement in vet.vetting.resolution.already_satisfied:
        sys.stdout.write(f"Requirement already satisfied: {requirement}\n")
    sys.stdout.write(TextFormatter(color=sys.stdout.isatty()).format(vet.report()))


def _prepare_handoff(
    request: InstallRequest, *, dry_run: bool
) -> contextlib.AbstractContextManager[Handoff | None]:
    """The handoff, with pip started now so that its start-up overlaps the vetting (it is told
    what to install only after the verdict). None for a dry run, or when preparing fails:
    then the handoff is prepared after the verdict and any error is reported there, as
    before."""
    from safepip.errors import SafepipError
    from safepip.handoff import Handoff

    if dry_run:
        return contextlib.nullcontext()
    try:
        return Handoff(
            python=request.target.python or sys.executable, passthrough=_passthrough(request),
            environ=os.environ, start_pip=True,
        )
    except SafepipError:
        return contextlib.nullcontext()


def _handoff(vet: VetRun, request: InstallRequest, prepared: Handoff | None) -> int:
    from safepip.handoff import VettedFile, handoff

    files = [
        VettedFile(
            name=p.name, version=p.version, filename=p.artifact.filename,
            sha256=vet.vetting.hashes[(p.name, str(p.version))],
            build_dependency=p.build_dependency, path=vet.vetting.files[(p.name, str(p.version))],
        )
        for p in vet.vetting.resolution.packages
    ]
    if prepared is not None:
        return prepared.install(files)
    return handoff(
        files, python=request.target.python or sys.executable,
        passthrough=_passthrough(request), environ=os.environ,
    )


def _passthrough(request: InstallRequest) -> list[str]:
    return [*request.passthrough, *_where_args(request)]


def _where_args(request: InstallRequest) -> list[str]:
    """Where-to-install options safepip interpreted; the interpreter is handed over apart."""
    args = request.handoff_args()
    if "--python" in args:
        at = args.index("--python")
        del args[at:at + 2]
    return args
