"""The composition root: request -> resolution -> name checks -> artifacts -> hook scan -> verdict.

Nothing here runs package code. Each stage fails closed: an error stops the run (exit 3) rather
than letting an unvetted package through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.artifacts.scan_cache import ScanCache
from safepip.artifacts.store import ArtifactStore
from safepip.artifacts.unpack import unpack
from safepip.checks.install_hooks import InstallHookCheck
from safepip.checks.installed import InstalledAudit, audit_installed
from safepip.checks.interface import ArtifactCheck, NameCheck, UnpackedArtifact
from safepip.checks.names import check_with_evidence, default_name_checks
from safepip.checks.scan_pool import ScanPool
from safepip.checks.typosquat import NameEvidence, not_found_message
from safepip.errors import HashMismatchError, ProjectNotFoundError, SafepipError, UsageError
from safepip.findings import Finding, Location, Severity
from safepip.index.client import IndexClient
from safepip.index.httpbase import HttpOptions
from safepip.index.lazy_session import LazySession
from safepip.index.page_cache import PageCache
from safepip.pip.handoff import Handoff, VettedFile, check_passthrough, handoff
from safepip.pip.request import InstallRequest
from safepip.pip.requirement_line import RequirementLine
from safepip.policy.config import PolicyConfig
from safepip.policy.verdict import IgnoreOutcome, Verdict, apply_ignores, check_indexes, decide
from safepip.report.interface import Report
from safepip.resolution.archive_members import read_sdist_files
from safepip.resolution.build_system import load_pyproject
from safepip.resolution.environment import (
    InstalledProject,
    StartedProbe,
    TargetEnvironment,
    probe_target,
)
from safepip.resolution.finder import FinderPolicy
from safepip.resolution.locked import Pin
from safepip.resolution.metadata_cache import MetadataCache
from safepip.resolution.models import Resolution, ResolvedPackage
from safepip.resolution.progress import TerminalReporter
from safepip.resolution.resolve import resolve_pins, resolve_request

if TYPE_CHECKING:
    import requests

    from safepip.sandbox.handoff_builds import CageVerdict

UNVETTABLE_SOURCE = "resolve/unvettable-source"


@dataclass(frozen=True)
class VetOptions:
    """How thoroughly and against what to vet."""

    workdir: Path
    """A private directory (owned by the caller) for downloads and unpacking."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    """Fail level and ignores: the verdict is decided once, here, with both applied."""
    http: HttpOptions = field(default_factory=HttpOptions)
    uploaded_before: dt.datetime | None = None
    """Release-age cooldown: refuse files uploaded after this moment."""
    caches: bool = True
    """Reuse metadata and scan results of files already seen (keyed by sha256)."""
    today: dt.date = field(default_factory=dt.date.today)
    """The day `expires` of ignore entries is compared with."""


@dataclass(frozen=True)
class Vetting:
    """Everything the vetting learnt; the handoff installs `files` and nothing else."""

    resolution: Resolution
    outcome: IgnoreOutcome
    """Every finding, split into those that count and those the policy accepted."""
    verdict: Verdict
    """Decided once, from `outcome.kept` and `fail_on`."""
    fail_on: Severity
    files: dict[tuple[NormalizedName, str], Path] = field(default_factory=dict)
    """(name, version) -> the vetted local file, hash-checked against the index."""
    hashes: dict[tuple[NormalizedName, str], str] = field(default_factory=dict)
    """(name, version) -> sha256 of the vetted bytes, which the handoff pins."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    """The policy the verdict was decided with; it also judges what the build cage sees."""
    today: dt.date = field(default_factory=dt.date.today)
    """The day ignore entries' expiry dates were read against."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings that count toward the verdict."""
        return self.outcome.kept

    @property
    def refused(self) -> tuple[str, ...]:
        """Requirements refused because no index vouches for them (`-e .`, paths, VCS, URLs)."""
        return tuple(f.evidence or f.package for f in self.outcome.kept
                     if f.rule == UNVETTABLE_SOURCE)

    def handoff_files(self) -> list[VettedFile]:
        """The plan as the handoff takes it: each vetted file with the sha256 it must have."""
        return [
            VettedFile(
                name=p.name, version=p.version, filename=p.artifact.filename,
                sha256=self.hashes[(p.name, str(p.version))],
                build_dependency=p.build_dependency, path=self.files[(p.name, str(p.version))],
            )
            for p in self.resolution.packages
        ]

    def report(self, origins: Mapping[str, Location] | None = None,
               inputs: Sequence[str] = ()) -> Report:
        return Report(
            verdict=self.verdict, packages=self.resolution.packages, findings=self.outcome.kept,
            origins=dict(origins or {}), inputs=tuple(inputs),
        )


def default_artifact_checks() -> list[ArtifactCheck]:
    return [InstallHookCheck()]


class Pipeline:
    """Wires the stages; one HTTP session for the whole run.

    Used as a context manager, it starts its scanning processes when vetting begins (they
    load while resolution keeps one core busy) and stops them on leaving; used bare, each
    scan starts and stops its own."""

    def __init__(
        self,
        options: VetOptions,
        *,
        name_checks: Sequence[NameCheck] | None = None,
        artifact_checks: Sequence[ArtifactCheck] | None = None,
        session: requests.Session | LazySession | None = None,
    ) -> None:
        self.options = options
        self.name_checks = list(name_checks if name_checks is not None else default_name_checks())
        self.artifact_checks = list(
            artifact_checks if artifact_checks is not None else default_artifact_checks()
        )
        # Built on first need: a warm run over a file:// index never imports requests.
        self.session = session or LazySession(options.http)
        self.page_cache = PageCache() if options.caches else None
        self.scan_cache = ScanCache() if options.caches else None
        self.metadata_cache = MetadataCache() if options.caches else None
        self.store = ArtifactStore() if options.caches else None
        self._scanners: ScanPool | None = None

    def __enter__(self) -> Pipeline:
        prefilter = self._hook_scan_only()
        if prefilter is not None:
            self._scanners = ScanPool(prefilter=prefilter)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._scanners is not None:
            self._scanners.close()

    def _client(self, request: InstallRequest) -> IndexClient:
        return IndexClient(self.session, request.index, page_cache=self.page_cache)

    def vet(self, request: InstallRequest, probe: StartedProbe | None = None) -> Vetting:
        """Resolve the request, then vet the plan (`probe`: the target's, started early)."""
        names = [canonicalize_name(r.requirement.name) for r in request.requirements
                 if r.requirement is not None]
        early = self._check_names_early(names)
        if self._stops(early):
            return self._verdict(Resolution(()), early, {})
        self._prestart_scanners()
        environment = probe_target(request.target, probe)
        try:
            with TerminalReporter() as reporter:
                outcome = resolve_request(
                    request, client=self._client(request),
                    session=self.session, environment=environment,
                    workdir=self.options.workdir / "downloads",
                    finder_policy=self._finder_policy(request, environment), reporter=reporter,
                    metadata_cache=self.metadata_cache, on_download=self._scan_early,
                )
        except ProjectNotFoundError as missing:
            # The moment a squatter wins is a mistyped name: say what was probably meant.
            raise ProjectNotFoundError(
                missing.name, missing.indexes, message=not_found_message(missing.name)
            ) from None
        return self.vet_resolution(outcome.resolution, outcome.downloads)

    def vet_pins(
        self, pins: Sequence[Pin], request: InstallRequest, findings: Sequence[Finding] = (),
        probe: StartedProbe | None = None,
    ) -> Vetting:
        """Vet locked pins as they are (lock files, hash-pinned requirements)."""
        early = [*findings, *self._check_names_early([p.name for p in pins])]
        if self._stops(early):
            return self._verdict(Resolution(()), early, {})
        self._prestart_scanners()
        environment = probe_target(request.target, probe)
        outcome = resolve_pins(
            pins, request=request, client=self._client(request),
            session=self.session, environment=environment,
            workdir=self.options.workdir / "downloads",
            finder_policy=self._finder_policy(request, environment),
            metadata_cache=self.metadata_cache, on_download=self._scan_early,
        )
        resolution = outcome.resolution
        resolution = dataclasses.replace(
            resolution, findings=(*findings, *resolution.findings))
        return self.vet_resolution(resolution, outcome.downloads)

    def vet_resolution(self, resolution: Resolution, downloads: dict[str, Path]) -> Vetting:
        """Name checks on every name, then download, hash and scan every chosen file."""
        findings = [*resolution.findings, *self._check_plan_names(resolution)]
        if self._stops(findings):
            return self._verdict(resolution, findings, {})
        files = self._download(resolution.packages, downloads)
        hashes = _hash_files(resolution.packages, files)
        findings.extend(self._scan(resolution.packages, files, hashes))
        return self._verdict(resolution, findings, files, hashes)

    def _finder_policy(
        self, request: InstallRequest, environment: TargetEnvironment
    ) -> FinderPolicy:
        return FinderPolicy(
            environment, request.formats, request.pre, self.options.uploaded_before,
            request.releases,
        )

    def _check_names_early(self, names: Sequence[NormalizedName]) -> list[Finding]:
        """Before any request to the index: only a critical finding matters here."""
        findings = [f for name in names for check in self.name_checks
                    for f in check.check_name(name, None)]
        return [f for f in findings if f.severity >= Severity.CRITICAL]

    def _check_plan_names(self, resolution: Resolution) -> list[Finding]:
        """Name checks with what the index pages showed (a young project imitating a
        popular name weighs more than an old one that only looks like it)."""
        findings = []
        requested = frozenset(p.name for p in resolution.packages if p.requested)
        for package in resolution.packages:
            evidence = NameEvidence(resolution.histories.get(package.name), requested)
            for check in self.name_checks:
                findings.extend(check_with_evidence(check, package, evidence))
        return findings

    def _download(
        self, packages: Sequence[ResolvedPackage], already: dict[str, Path]
    ) -> dict[tuple[NormalizedName, str], Path]:
        paths = dict(already)
        for package in packages:
            stored = self.store.get(package.artifact) if self.store else None
            if stored is not None and package.artifact.url not in paths:
                paths[package.artifact.url] = stored
        missing = [p.artifact for p in packages if p.artifact.url not in paths]
        if missing:  # requests is imported only when something is downloaded
            from safepip.artifacts.download import download_all

            fetched = download_all(self.session, missing,
                                   self.options.workdir / "downloads")
            for file, downloaded in zip(missing, fetched, strict=True):
                paths[file.url] = downloaded.path
                if self.store:
                    self.store.put(file, downloaded.path)
        return {(p.name, str(p.version)): paths[p.artifact.url] for p in packages}

    def _scan(
        self,
        packages: Sequence[ResolvedPackage],
        files: dict[tuple[NormalizedName, str], Path],
        hashes: dict[tuple[NormalizedName, str], str],
    ) -> list[Finding]:
        done: dict[tuple[NormalizedName, str], list[Finding]] = {}
        for package in packages:
            key = (package.name, str(package.version))
            cached = self.scan_cache.get(hashes[key]) if self.scan_cache else None
            if cached is not None:
                done[key] = cached
        todo = [p for p in packages if (p.name, str(p.version)) not in done]
        for package, found in zip(todo, self._scan_all(todo, files), strict=True):
            key = (package.name, str(package.version))
            done[key] = found
            if self.scan_cache:
                self.scan_cache.put(hashes[key], found)
        return [f for p in packages for f in done[(p.name, str(p.version))]]

    def _scan_all(
        self,
        packages: Sequence[ResolvedPackage],
        files: dict[tuple[NormalizedName, str], Path],
    ) -> list[list[Finding]]:
        paths = [files[(p.name, str(p.version))] for p in packages]
        prefilter = self._hook_scan_only()
        if prefilter is not None:
            # The hook scanner reads only the members it needs, in memory, through the same
            # extraction gate (refusals included), on every core this process may use.
            if self._scanners is not None:
                return self._scanners.scan(paths)
            with ScanPool(prefilter=prefilter) as scanners:
                return scanners.scan(paths)
        return [self._scan_unpacked(p, path) for p, path in zip(packages, paths, strict=True)]

    def _hook_scan_only(self) -> bool | None:
        """The hook scanner's prefilter setting when it is the only artifact check, else None
        (other checks need the artifact unpacked on disk)."""
        checks = self.artifact_checks
        if len(checks) == 1 and isinstance(checks[0], InstallHookCheck):
            return checks[0].prefilter
        return None

    def _prestart_scanners(self) -> None:
        if self._scanners is not None:
            self._scanners.prestart()

    def _scan_early(self, path: Path) -> None:
        """A file resolution downloaded: the idle workers scan it now; `_scan` takes the
        answer if the plan keeps it (a scan-cache hit is simply not asked for)."""
        if self._scanners is not None:
            self._scanners.submit(path)

    def _scan_unpacked(self, package: ResolvedPackage, path: Path) -> list[Finding]:
        with unpack(path, parent=self.options.workdir) as unpacked:
            findings = unpacked.findings(package.name, str(package.version))
            artifact = UnpackedArtifact(
                package.name, package.version, package.artifact.filename,
                package.artifact.kind, unpacked.root,
            )
            for check in self.artifact_checks:
                findings.extend(check.check_artifact(artifact))
        return findings

    def _verdict(
        self,
        resolution: Resolution,
        findings: list[Finding],
        files: dict[tuple[NormalizedName, str], Path],
        hashes: dict[tuple[NormalizedName, str], str] | None = None,
    ) -> Vetting:
        return decide_vetting(resolution, findings, self.options.policy, self.options.today,
                              files, hashes)

    def _judge(self, findings: Sequence[Finding]) -> IgnoreOutcome:
        return judge(findings, self.options.policy, self.options.today)

    def _stops(self, findings: Sequence[Finding]) -> bool:
        """A critical name finding the policy does not accept (a known-malicious release)
        ends the run before any download; an accepted one never switches off the checks of
        the bytes."""
        return any(f.severity >= Severity.CRITICAL and f.rule.startswith("name/")
                   for f in self._judge(findings).kept)


def decide_vetting(
    resolution: Resolution,
    findings: Sequence[Finding],
    policy: PolicyConfig,
    today: dt.date,
    files: dict[tuple[NormalizedName, str], Path] | None = None,
    hashes: dict[tuple[NormalizedName, str], str] | None = None,
) -> Vetting:
    """The one place a verdict is decided: the policy's ignores, then its fail level."""
    outcome = judge(findings, policy, today)
    # A requirement safepip cannot vet would never reach pip (only vetted files do): it is
    # refused whatever the fail level or ignores say, never accepted and silently dropped.
    refused = any(f.rule == UNVETTABLE_SOURCE for f in outcome.kept)
    verdict = Verdict.BLOCK if refused else decide(outcome.kept, policy.fail_on)
    return Vetting(resolution, outcome, verdict, policy.fail_on, files or {}, hashes or {},
                   policy=policy, today=today)


def judge(findings: Sequence[Finding], policy: PolicyConfig, today: dt.date) -> IgnoreOutcome:
    """The policy's ignores over `findings`; unvettable sources are never ignored."""
    vettable = [f for f in findings if f.rule != UNVETTABLE_SOURCE]
    outcome = apply_ignores(vettable, policy, today)
    refused = tuple(f for f in findings if f.rule == UNVETTABLE_SOURCE)
    return replace(outcome, kept=(*refused, *outcome.kept))


def _hash_files(
    packages: Sequence[ResolvedPackage], files: dict[tuple[NormalizedName, str], Path]
) -> dict[tuple[NormalizedName, str], str]:
    """sha256 of each vetted file as it lies on disk; it must equal what the index promised."""
    hashes = {}
    for package in packages:
        key = (package.name, str(package.version))
        with files[key].open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        promised = package.artifact.sha256
        if promised is not None and promised.lower() != digest:
            raise HashMismatchError(
                f"{package.artifact.filename} on disk does not match the index's sha256."
            )
        hashes[key] = digest
    return hashes


def http_options(request: InstallRequest) -> HttpOptions:
    """pip's network settings from every source pip reads them from (command line, `PIP_*`,
    pip config files), as the request model holds them, for safepip's own session."""
    network = request.network
    defaults = HttpOptions()
    return HttpOptions(
        read_timeout=defaults.read_timeout if network.timeout is None else network.timeout,
        retries=defaults.retries if network.retries is None else network.retries,
        use_cache=not network.no_cache, trusted_hosts=request.index.trusted_hosts,
        cert=network.cert, client_cert=network.client_cert,
    )


def uploaded_before(request: InstallRequest, policy: PolicyConfig) -> dt.datetime | None:
    """The strictest of `--min-release-age` and pip's `--uploaded-prior-to`."""
    limits = []
    if policy.min_release_age is not None:
        limits.append(dt.datetime.now(dt.UTC) - policy.min_release_age)
    if request.uploaded_prior_to is not None:
        prior = request.uploaded_prior_to
        limits.append(prior if prior.tzinfo else prior.replace(tzinfo=dt.UTC))
    return min(limits) if limits else None


def vet_request(
    request: InstallRequest, policy: PolicyConfig, workdir: Path,
    pins: Sequence[Pin] | None = None, findings: Sequence[Finding] = (),
    probe: StartedProbe | None = None,
) -> Vetting:
    """The whole vetting of one request (or of `pins`, taken as locked) under one policy.

    `probe`: the target interpreter's probe, started early (`environment.start_probe`)."""
    # allow-indexes covers every place files may come from, find-links included.
    check_indexes(policy, (*request.index.index_urls, *request.index.find_links))
    check_passthrough(request.passthrough)  # refuse unvettable pip options before any work
    http = http_options(request)
    options = VetOptions(
        workdir=workdir, policy=policy, http=http,
        uploaded_before=uploaded_before(request, policy), caches=http.use_cache,
    )
    with Pipeline(options) as pipeline:
        if pins is None:
            return pipeline.vet(request, probe)
        return pipeline.vet_pins(pins, request, findings, probe)


def vet_installed(
    request: InstallRequest, policy: PolicyConfig, probe: StartedProbe | None = None
) -> tuple[Vetting, InstalledAudit]:
    """`audit` with no inputs, as pip-audit does: every distribution installed in the target
    environment, checked from its recorded files (RECORD hashes, then the hook scan of what is
    on disk), plus the name checks on its name and version.

    The index is asked only about distributions without a RECORD: for them the index's files
    of the installed version are the best evidence left. For the others it would add nothing
    the installed bytes do not show (what runs is on disk, and may have been built locally or
    come from elsewhere), and a project the index does not have would end the audit."""
    environment = probe_target(request.target, probe)
    if not environment.installed:
        raise UsageError(
            "Nothing to audit: no inputs were given and the environment has no installed "
            "packages.",
            hint="Give -r requirements.txt, a lock file, pyproject.toml, or package names.",
        )
    found = audit_installed(environment, cache=None if request.network.no_cache else ScanCache())
    lines, findings = _unrecorded(found.unrecorded)
    packages = list(found.recorded)
    findings += found.findings
    if lines:
        with tempfile.TemporaryDirectory(prefix="safepip-") as workdir:
            # Their dependencies are installed too, and audited in their own right.
            vet = vet_request(replace(request, requirements=lines, no_deps=True), policy,
                              Path(workdir), probe=probe)
        packages += vet.resolution.packages
        findings += [*vet.outcome.kept, *(i.finding for i in vet.outcome.ignored)]
    return decide_vetting(Resolution(tuple(packages)), findings, policy, dt.date.today()), found


INSTALLED = "<installed>"
"""Where a requirement taken from the environment's installed distributions comes from."""


def _unrecorded(
    projects: Sequence[InstalledProject],
) -> tuple[tuple[RequirementLine, ...], list[Finding]]:
    """Distributions without a RECORD: pinned for the index (said as an info finding), or,
    installed from a path or URL (`direct_url.json`), not on any index: said and left out."""
    lines, findings = [], []
    for project in projects:
        direct = (project.metadata_path.parent / "direct_url.json").is_file()
        how = ("it was installed from a path or URL, so no index has it: it is not audited"
               if direct else "the index's files of that version were vetted instead")
        findings.append(Finding(
            rule="installed/no-record", severity=Severity.INFO, package=project.name,
            version=str(project.version),
            message=f"{project.name} {project.version} has no RECORD, so its installed files "
                    f"could not be checked; {how}.",
        ))
        if not direct:
            text = f"{project.name}=={project.version}"
            lines.append(RequirementLine(Requirement(text), Location(INSTALLED), text,
                                         project_name=project.name))
    return tuple(lines), findings


def installed_from_plan(request: InstallRequest, vetting: Vetting) -> list[tuple[str, str]]:
    """After an interrupted handoff: which planned (name, version) pairs the target
    environment now holds, read back from the environment itself."""
    installed = probe_target(request.target).installed
    return [(p.name, str(p.version)) for p in vetting.resolution.packages
            if not p.build_dependency and p.name in installed
            and installed[p.name].version == p.version]


PIP_WITHOUT_WHEEL = Version("24.1")
"""From this pip on, building an sdist that declares no `[build-system]` needs only setuptools;
older pips also ask for `wheel` (their legacy default `requires`), which the handoff's private
directory does not hold."""


def _pip_wants_wheel(pip: InstalledProject) -> bool:
    """Whether this pip's legacy default build requirements include `wheel`: read from its
    own source as text (never imported), else judged by its version."""
    source = pip.metadata_path.parent.parent / "pip" / "_internal" / "pyproject.py"
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return pip.version < PIP_WITHOUT_WHEEL
    return '"setuptools>=40.8.0", "wheel"]' in text


def handoff_obstacle(request: InstallRequest, vetting: Vetting) -> str | None:
    """A sentence when the target's pip cannot install the vetted plan, else None."""
    sdists = [p for p in vetting.resolution.packages if p.artifact.kind == "sdist"]
    if not sdists:
        return None
    pip = probe_target(request.target).installed.get(canonicalize_name("pip"))
    if pip is None or not _pip_wants_wheel(pip):
        return None
    legacy = [p.name for p in sdists
              if "build-system" not in load_pyproject(
                  read_sdist_files(vetting.files[(p.name, str(p.version))]), p.name)]
    if not legacy:
        return None
    python = request.target.python or "the target"
    return (f"The pip in {python} is {pip.version}: to build {', '.join(legacy)} from source it "
            "also wants the `wheel` package, which pip older than 24.1 adds on its own and "
            "nobody vetted, so the handoff would fail. Upgrade that pip first (`safepip "
            "install -U pip`), then run this command again; nothing was installed.")


def prepare_handoff(request: InstallRequest) -> Handoff | None:
    """The handoff, with pip started now so that its start-up overlaps the vetting (it is told
    what to install only after the verdict). None when preparing fails: then the handoff is
    prepared after the verdict and any error is reported there."""
    try:
        return Handoff(
            python=request.target.python or sys.executable,
            passthrough=_passthrough(request), environ=os.environ, start_pip=True,
            build_sdists=build_in_cage,
        )
    except SafepipError:
        return None


def hand_off(
    vetting: Vetting, request: InstallRequest, prepared: Handoff | None,
    seen: list[Finding] | None = None,
) -> int:
    """Install exactly the vetted files with pip (in `prepared`, when it was started early);
    pip's exit code. What the build cage saw and found that counts (after the policy's
    ignores) is added to `seen`, for the report, even when it stops the install."""
    files = with_build_settings(vetting.handoff_files(), request)
    builder = partial(build_in_cage, policy=vetting.policy, today=vetting.today, seen=seen)
    if prepared is not None:
        prepared.build_sdists = builder  # the policy that decided the verdict judges the cage
        return prepared.install(files)
    return handoff(files, python=request.target.python or sys.executable,
                   passthrough=_passthrough(request), environ=os.environ,
                   build_sdists=builder)


def build_in_cage(
    files: Sequence[VettedFile], vetted_dir: Path, python: str, env: Mapping[str, str], *,
    policy: PolicyConfig | None = None, today: dt.date | None = None,
    seen: list[Finding] | None = None,
) -> Sequence[VettedFile]:
    """The handoff's sdist builder: the build cage (imported only when an sdist is built),
    whose findings the policy judges as it judged the plan's (those that count go to `seen`)."""
    from safepip.sandbox.handoff_builds import build_sdists_confined

    judge = partial(judge_cage_findings, policy or PolicyConfig(), today or dt.date.today(),
                    seen=seen)
    return build_sdists_confined(files, vetted_dir=vetted_dir, python=python, environ=env,
                                 judge=judge)


def judge_cage_findings(
    policy: PolicyConfig, today: dt.date, findings: Sequence[Finding], *,
    seen: list[Finding] | None = None,
) -> CageVerdict:
    """What the cage saw and what its wheels hold, through the same ignores and fail level as
    every other finding, reported by the same formatter as the plan; the findings that count
    are added to `seen`."""
    from safepip.report.text import TextFormatter
    from safepip.sandbox.handoff_builds import CageVerdict

    outcome = apply_ignores(findings, policy, today)
    if seen is not None:
        seen.extend(outcome.kept)
    verdict = decide(outcome.kept, policy.fail_on)
    blocking = sorted({f.rule for f in outcome.kept if f.severity >= policy.fail_on})
    report = Report(verdict=verdict, findings=outcome.kept)
    text = TextFormatter().format(report) if outcome.kept else ""
    return CageVerdict(tuple(blocking), text, outcome.notices)


def with_build_settings(
    files: list[VettedFile], request: InstallRequest, environ: Mapping[str, str] | None = None,
) -> list[VettedFile]:
    """`files`, each sdist carrying the `--config-settings` pip would give its build."""
    settings = build_settings(request, os.environ if environ is None else environ)
    return [replace(f, config_settings=settings.get(f.name, ())) if not f.build_dependency
            and not f.filename.endswith(".whl") else f for f in files]


def build_settings(
    request: InstallRequest, environ: Mapping[str, str]
) -> dict[NormalizedName, tuple[str, ...]]:
    """Per project, the `--config-settings` pip gives the backend that builds it: for a
    requirements-file line, that line's own; for a requirement or `-e` on the command line,
    pip's `options.config_settings`: `config-settings` from pip's configuration (files, then
    PIP_CONFIG_SETTINGS), then the command line's `-C`; none for a dependency. The first
    requirement naming a project decides, as in pip, whose resolver builds a project with the
    settings of the first requirement that named it. (The handoff's pip reads no
    configuration, so these are taken here.)"""
    from safepip.pip.pipconfig import INSTALL_OPTIONS, load_pip_config, split_args
    from safepip.pip.requirement_line import COMMAND_LINE

    config = load_pip_config([Path(f) for f in request.config_files], environ,
                             isolated=request.isolated)
    given = tuple(value for name, value, _ in config.command_items("install")
                  if name == "config-settings") + tuple(
        token.value or "" for token in split_args(request.passthrough, INSTALL_OPTIONS,
                                                  origin="")
        if not isinstance(token, str) and token.option is not None
        and token.option.key == "--config-settings")
    settings: dict[NormalizedName, tuple[str, ...]] = {}
    for line in request.requirements:
        named = line.project_name or (line.requirement.name if line.requirement else None)
        name = canonicalize_name(named) if named else None
        if name is None or name in settings:
            continue
        settings[name] = given if line.source.path == COMMAND_LINE else tuple(
            value for option, value in line.options if option == "--config-settings")
    return settings


def _passthrough(request: InstallRequest) -> list[str]:
    return [*request.passthrough, *_where_args(request)]


def _where_args(request: InstallRequest) -> list[str]:
    """Where-to-install options safepip interpreted; the interpreter is handed over apart."""
    args = request.handoff_args()
    if "--python" in args:
        at = args.index("--python")
        del args[at:at + 2]
    return args
