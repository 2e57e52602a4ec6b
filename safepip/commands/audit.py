"""`safepip audit`: resolve and vet requirements, pyproject or lock files; never installs."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.commands.common import (
    add_fail_on,
    add_output,
    add_python,
    add_vetting_options,
    choose_environment,
    emit,
)
from safepip.errors import UsageError

if TYPE_CHECKING:
    from safepip.findings import Finding, Location
    from safepip.inputs import InputFormat
    from safepip.inputs.models import LockedPackage
    from safepip.pip.request import InstallRequest
    from safepip.pip.requirement_line import RequirementLine
    from safepip.policy.config import PolicyConfig
    from safepip.resolution.environment import InstalledProject, StartedProbe
    from safepip.resolution.locked import Pin
    from safepip.resolution.models import ResolvedPackage


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "audit",
        allow_abbrev=False,
        usage="safepip audit [options] [-r FILE]... [LOCKFILE|pyproject.toml]... [SPEC ...]",
        help="vet requirements, pyproject or lock files without installing",
        description="Resolve and vet what the inputs would install; never installs. Lock files "
        "(pylock.toml, uv.lock, poetry.lock, pdm.lock) and fully hash-pinned requirements files "
        "are vetted as locked, without re-resolving.",
    )
    add_fail_on(parser)
    add_output(parser)
    add_vetting_options(parser)
    add_python(parser, "whose markers and wheel tags to audit for (what is installed there "
               "never shortens the audit)")
    parser.add_argument("--input-format", metavar="FORMAT",
                        help="read every positional FILE as FORMAT: requirements, pyproject, "
                        "pylock, uv.lock, poetry.lock or pdm.lock (default: by file name)")
    parser.add_argument("--group", action="append", default=[], metavar="GROUP",
                        help="with pyproject.toml or a lock file: include this dependency group")
    parser.add_argument("--extra", action="append", default=[], metavar="EXTRA",
                        help="with pyproject.toml or a lock file: include this extra")
    parser.set_defaults(run=run, takes_pip_args=True)


@dataclass
class _Inputs:
    pip_args: list[str] = field(default_factory=list)
    requirements: list[RequirementLine] = field(default_factory=list)
    locked: list[LockedPackage] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    """Files given with -r/-c (read by pip's parser): inputs too, even when they list nothing."""
    named_sources: list[LockedPackage] = field(default_factory=list)
    """poetry.lock packages whose `[package.source]` names an index of their own."""


def run(args: argparse.Namespace) -> int:
    # The whole engine loads only when a command needs it (start-up time of the offline ones).
    from safepip.commands.vetting import load_policy
    from safepip.inputs.detect import parse_format
    from safepip.pip.request import parse_install_args
    from safepip.resolution.environment import start_probe

    if args.input_format:
        args.input_format = parse_format(args.input_format)
    config = load_policy(args, os.environ)
    pip_args = choose_environment(args)
    inputs = _read_inputs(args, pip_args)
    request = parse_install_args(inputs.pip_args, environ=os.environ)
    # The target interpreter is probed from now on, while the inputs are read and vetted.
    with start_probe(request.target) or contextlib.nullcontext() as probe:
        return _audit(args, config, inputs, request, probe)


def _audit(
    args: argparse.Namespace, config: PolicyConfig, inputs: _Inputs, request: InstallRequest,
    probe: StartedProbe | None,
) -> int:
    from safepip.commands.vetting import print_notices, print_refusals, print_verdict
    from safepip.pipeline import vet_installed, vet_request

    # An audit describes its inputs, never what happens to be installed anywhere: the whole
    # tree is planned as pip's --ignore-installed would plan it.
    request = replace(_with_requirements(request, inputs.requirements), ignore_installed=True)
    selects_nothing = not request.requirements and not inputs.locked
    if selects_nothing and not (inputs.files or inputs.named):
        vet, installed = vet_installed(request, config, probe)
        _say_what_was_checked(installed.recorded, installed.unrecorded)
    else:
        if selects_nothing:
            # Input files that select nothing are audited as they are (an empty plan), never
            # swapped for the environment's packages.
            named = ", ".join(inputs.files + inputs.named)
            sys.stderr.write(f"safepip: no packages to audit in {named} (dependency groups and "
                             "extras are selected with --group and --extra).\n")
        _check_named_sources(request, inputs.named_sources)
        pins, findings = _pins(request, inputs)
        with tempfile.TemporaryDirectory(prefix="safepip-") as workdir:
            vet = vet_request(request, config, Path(workdir), pins, findings, probe)
    print_notices(vet)
    print_refusals(vet)
    origins = _origins(request.requirements, inputs.locked)
    files = [*inputs.files, *sorted({r.source.path for r in request.requirements
                                     if not r.source.path.startswith("<")})]
    emit(vet.report(origins, files), args.format, args.output)
    if args.output is not None:  # the report went to the file: the verdict is still said here
        print_verdict(vet, args.output)
    return int(vet.verdict.exit_code)


def _read_inputs(args: argparse.Namespace, pip_args: list[str]) -> _Inputs:
    """Positional lock files and pyproject.toml are read here; all else goes to pip's parser.

    The arguments are split by pip's own option table (`pipconfig.INSTALL_OPTIONS`), the one
    every reader uses, so an option's value is never taken for an input file."""
    from safepip.inputs import read_lock, read_pyproject
    from safepip.pip.pipconfig import INSTALL_OPTIONS, split_args

    inputs = _Inputs()
    specs: list[str] = []
    for token in split_args(pip_args, INSTALL_OPTIONS, origin="safepip audit"):
        if not isinstance(token, str):
            inputs.pip_args += token.raw
            if token.option is not None and token.option.key in ("--requirement", "--constraint"):
                inputs.named.append(token.value or "")
            continue
        fmt = _positional_format(token, args)
        if fmt is None:
            specs.append(token)
            continue
        inputs.files.append(token)
        if fmt == "requirements":
            inputs.pip_args += ["-r", token]
        elif fmt == "pyproject":
            inputs.requirements += read_pyproject(Path(token), extras=args.extra,
                                                  groups=args.group)
        else:
            locked = read_lock(Path(token), fmt, extras=args.extra, groups=args.group)
            inputs.locked += locked
            if fmt == "poetry.lock":  # Poetry records a source only for a non-default index
                inputs.named_sources += [p for p in locked if p.index_url]
    if specs:  # after `--`, so that pip's parser takes none of them for an option
        inputs.pip_args += ["--", *specs]
    return inputs


def _positional_format(argument: str, args: argparse.Namespace) -> InputFormat | None:
    from safepip.inputs import detect_format, input_file_format

    if not Path(argument).is_file():
        return None
    return detect_format(Path(argument), args.input_format) if args.input_format else (
        input_file_format(argument)
    )


def _say_what_was_checked(
    recorded: Sequence[ResolvedPackage], unrecorded: Sequence[InstalledProject]
) -> None:
    sys.stderr.write(f"safepip: {len(recorded)} installed distributions checked from their "
                     "recorded files (RECORD)")
    if unrecorded:
        names = ", ".join(f"{p.name} {p.version}" for p in unrecorded)
        sys.stderr.write(f"; {len(unrecorded)} without a RECORD could not be: {names}")
    sys.stderr.write(".\n")




def _check_named_sources(request: InstallRequest, packages: Sequence[LockedPackage]) -> None:
    """A poetry.lock package locked from a private or extra index (`[package.source]`) is
    vetted only when that index is one this run reads (`--index-url`, `--extra-index-url` or
    pip's config, with pip's trust and credential rules): never from another index in its
    place, where a same-named public project may wait."""
    from safepip.policy.config import normalize_index_url
    from safepip.redact import redact_url

    configured = {normalize_index_url(u) for u in request.index.index_urls}
    missing: dict[str, list[str]] = {}
    for package in packages:
        url = package.index_url or ""
        if normalize_index_url(url) not in configured:
            missing.setdefault(redact_url(url), []).append(f"{package.name} {package.version}")
    if missing:
        url, names = next(iter(sorted(missing.items())))
        raise UsageError(
            f"poetry.lock takes {', '.join(names)} from the index {url} (its "
            "`[package.source]`), which this audit was not given, so it cannot be vetted from "
            "where it was locked; safepip never vets it from another index in its place.",
            hint=f"Add `--extra-index-url {url}` (credentials as pip takes them: in the URL, "
            "netrc or keyring), or set it in pip's config, then run the audit again.",
        )


def _with_requirements(
    request: InstallRequest, extra: Sequence[RequirementLine]
) -> InstallRequest:
    if not extra:
        return request
    return replace(request, requirements=(*request.requirements, *extra))


def _pins(request: InstallRequest, inputs: _Inputs) -> tuple[list[Pin] | None, list[Finding]]:
    from safepip.resolution.locked import pins_from_lock, pins_from_requirements

    if inputs.locked:
        if request.requirements:
            raise UsageError(
                "Lock files are vetted as locked and cannot be mixed with requirements to "
                "resolve in one run.", hint="Audit the lock file and the requirements separately.",
            )
        return pins_from_lock(inputs.locked)
    return pins_from_requirements(request.requirements), []


def _origins(
    requirements: Sequence[RequirementLine], locked: Sequence[LockedPackage]
) -> dict[str, Location]:
    from packaging.utils import canonicalize_name

    origins: dict[str, Location] = {}
    for line in requirements:
        if line.requirement is not None and not line.source.path.startswith("<"):
            origins.setdefault(canonicalize_name(line.requirement.name), line.source)
    for package in locked:
        origins.setdefault(package.name, package.source)
    return origins
