"""Resolve an InstallRequest into a plan, with build dependencies, never running package code."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement as Pep508Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

from safepip.errors import HashMismatchError, ResolutionImpossibleError
from safepip.findings import Finding, Severity
from safepip.index.client import IndexClient
from safepip.index.filenames import standard_name_version
from safepip.pip.request import InstallRequest
from safepip.pip.requirement_line import RequirementLine
from safepip.resolution.catalog import Catalog
from safepip.resolution.environment import TargetEnvironment
from safepip.resolution.fetch import MetadataFetcher
from safepip.resolution.finder import CandidateFinder, FinderPolicy
from safepip.resolution.findings import dynamic_metadata_findings, multiple_index_findings
from safepip.resolution.history import project_histories
from safepip.resolution.metadata_cache import MetadataCache
from safepip.resolution.models import Resolution, ResolvedPackage
from safepip.resolution.provider import (
    PYTHON_IDENTIFIER,
    Candidate,
    ProviderState,
    Requirement,
    SafepipProvider,
)

if TYPE_CHECKING:
    from safepip.index.lazy_session import SessionLike
    from safepip.resolution.locked import Pin


MAX_ROUNDS = 200_000
MAX_BUILD_DEPTH = 4
"""Build dependencies of build dependencies that are themselves sdists, at most this deep."""


@dataclass(frozen=True)
class ResolveOutcome:
    """The plan, plus the whole files resolution already downloaded (URL -> local path)."""

    resolution: Resolution
    downloads: dict[str, Path]


@dataclass(frozen=True)
class _Roots:
    requirements: tuple[Requirement, ...]
    constraints: dict[str, SpecifierSet]
    findings: tuple[Finding, ...]


def resolve_request(
    request: InstallRequest,
    *,
    client: IndexClient,
    session: SessionLike,
    environment: TargetEnvironment,
    workdir: Path,
    reporter: BaseReporter[Requirement, Candidate, str] | None = None,
    finder_policy: FinderPolicy | None = None,
    metadata_cache: MetadataCache | None = None,
    on_download: Callable[[Path], None] | None = None,
) -> ResolveOutcome:
    """Resolve the request for `environment`; sdists' build requirements are resolved too."""
    if request.ignore_installed:
        environment = dataclasses.replace(environment, installed={})
    policy = finder_policy or FinderPolicy(
        environment, request.formats, request.pre, releases=request.releases
    )
    fetcher = MetadataFetcher(
        client, session, workdir, cache=metadata_cache, on_download=on_download
    )
    try:
        catalog = Catalog(client, CandidateFinder(policy), fetcher, environment)
        roots = _roots(request, environment)
        runtime, already = _run(catalog, environment, roots, request, reporter)
        build = _build_dependencies(catalog, environment, runtime, reporter)
        packages = (*runtime, *build)
        findings = (
            *roots.findings,
            *dynamic_metadata_findings(catalog, packages),
            *multiple_index_findings(catalog, packages, request.index.index_urls),
        )
        resolution = Resolution(packages, findings, already,
                                histories=project_histories(catalog, packages))
        return ResolveOutcome(resolution, fetcher.downloaded())
    finally:
        fetcher.close()


def resolve_pins(
    pins: Sequence[Pin],
    *,
    request: InstallRequest,
    client: IndexClient,
    session: SessionLike,
    environment: TargetEnvironment,
    workdir: Path,
    finder_policy: FinderPolicy | None = None,
    metadata_cache: MetadataCache | None = None,
    on_download: Callable[[Path], None] | None = None,
) -> ResolveOutcome:
    """Take locked pins as they are (no resolution); only sdists' build needs are resolved."""
    from safepip.resolution.locked import plan_from_pins  # lock-file readers: this path only

    policy = finder_policy or FinderPolicy(
        environment, request.formats, request.pre, releases=request.releases
    )
    fetcher = MetadataFetcher(
        client, session, workdir, cache=metadata_cache, on_download=on_download
    )
    try:
        catalog = Catalog(client, CandidateFinder(policy), fetcher, environment)
        catalog.prefetch_pages(pin.name for pin in pins)  # one round trip, not one per pin
        pinned, findings = plan_from_pins(pins, catalog, environment)
        build = _build_dependencies(catalog, environment, pinned, None)
        packages = (*pinned, *build)
        findings.extend(multiple_index_findings(catalog, packages, request.index.index_urls))
        resolution = Resolution(packages, tuple(findings),
                                histories=project_histories(catalog, packages))
        return ResolveOutcome(resolution, fetcher.downloaded())
    finally:
        fetcher.close()


def _roots(request: InstallRequest, environment: TargetEnvironment) -> _Roots:
    requirements: list[Requirement] = []
    findings: list[Finding] = []
    for line in request.requirements:
        if not line.vettable_from_index or line.requirement is None:
            findings.append(_unvettable(line))
        elif _marker_applies(line.requirement, environment):
            requirements.append(_root_requirement(line, line.requirement))
    constraints: dict[str, SpecifierSet] = {}
    for line in request.constraints:
        if line.requirement is not None and _marker_applies(line.requirement, environment):
            name = canonicalize_name(line.requirement.name)
            constraints[name] = constraints.get(name, SpecifierSet()) & line.requirement.specifier
    return _Roots(tuple(requirements), constraints, tuple(findings))


def _root_requirement(line: RequirementLine, parsed: Pep508Requirement) -> Requirement:
    sha256 = frozenset(h.split(":", 1)[1].lower() for h in line.hashes if h.startswith("sha256:"))
    where = line.source.path + (f":{line.source.line}" if line.source.line else "")
    if where == "<command line>":
        where = "the command line"
    return Requirement(
        canonicalize_name(parsed.name), parsed.specifier,
        frozenset(canonicalize_name(e) for e in parsed.extras), where,
        sha256 if line.hashes else None,
    )


def _unvettable(line: RequirementLine) -> Finding:
    name = canonicalize_name(line.requirement.name) if line.requirement else line.text
    return Finding(
        rule="resolve/unvettable-source", severity=Severity.HIGH, package=name, version=None,
        message="This requirement points at a URL, a local path, or an editable/VCS checkout; "
        "safepip vets packages from an index only, so it cannot vouch for it. Install it from an "
        "index, or vet it with `safepip scan` first.",
        location=line.source, evidence=line.text,
    )


def _marker_applies(requirement: Pep508Requirement, environment: TargetEnvironment) -> bool:
    if requirement.marker is None:
        return True
    return requirement.marker.evaluate({**environment.markers, "extra": ""})


def _run(
    catalog: Catalog,
    environment: TargetEnvironment,
    roots: _Roots,
    request: InstallRequest,
    reporter: BaseReporter[Requirement, Candidate, str] | None,
) -> tuple[tuple[ResolvedPackage, ...], tuple[str, ...]]:
    requested = {r.name for r in roots.requirements}
    upgradable: frozenset[str] | None = frozenset()
    if request.upgrade:
        upgradable = None if request.upgrade_strategy == "eager" else frozenset(requested)
    provider = SafepipProvider(
        catalog, environment, constraints=roots.constraints, upgradable=upgradable,
        no_deps=request.no_deps,
    )
    mapping = _resolve(provider, roots.requirements, reporter)
    return _plan(mapping, provider.state, requested, build=False)


def _resolve(
    provider: SafepipProvider,
    requirements: Sequence[Requirement],
    reporter: BaseReporter[Requirement, Candidate, str] | None,
) -> dict[str, Candidate]:
    resolver: Resolver[Requirement, Candidate, str] = Resolver(provider, reporter or BaseReporter())
    try:
        result = resolver.resolve(requirements, max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as impossible:
        _refuse_hash_mismatch(provider, impossible.causes)
        raise ResolutionImpossibleError(
            "The requirements cannot all be satisfied together:\n"
            + _explain(impossible.causes) + _notes(provider, impossible.causes),
            hint="Loosen or correct the conflicting requirements, then try again.",
        ) from None
    except ResolutionTooDeep:
        raise ResolutionImpossibleError(
            "Resolution gave up after too many backtracking rounds.",
            hint="Pin some of the packages involved to narrow the search, then try again.",
        ) from None
    return dict(result.mapping)


def _refuse_hash_mismatch(provider: SafepipProvider, causes: Iterable[object]) -> None:
    """A `--hash` that no served file of a matching version has is a hash mismatch (exit 3, as
    the README says), not an unsatisfiable requirement."""
    for cause in causes:
        requirement = cause.requirement  # type: ignore[attr-defined]
        hashes = getattr(requirement, "allowed_hashes", None)
        if not hashes:
            continue
        name = canonicalize_name(requirement.name)
        served = [c for c in provider.catalog.finder.acceptable(
            name, provider.catalog.files(name))
            if requirement.specifier.contains(c.version, prereleases=True)]
        if served and not any((c.file.sha256 or "") in hashes for c in served):
            raise HashMismatchError(
                f"The --hash given for {name}{requirement.specifier} "
                f"({requirement.requested_by}) matches none of the files the index serves "
                "for it: the file was replaced, or the hash is wrong. Nothing was installed.")


def _notes(provider: SafepipProvider, causes: Iterable[object]) -> str:
    """What else narrowed the choice: constraints (-c), and why nothing on the index matched
    (no such version, a newer Python needed, only yanked matches, nothing for the target)."""
    wanted: dict[str, SpecifierSet] = {}
    for cause in causes:
        requirement = cause.requirement  # type: ignore[attr-defined]
        if requirement.name != PYTHON_IDENTIFIER:
            wanted[requirement.name] = wanted.get(requirement.name, SpecifierSet()) & (
                requirement.specifier)
    notes = [f"  - a constraint (-c) allows only {name}{provider.constraints[name]}"
             for name in sorted(wanted) if name in provider.constraints]
    for name, specifier in sorted(wanted.items()):
        notes.extend(_why_no_match(provider, canonicalize_name(name), specifier))
    return "".join(f"\n{note}" for note in notes)


def _why_no_match(
    provider: SafepipProvider, name: NormalizedName, specifier: SpecifierSet
) -> list[str]:
    finder = provider.catalog.finder
    files = provider.catalog.files(name)
    acceptable = [c for c in finder.acceptable(name, files)
                  if specifier.contains(c.version, prereleases=True)]
    if acceptable and all(c.file.is_yanked for c in acceptable):
        shown = ", ".join(str(v) for v in sorted({c.version for c in acceptable}))
        return [f"  - {name} {shown} would match but is yanked (PEP 592): pin it exactly (==) "
                "to accept a yanked release"]
    if acceptable:
        return []
    versions = {pair[1]: file for file in files
                if (pair := standard_name_version(file.filename)) is not None}
    if not versions:
        return []
    matching = sorted((v for v in versions if specifier.contains(v, prereleases=True)),
                      reverse=True)
    if not matching:
        return [f"  - no release of {name} on the index matches {specifier or 'any version'}; "
                f"the newest there is {max(versions)}"]
    target = finder.policy.environment.python_version
    needs = versions[matching[0]].requires_python
    if needs and not _python_fits(needs, target):
        return [f"  - {name} {matching[0]} requires Python {needs}, and the target runs Python "
                f"{target}: pick an older {name}, or a newer Python (--python)"]
    return [f"  - {name} {matching[0]} has no file this target can install (wheel tags, "
            "--only-binary/--no-binary, or --min-release-age ruled every file out)"]


def _python_fits(requires_python: str, version: object) -> bool:
    try:
        return SpecifierSet(requires_python).contains(str(version), prereleases=True)
    except InvalidSpecifier:
        return True


def _explain(causes: Iterable[object]) -> str:
    lines = []
    for cause in causes:
        requirement = getattr(cause, "requirement", None)
        parent = getattr(cause, "parent", None)
        if requirement is None:
            continue
        if requirement.name == PYTHON_IDENTIFIER and "invalid metadata" in requirement.requested_by:
            lines.append(f"  - {requirement.requested_by}")
            continue
        if requirement.name == PYTHON_IDENTIFIER:
            who = f"{parent.name} {parent.version}" if parent else requirement.requested_by
            lines.append(f"  - {who} requires Python {requirement.specifier}")
            continue
        by = f"{parent.name} {parent.version}" if parent else requirement.requested_by
        lines.append(f"  - {by} requires {requirement}")
    return "\n".join(sorted(set(lines))) or "  (no details from the resolver)"


def _plan(
    mapping: dict[str, Candidate],
    state: ProviderState,
    requested: set[str],
    *,
    build: bool,
) -> tuple[tuple[ResolvedPackage, ...], tuple[str, ...]]:
    extras: dict[str, frozenset[NormalizedName]] = {}
    for candidate in mapping.values():
        if candidate.extras:
            extras[candidate.name] = extras.get(candidate.name, frozenset()) | candidate.extras
    packages, already = [], []
    for identifier, candidate in sorted(mapping.items()):
        if candidate.extras or identifier == PYTHON_IDENTIFIER:
            continue
        if candidate.installed is not None or candidate.file is None:
            already.append(f"{candidate.name}=={candidate.version}")
            continue
        packages.append(_resolved(candidate, state, requested, extras, build=build))
    return tuple(packages), tuple(already)


def _resolved(
    candidate: Candidate, state: ProviderState, requested: set[str],
    extras: dict[str, frozenset[NormalizedName]], *, build: bool,
) -> ResolvedPackage:
    if candidate.file is None:  # installed candidates are filtered out by the caller
        raise ValueError(f"{candidate.name} has no file to vet")
    key = (candidate.name, candidate.version)
    # Extras candidates share the key, so their dependencies are already merged in.
    dependencies = state.dependencies.get(key, set())
    metadata = state.metadata.get(key)
    return ResolvedPackage(
        name=canonicalize_name(candidate.name),
        version=candidate.version,
        artifact=candidate.file,
        metadata_source=metadata.source if metadata else "unknown",
        dependencies=tuple(sorted(dependencies)),
        requested=candidate.name in requested,
        build_dependency=build,
        extras=extras.get(candidate.name, frozenset()),
    )


def _build_dependencies(
    catalog: Catalog,
    environment: TargetEnvironment,
    runtime: Sequence[ResolvedPackage],
    reporter: BaseReporter[Requirement, Candidate, str] | None,
) -> tuple[ResolvedPackage, ...]:
    """pip builds each sdist in an isolated environment it fills by resolving the sdist's
    `[build-system] requires`; those packages run, so they are resolved and vetted here too."""
    isolated = dataclasses.replace(environment, installed={})
    planned = {(p.name, p.version) for p in runtime}
    found: dict[tuple[str, object], ResolvedPackage] = {}
    seen_sets: set[frozenset[str]] = set()
    pending = [p for p in runtime if p.artifact.kind == "sdist"]
    for _depth in range(MAX_BUILD_DEPTH):
        next_round: list[ResolvedPackage] = []
        for sdist in pending:
            wanted = _build_roots(catalog, isolated, sdist)
            key = frozenset(str(r) for r in wanted)
            if not wanted or key in seen_sets:
                continue
            seen_sets.add(key)
            provider = SafepipProvider(catalog, isolated, constraints={}, upgradable=None)
            packages, _ = _plan(_resolve(provider, wanted, reporter), provider.state, set(),
                                build=True)
            for package in packages:
                if (package.name, package.version) not in planned | found.keys():
                    found[(package.name, package.version)] = package
                    if package.artifact.kind == "sdist":
                        next_round.append(package)
        pending = next_round
    return tuple(found.values())


def _build_roots(
    catalog: Catalog, environment: TargetEnvironment, sdist: ResolvedPackage
) -> list[Requirement]:
    from safepip.resolution.metadata import build_requirements_from_sdist

    path = catalog.fetcher.download(sdist.artifact)
    who = f"{sdist.name} {sdist.version} (build)"
    return [
        Requirement(canonicalize_name(r.name), r.specifier,
                    frozenset(canonicalize_name(e) for e in r.extras), who)
        for r in build_requirements_from_sdist(path)
        if _marker_applies(r, environment)
    ]

