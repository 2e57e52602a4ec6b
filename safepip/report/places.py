"""Where a finding belongs, for formatters that point at files (SARIF, GitHub annotations).

Two places matter: the line of the input file (requirements, pyproject, lock file) that brought
the package in, which code-scanning tools can show in the repository; and, for findings inside a
downloaded artifact (install hooks, archive members), the member path and line inside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.findings import Finding
from safepip.report.interface import Report


@dataclass(frozen=True)
class Place:
    """A finding's position in the repository and, when it has one, inside an artifact."""

    input_path: str | None
    """Input file, POSIX-style and relative to the base directory when it lies below it."""
    input_line: int | None
    """1-based line in the input file, when known."""
    artifact: str | None = None
    """File name of the artifact the finding was seen in (hook and archive findings)."""
    member: str | None = None
    """Path of the member inside that artifact."""
    member_line: int | None = None
    """1-based line inside the member, when known."""
    candidates: tuple[str, ...] = ()
    """When no input line is known for the package and several inputs were read: all of them
    (`input_path` is then the first, an anchor only: code scanning refuses unlocated results)."""


def default_base() -> Path:
    """The repository root in GitHub Actions (paths in SARIF and annotations are relative to
    it, even when safepip runs in a subdirectory), else the working directory."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    return Path(workspace) if workspace else Path.cwd()


def relative_path(path: str, base: Path) -> str:
    """`path` (absolute, or relative to the working directory) relative to `base` when it lies
    below it, always with forward slashes; otherwise unchanged."""
    given = Path(path)
    try:
        return (Path.cwd() / given).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return given.as_posix()


def input_paths(report: Report, base: Path) -> list[str]:
    """The run's input files, relative and without duplicates, in order."""
    return list(dict.fromkeys(relative_path(p, base) for p in report.inputs))


def place_of(finding: Finding, report: Report, base: Path) -> Place:
    """Where `finding` belongs; see the module docstring."""
    inputs = input_paths(report, base)
    location = finding.location
    if location is not None and relative_path(location.path, base) in inputs:
        return Place(relative_path(location.path, base), location.line)
    origin = report.origins.get(canonicalize_name(finding.package))
    if origin is not None:
        path, line = relative_path(origin.path, base), origin.line
    elif inputs:
        # With one input, everything came from it; with several, the first is only an anchor.
        path, line = inputs[0], None
    else:
        path, line = None, None
    candidates = tuple(inputs) if origin is None and len(inputs) > 1 else ()
    if location is None:
        return Place(path, line, candidates=candidates)
    return Place(path, line, artifact_filename(finding, report), location.path, location.line,
                 candidates)


def context_sentence(place: Place) -> str:
    """Where the finding is beyond the input line: the artifact member, or the candidate inputs."""
    text = ""
    if place.member:
        line = f":{place.member_line}" if place.member_line else ""
        text += f" (in {place.member}{line} of {place.artifact or 'the artifact'})"
    if place.candidates:
        text += f" (brought in by one of: {', '.join(place.candidates)})"
    return text


def artifact_filename(finding: Finding, report: Report) -> str | None:
    """File name of the vetted artifact of the finding's package (and version, when given)."""
    name = canonicalize_name(finding.package)
    for package in report.packages:
        if package.name == name and (finding.version in (None, str(package.version))):
            return package.artifact.filename
    return None
