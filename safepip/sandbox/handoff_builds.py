"""The handoff's use of the cage: every vetted sdist becomes a wheel built confined, and pip
installs that wheel (pinned by its own hash) instead of building the sdist itself, unconfined.

What the cage saw (`dynamic/*`) and what the scan of each built wheel found are findings like all
others: the caller's judge (the pipeline's: the user's `ignore` entries, then `--fail-on`; the
`dynamic/*` rules are high, so by default they block) gives the verdict and the report. A
blocking verdict stops the install: nothing is installed (exit 1). The report is written either
way; it comes after the user's consent to the plan, so below the fail level it is shown, not
asked about.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from packaging.utils import parse_wheel_filename

from safepip.errors import ExitCode, SafepipError
from safepip.findings import Finding
from safepip.sandbox.cage import CageBuildError, CageResult, build_confined, unconfined_allowed

if TYPE_CHECKING:
    from safepip.pip.handoff import VettedFile


class CageFindingsError(SafepipError):
    """What a confined build did, or what its wheel holds, blocks the install."""

    exit_code = ExitCode.BLOCKED


@dataclass(frozen=True)
class CageVerdict:
    """The policy's word on what the builds did and what their wheels hold."""

    blocking: tuple[str, ...]
    """Rule ids at or above the fail level that were not ignored; empty: go on."""
    report: str
    """The findings that count, as the user's formatter writes them ("" when none)."""
    notices: tuple[str, ...] = ()
    """What the policy says about itself (an expired ignore entry, ...)."""


Judge = Callable[[Sequence[Finding]], CageVerdict]


def build_sdists_confined(
    files: Sequence[VettedFile], *, vetted_dir: Path, python: str,
    environ: Mapping[str, str], judge: Judge, stream: TextIO | None = None,
) -> list[VettedFile]:
    """`files` with each installed sdist replaced by the wheel built from it in the cage (the
    sdist leaves `vetted_dir`, the wheel enters it). Every build runs first; then `judge` rules
    on all their findings at once. Raises CageFindingsError when they block."""
    out = stream or sys.stderr
    result: list[VettedFile] = []
    findings: list[Finding] = []
    unbuilt: list[str] = []
    for file in files:
        if file.build_dependency or file.filename.endswith(".whl"):
            result.append(file)
            continue
        built = build_confined(
            vetted_dir / file.filename, package=file.name, version=str(file.version),
            python=python, vetted_dir=vetted_dir, output_dir=vetted_dir / ".cage-built",
            allow_unconfined=unconfined_allowed(environ), config_settings=file.config_settings)
        _say(out, file, built)
        findings.extend(built.findings)
        if built.wheel is None:  # a failed build with findings: they are judged first
            unbuilt.append(file.filename)
        else:
            result.append(_wheel_file(file, built.wheel, vetted_dir))
    _stop_on_findings(judge(findings), out)
    if unbuilt:  # findings the policy accepts never turn a failed build into a dropped package
        raise CageBuildError(
            f"Building {', '.join(unbuilt)} in the cage failed and gave no wheel.",
            hint="Install a wheel of it instead. Nothing was installed.")
    return result


def _stop_on_findings(verdict: CageVerdict, out: TextIO) -> None:
    for notice in verdict.notices:
        out.write(f"safepip: {notice}\n")
    if verdict.report:
        out.write("safepip: what the cage saw building from source, and the scan of the built "
                  "wheels:\n" + verdict.report)
    out.flush()
    if verdict.blocking:
        raise CageFindingsError(
            "Building from source in the cage was stopped by what it did or what its wheel "
            f"holds ({', '.join(verdict.blocking)}; the findings are listed above).",
            hint="Nothing was installed. Do not install this package; report it to the "
                 "index if it is not yours.")


def _say(out: TextIO, file: VettedFile, built: CageResult) -> None:
    if built.enforced:
        out.write(f"safepip: built {file.name} {file.version} from source in a cage: "
                  + "; ".join(built.enforced) + ".\n")
    if built.missing:
        out.write("safepip: not enforced for that build: " + "; ".join(built.missing) + ".\n")
    out.flush()


def _wheel_file(sdist: VettedFile, wheel: Path, vetted_dir: Path) -> VettedFile:
    from safepip.pip.handoff import VettedFile

    name, version, _, _ = parse_wheel_filename(wheel.name)
    if name != sdist.name or version != sdist.version:
        raise CageFindingsError(
            f"Building {sdist.filename} produced {wheel.name}, a different project or version; "
            "nothing was installed.")
    placed = vetted_dir / wheel.name
    wheel.replace(placed)
    (vetted_dir / sdist.filename).unlink(missing_ok=True)  # pip must not pick the sdist
    with placed.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    return VettedFile(name=sdist.name, version=sdist.version, filename=wheel.name,
                      sha256=digest, path=placed)
