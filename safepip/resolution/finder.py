"""Which files of a project may be installed in the target, best first (pip's PackageFinder).

Mirrors pip's choices so that safepip vets what pip would have picked: wheel tag priority,
Requires-Python, yanked files (PEP 592), pre-releases, `--only-binary/--no-binary/--prefer-binary`,
and, where asked, a release-age cooldown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from safepip.index.models import DistributionFile
from safepip.pip.request import FormatControl, ReleaseControl
from safepip.policy.cooldown import uploaded_by
from safepip.resolution.environment import TargetEnvironment

logger = logging.getLogger(__name__)

SortKey = tuple[int, int, Version, int, tuple[int, str] | tuple[()]]


@dataclass(frozen=True)
class FinderPolicy:
    """The user's choices that narrow which files are acceptable."""

    environment: TargetEnvironment
    formats: FormatControl = field(default_factory=FormatControl)
    allow_prereleases: bool = False
    uploaded_before: dt.datetime | None = None
    """Cooldown: files uploaded after this (or of unknown age) are refused."""
    releases: ReleaseControl | None = None
    """pip 26's per-project `--all-releases` / `--only-final` (`--pre` is `:all:`)."""


@dataclass(frozen=True)
class FileChoice:
    """An acceptable file, with the key pip would sort it by."""

    version: Version
    file: DistributionFile
    sort_key: SortKey


class CandidateFinder:
    """Turns a project's files into acceptable (version, file) choices, best first."""

    def __init__(self, policy: FinderPolicy) -> None:
        self.policy = policy
        self._tag_rank = policy.environment.tag_priority()

    def acceptable(
        self, name: NormalizedName, files: Iterable[DistributionFile]
    ) -> list[FileChoice]:
        """Every file that could be installed in the target, in no particular order."""
        choices = []
        for file in files:
            choice = self._evaluate(name, file)
            if choice is not None:
                choices.append(choice)
        return choices

    def best_per_version(
        self,
        choices: Sequence[FileChoice],
        specifier: SpecifierSet,
        allowed_hashes: frozenset[str] | None = None,
        name: str | None = None,
    ) -> list[FileChoice]:
        """The best file of each version matching `specifier`, best version first.

        As pip: pre-releases only with --pre, an explicit pre-release specifier, or when
        nothing else matches; yanked files only when every match is yanked and pinned.
        """
        if allowed_hashes is not None:
            choices = [c for c in choices if (c.file.sha256 or "") in allowed_hashes]
        prereleases = self._prereleases(name)
        versions = set(specifier.filter({c.version for c in choices}, prereleases=prereleases))
        matching = [c for c in choices if c.version in versions]
        if not (matching and all(c.file.is_yanked for c in matching) and is_pinned(specifier)):
            matching = [c for c in matching if not c.file.is_yanked]
        best: dict[Version, FileChoice] = {}
        # pip walks its ascending, stable sort backwards, so among equal keys the file listed
        # last wins; `sorted(reverse=True)` would keep the first and vet another file than pip.
        for choice in reversed(sorted(matching, key=lambda c: c.sort_key)):
            best.setdefault(choice.version, choice)
        return list(best.values())

    def _prereleases(self, name: str | None) -> bool | None:
        """True/False when the user decided for this project, None for PEP 440's default."""
        decided = self.policy.releases.allows_prereleases(name) if (
            self.policy.releases is not None and name is not None) else None
        if decided is not None:
            return decided
        return True if self.policy.allow_prereleases else None

    def _evaluate(self, name: NormalizedName, file: DistributionFile) -> FileChoice | None:
        parsed = self._parse_filename(name, file.filename)
        if parsed is None:
            return None
        version, tag_rank, build = parsed
        if tag_rank is None or not self._format_allowed(name, file) or not self._python_ok(file):
            return None
        if not self._old_enough(file):
            return None
        return FileChoice(version, file, self._sort_key(name, file, version, tag_rank, build))

    def _parse_filename(
        self, name: NormalizedName, filename: str
    ) -> tuple[Version, int | None, tuple[int, str] | tuple[()]] | None:
        """Version, tag rank (None: not installable here) and build tag; None if not `name`."""
        try:
            if filename.endswith(".whl"):
                wheel_name, version, build, file_tags = parse_wheel_filename(filename)
                ranks = [self._tag_rank[t] for t in file_tags if t in self._tag_rank]
                rank = min(ranks) if ranks else None
                return (version, rank, build) if wheel_name == name else None
            sdist_name, version = parse_sdist_filename(filename)
        except (InvalidWheelFilename, InvalidSdistFilename):
            logger.debug("ignoring file with an unparsable name: %s", filename)
            return None
        # An sdist ranks below every wheel: one past the least preferred tag.
        return (version, len(self._tag_rank), ()) if sdist_name == name else None

    def _format_allowed(self, name: NormalizedName, file: DistributionFile) -> bool:
        formats = self.policy.formats
        if file.kind == "wheel":
            return formats.allows_wheel(name)
        return formats.allows_sdist(name)

    def _python_ok(self, file: DistributionFile) -> bool:
        if not file.requires_python:
            return True
        try:
            specifier = SpecifierSet(file.requires_python)
        except InvalidSpecifier:
            return True  # pip ignores an invalid data-requires-python
        return specifier.contains(self.policy.environment.python_version, prereleases=True)

    def _old_enough(self, file: DistributionFile) -> bool:
        limit = self.policy.uploaded_before
        # Fail closed: a file whose age the index does not tell cannot pass a cooldown.
        return limit is None or uploaded_by(file.upload_time, limit)

    def _sort_key(
        self, name: NormalizedName, file: DistributionFile, version: Version,
        tag_rank: int, build: tuple[int, str] | tuple[()],
    ) -> SortKey:
        # pip's CandidateEvaluator._sort_key: (not yanked, binary preference, version,
        # tag priority, build tag); sdists rank below every compatible wheel.
        yank_value = -1 if file.is_yanked else 0
        prefers_binary = self.policy.formats.prefer_binary
        binary_preference = 1 if (prefers_binary and file.kind == "wheel") else 0
        return (yank_value, binary_preference, version, -tag_rank, build)


def is_pinned(specifier: SpecifierSet) -> bool:
    """`==X` (without a wildcard) or `===X`: the only case pip takes yanked files."""
    for spec in specifier:
        if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")):
            return True
    return False
