"""The handoff's use of the cage: every vetted sdist becomes a wheel built confined, and pip
installs that wheel (pinned by its own hash) instead of building the sdist itself, unconfined.

A build whose cage saw an attempt (`dynamic/*`), or whose wheel the scan finds high or critical
install-time code in, stops the install: nothing is installed (exit 1).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from packaging.utils import parse_wheel_filename

from safepip.errors import ExitCode, SafepipError
from safepip.findings import Finding, Severity
from safepip.sandbox.cage import CageResult, build_confined, unconfined_allowed

if TYPE_CHECKING:
    from safepip.pip.handoff import VettedFile


class CageFindingsError(SafepipError):
    """What a confined build did, or what its wheel holds, blocks the install."""

    exit_code = ExitCode.BLOCKED


def build_sdists_confined(
    files: Sequence[VettedFile], *, vetted_dir: Path, python: str,
    environ: Mapping[str, str], stream: TextIO | None = None,
) -> list[VettedFile]:
    """`files` with each installed sdist replaced by the wheel built from it in the cage (the
    sdist leaves `vetted_dir`, the wheel enters it). Raises CageFindingsError on findings."""
    out = stream or sys.stderr
    result: list[VettedFile] = []
    for file in files:
        if file.build_dependency or file.filename.endswith(".whl"):
            result.append(file)
            continue
        built = build_confined(
            vetted_dir / file.filename, package=file.name, version=str(file.version),
            python=python, vetted_dir=vetted_dir, output_dir=vetted_dir / ".cage-built",
            allow_unconfined=unconfined_allowed(environ))
        _say(out, file, built)
        _stop_on_findings(file, built)
        if built.wheel is None:  # never: a build without a wheel and findings raises
            raise SafepipError(f"The cage built no wheel from {file.filename}.")
        result.append(_wheel_file(file, built.wheel, vetted_dir))
    return result


def _say(out: TextIO, file: VettedFile, built: CageResult) -> None:
    if built.enforced:
        out.write(f"safepip: built {file.name} {file.version} from source in a cage: "
                  + "; ".join(built.enforced) + ".\n")
    if built.missing:
        out.write("safepip: not enforced for that build: " + "; ".join(built.missing) + ".\n")
    out.flush()


def _stop_on_findings(file: VettedFile, built: CageResult) -> None:
    blocking = [f for f in built.findings
                if f.rule.startswith("dynamic/") or f.severity >= Severity.HIGH]
    if blocking:
        raise CageFindingsError(
            f"Building {file.filename} in the cage was stopped by what it did: "
            + " ".join(_sentence(f) for f in blocking[:10])
            + ("" if len(blocking) <= 10 else f" (and {len(blocking) - 10} more)"),
            hint="Nothing was installed. Do not install this package; report it to the "
                 "index if it is not yours.")


def _sentence(finding: Finding) -> str:
    return f"[{finding.severity.label} {finding.rule}] {finding.message}"


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
