"""The vetting flow shared by `install` and `audit`: policy, pipeline, ignores, verdict."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from safepip.config import PolicyConfig, load_config
from safepip.cooldown import parse_duration
from safepip.errors import UsageError
from safepip.findings import Finding, Location, Severity
from safepip.handoff import check_passthrough
from safepip.index.httpbase import HttpOptions
from safepip.pipeline import Pipeline, VetOptions, Vetting
from safepip.policy import IgnoreOutcome, Verdict, apply_ignores, check_indexes, decide
from safepip.report.interface import Report
from safepip.request import InstallRequest
from safepip.resolution.environment import StartedProbe
from safepip.resolution.locked import Pin


@dataclass(frozen=True)
class VetRun:
    """One vetting with the configured ignores applied."""

    vetting: Vetting
    outcome: IgnoreOutcome
    verdict: Verdict
    fail_on: Severity

    def report(self, origins: Mapping[str, Location] | None = None,
               inputs: Sequence[str] = ()) -> Report:
        return Report(
            verdict=self.verdict,
            packages=self.vetting.resolution.packages,
            findings=self.outcome.kept,
            origins=dict(origins or {}),
            inputs=tuple(inputs),
        )


def load_policy(args: argparse.Namespace, environ: Mapping[str, str]) -> PolicyConfig:
    """Configuration files and SAFEPIP_* variables, overridden by the command line."""
    config = load_config(Path.cwd(), environ, policy_file=args.policy)
    age = parse_duration(args.min_release_age) if args.min_release_age else None
    fail_on = args.fail_on if args.fail_on_given else None
    return config.with_cli(fail_on=fail_on, min_release_age=age)


def http_options(request: InstallRequest) -> HttpOptions:
    """pip's network options (`--cert`, `--timeout`, ...) reach safepip's session too."""
    values = _passthrough_values(request.passthrough)
    try:
        timeout = float(values["--timeout"]) if "--timeout" in values else 30.0
        retries = int(values["--retries"]) if "--retries" in values else 3
    except ValueError:
        raise UsageError("--timeout and --retries take numbers.") from None
    return HttpOptions(
        read_timeout=timeout, retries=retries, use_cache="--no-cache-dir" not in values,
        trusted_hosts=request.index.trusted_hosts, cert=values.get("--cert"),
        client_cert=values.get("--client-cert"),
    )


def _passthrough_values(passthrough: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, argument in enumerate(passthrough):
        option, equals, value = argument.partition("=")
        if option in {"--timeout", "--retries", "--cert", "--client-cert"}:
            if not equals and index + 1 < len(passthrough):
                value = passthrough[index + 1]
            values[option] = value
        elif argument == "--no-cache-dir":
            values[argument] = ""
    return values


def uploaded_before(request: InstallRequest, config: PolicyConfig) -> dt.datetime | None:
    """The strictest of `--min-release-age` and pip's `--uploaded-prior-to`."""
    limits = []
    if config.min_release_age is not None:
        limits.append(dt.datetime.now(dt.UTC) - config.min_release_age)
    if request.uploaded_prior_to is not None:
        prior = request.uploaded_prior_to
        limits.append(prior if prior.tzinfo else prior.replace(tzinfo=dt.UTC))
    return min(limits) if limits else None


def run_vetting(
    request: InstallRequest, config: PolicyConfig, workdir: Path,
    pins: Sequence[Pin] | None = None, findings: Sequence[Finding] = (),
    probe: StartedProbe | None = None,
) -> VetRun:
    """Vet the request (or the pins, taken as locked) and apply the configured ignores.

    `probe`: the target interpreter's probe, started early (`environment.start_probe`)."""
    # allow-indexes covers every place files may come from, find-links included.
    check_indexes(config, (*request.index.index_urls, *request.index.find_links))
    check_passthrough(request.passthrough)  # refuse unvettable pip options before any work
    http = http_options(request)
    options = VetOptions(
        workdir=workdir, fail_on=config.fail_on, http=http,
        uploaded_before=uploaded_before(request, config), caches=http.use_cache,
    )
    with Pipeline(options) as pipeline:
        vetting = (
            pipeline.vet(request, probe) if pins is None
            else pipeline.vet_pins(pins, request, findings)
        )
    outcome = apply_ignores(vetting.findings, config, dt.date.today())
    for notice in outcome.notices:
        sys.stderr.write(f"safepip: {notice}\n")
    return VetRun(vetting, outcome, decide(outcome.kept, config.fail_on), config.fail_on)
