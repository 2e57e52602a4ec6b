"""The resolvelib provider: requirements, candidates and dependencies, nothing more.

Identifiers are normalised names, with `[extras]` for a project wanted with extras (as pip does,
an extras candidate depends on the plain candidate of the same version), and `<python>` for the
target's Requires-Python.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement as Pep508Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib.providers import AbstractProvider

from safepip.index.models import DistributionFile
from safepip.resolution.core_metadata import MetadataInvalidError, StaticMetadata
from safepip.resolution.environment import InstalledProject, TargetEnvironment
from safepip.resolution.finder import is_pinned

if TYPE_CHECKING:
    from resolvelib.structs import RequirementInformation

    from safepip.resolution.catalog import Catalog

logger = logging.getLogger(__name__)

PYTHON_IDENTIFIER = "<python>"


@dataclass(frozen=True)
class Requirement:
    """A need for some version of a project (or of Python itself)."""

    name: str
    specifier: SpecifierSet
    extras: frozenset[NormalizedName] = frozenset()
    requested_by: str = "the command line"
    """Who asked: `the command line`, a file:line, or `name version`."""
    allowed_hashes: frozenset[str] | None = None
    """sha256 digests allowed by `--hash` options, if any were given."""

    @property
    def identifier(self) -> str:
        return identifier_for(self.name, self.extras)

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}{self.specifier}"


@dataclass(frozen=True)
class Candidate:
    """One version of one project, backed by one file (or by the installed copy)."""

    name: str
    version: Version
    file: DistributionFile | None = field(compare=False)
    extras: frozenset[NormalizedName] = frozenset()
    installed: InstalledProject | None = field(default=None, compare=False)

    @property
    def identifier(self) -> str:
        return identifier_for(self.name, self.extras)


def identifier_for(name: str, extras: frozenset[NormalizedName]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@dataclass
class ProviderState:
    """What the provider learns while resolving, read back after the resolution."""

    metadata: dict[tuple[str, Version], StaticMetadata] = field(default_factory=dict)
    dependencies: dict[tuple[str, Version], set[NormalizedName]] = field(default_factory=dict)


class SafepipProvider(AbstractProvider[Requirement, Candidate, str]):
    def __init__(
        self,
        catalog: Catalog,
        environment: TargetEnvironment,
        *,
        constraints: Mapping[str, SpecifierSet],
        upgradable: frozenset[str] | None,
        no_deps: bool = False,
    ) -> None:
        self.catalog = catalog
        self.environment = environment
        self.constraints = constraints
        self.upgradable = upgradable
        """Names whose installed copy need not be kept; None means every name (eager/ignore)."""
        self.no_deps = no_deps
        self.state = ProviderState()
        # resolvelib re-checks every pin against every requirement after each round (quadratic
        # in the number of projects); a specifier's answer for a version never changes.
        self._satisfied: dict[tuple[int, Version], bool] = {}
        self._specifiers: dict[int, SpecifierSet] = {}
        """Keeps each memoised specifier alive, so its id() is never reused within the run."""

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Requirement, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Requirement, Candidate]],
    ) -> Any:
        # As pip: Python first, then pinned, then what caused backtracking, then by name.
        infos = list(information[identifier])
        pinned = any(is_pinned(info.requirement.specifier) for info in infos)
        causes = {cause.requirement.identifier for cause in backtrack_causes}
        return (identifier != PYTHON_IDENTIFIER, not pinned, identifier not in causes, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        wanted = list(requirements[identifier])
        if identifier == PYTHON_IDENTIFIER:
            python = self.environment.python_version
            ok = all(r.specifier.contains(python, prereleases=True) for r in wanted)
            return [Candidate(PYTHON_IDENTIFIER, python, None)] if ok else []
        name = canonicalize_name(wanted[0].name)
        extras = frozenset().union(*(r.extras for r in wanted))
        specifier = SpecifierSet()
        for requirement in wanted:
            specifier &= requirement.specifier
        specifier &= self.constraints.get(name, SpecifierSet())
        hashes = _allowed_hashes(wanted)
        bad = {c.version for c in incompatibilities[identifier]}
        keep = self._keeps_installed(name)
        found = self.catalog.candidates(name, specifier, hashes, extras, keep)
        matches = [c for c in found if c.version not in bad]
        if matches and matches[0].file is not None:
            self.catalog.prefetch(matches[0].file)
        return matches

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        if not self._contains(requirement.specifier, candidate.version):
            return False
        if requirement.allowed_hashes is None or candidate.file is None:
            return True
        return (candidate.file.sha256 or "") in requirement.allowed_hashes

    def _contains(self, specifier: SpecifierSet, version: Version) -> bool:
        key = (id(specifier), version)
        answer = self._satisfied.get(key)
        if answer is None:
            answer = specifier.contains(version, prereleases=True)
            self._specifiers.setdefault(id(specifier), specifier)
            self._satisfied[key] = answer
        return answer

    def get_dependencies(self, candidate: Candidate) -> Iterable[Requirement]:
        if candidate.name == PYTHON_IDENTIFIER:
            return []
        try:
            metadata = self.catalog.metadata(candidate)
        except MetadataInvalidError as error:
            # As pip: a release with invalid metadata is skipped, not fatal. An unsatisfiable
            # need on Python makes resolvelib reject this candidate and try the next one.
            logger.warning("skipping %s %s: %s", candidate.name, candidate.version, error.message)
            reason = f"{_who(candidate)} (invalid metadata, skipped)"
            return [Requirement(PYTHON_IDENTIFIER, SpecifierSet("<0"), requested_by=reason)]
        self.state.metadata[(candidate.name, candidate.version)] = metadata
        needs: list[Requirement] = []
        if candidate.extras:
            exact = SpecifierSet(f"=={candidate.version}")
            needs.append(Requirement(candidate.name, exact, requested_by=_who(candidate)))
        if metadata.requires_python is not None and not candidate.extras:
            needs.append(Requirement(PYTHON_IDENTIFIER, metadata.requires_python,
                                     requested_by=_who(candidate)))
        if not self.no_deps:
            needs.extend(self._dependencies(candidate, metadata))
        names = {canonicalize_name(r.name) for r in needs if r.name != PYTHON_IDENTIFIER}
        names.discard(canonicalize_name(candidate.name))
        self.catalog.prefetch_pages(names)
        self.state.dependencies.setdefault((candidate.name, candidate.version), set()).update(names)
        return needs

    def _dependencies(self, candidate: Candidate, metadata: StaticMetadata) -> list[Requirement]:
        result = []
        for dependency in metadata.requires_dist:
            if not self._applies(dependency, candidate.extras):
                continue
            result.append(Requirement(
                canonicalize_name(dependency.name), dependency.specifier,
                frozenset(canonicalize_name(e) for e in dependency.extras), _who(candidate),
            ))
        return result

    def _applies(self, dependency: Pep508Requirement, extras: frozenset[NormalizedName]) -> bool:
        """Base candidates take unconditional deps; extras candidates only their extras' deps."""
        if dependency.marker is None:
            return not extras
        environment = dict(self.environment.markers)
        if not extras:
            return dependency.marker.evaluate({**environment, "extra": ""})
        if dependency.marker.evaluate({**environment, "extra": ""}):
            return False  # the base candidate already brings it
        return any(dependency.marker.evaluate({**environment, "extra": e}) for e in extras)

    def _keeps_installed(self, name: str) -> bool:
        return self.upgradable is not None and name not in self.upgradable


def _who(candidate: Candidate) -> str:
    return f"{candidate.name} {candidate.version}"


def _allowed_hashes(requirements: Iterable[Requirement]) -> frozenset[str] | None:
    allowed: frozenset[str] | None = None
    for requirement in requirements:
        if requirement.allowed_hashes is not None:
            allowed = requirement.allowed_hashes if allowed is None else (
                allowed & requirement.allowed_hashes
            )
    return allowed
