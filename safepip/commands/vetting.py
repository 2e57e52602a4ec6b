"""The policy as the command line, configuration files and SAFEPIP_* variables give it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.catalog import catalog
from safepip.policy.config import PolicyConfig, load_config
from safepip.policy.cooldown import parse_duration

if TYPE_CHECKING:
    from safepip.pipeline import Vetting


def load_policy(args: argparse.Namespace, environ: Mapping[str, str]) -> PolicyConfig:
    """Configuration files and SAFEPIP_* variables, overridden by the command line."""
    config = load_config(Path.cwd(), environ, rules=catalog().keys(),
                         policy_file=args.policy)
    age = parse_duration(args.min_release_age) if args.min_release_age else None
    fail_on = args.fail_on if args.fail_on_given else None
    return config.with_cli(fail_on=fail_on, min_release_age=age)


def print_notices(vetting: Vetting) -> None:
    """What the policy has to say about itself (an expired ignore entry, ...)."""
    for notice in vetting.outcome.notices:
        sys.stderr.write(f"safepip: {notice}\n")


def print_refusals(vetting: Vetting) -> None:
    for text in vetting.refused:
        sys.stderr.write(
            f"safepip: refused {text!r}: an editable, local path, VCS or URL requirement is not "
            "served by an index, so safepip cannot vet it and would not install it. Install it "
            "from an index, or review it (`safepip scan PATH`) and install it with pip "
            "yourself.\n")


def print_verdict(vetting: Vetting, output: Path) -> None:
    """One line for a report written to a file: the verdict, the count, and where it went."""
    counted = [f for f in vetting.findings if f.severity >= vetting.fail_on]
    sys.stdout.write(
        f"safepip: verdict {vetting.verdict.value}: {len(vetting.resolution.packages)} "
        f"package(s), {len(vetting.findings)} finding(s), {len(counted)} at or above "
        f"{vetting.fail_on.name.lower()}; report written to {output}\n")
