"""Everything the provider may choose from: index files, installed projects, their metadata."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterable, Sequence

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from safepip.errors import SafepipError
from safepip.index.client import IndexClient
from safepip.index.models import DistributionFile, ProjectPage
from safepip.resolution.core_metadata import (
    MetadataMismatchError,
    StaticMetadata,
    metadata_from_core_metadata,
)
from safepip.resolution.environment import TargetEnvironment
from safepip.resolution.fetch import MetadataFetcher
from safepip.resolution.finder import CandidateFinder, FileChoice
from safepip.resolution.provider import Candidate


class Catalog:
    """Memoised view of the index for one resolution run (thread-safe page cache)."""

    def __init__(
        self,
        client: IndexClient,
        finder: CandidateFinder,
        fetcher: MetadataFetcher,
        environment: TargetEnvironment,
    ) -> None:
        self.client = client
        self.finder = finder
        self.fetcher = fetcher
        self.environment = environment
        self._lock = threading.Lock()
        self._pages: dict[NormalizedName, list[ProjectPage]] = {}
        self._choices: dict[NormalizedName, list[FileChoice]] = {}
        self._local = client.local_only

    def pages(self, name: NormalizedName) -> list[ProjectPage]:
        """Every source's page for `name` (fetched once; errors propagate, never 'empty')."""
        with self._lock:
            cached = self._pages.get(name)
        if cached is None:
            cached = self.client.project_pages(name)
            with self._lock:
                self._pages.setdefault(name, cached)
        return cached

    def candidates(
        self,
        name: NormalizedName,
        specifier: SpecifierSet,
        hashes: frozenset[str] | None,
        extras: frozenset[NormalizedName],
        keep_installed: bool,
    ) -> list[Candidate]:
        """Candidates best first, installed copies placed the way pip places them."""
        best = self.finder.best_per_version(self._acceptable(name), specifier, hashes, name)
        found = [Candidate(name, c.version, c.file, extras) for c in best]
        installed = self.environment.installed.get(name)
        if installed is None or not specifier.contains(installed.version, prereleases=True):
            return found
        mine = Candidate(name, installed.version, None, extras, installed=installed)
        others = [c for c in found if c.version != installed.version]
        if keep_installed:
            return [mine, *others]
        # Upgrading: the installed copy stands at its version's place, replacing that file.
        newer = [c for c in others if c.version > installed.version]
        return [*newer, mine, *[c for c in others if c.version < installed.version]]

    def metadata(self, candidate: Candidate) -> StaticMetadata:
        if candidate.installed is not None:
            data = candidate.installed.metadata_path.read_bytes()
            return metadata_from_core_metadata(
                data, source="installed", origin=str(candidate.installed.metadata_path)
            )
        if candidate.file is None:
            raise SafepipError(f"No file to read metadata from for {candidate.name}.")
        metadata = self.fetcher.get(candidate.file)
        if metadata.name != canonicalize_name(candidate.name) or (
            metadata.source != "unknown" and metadata.version != candidate.version
        ):
            raise MetadataMismatchError(
                f"{candidate.file.filename} declares {metadata.name} {metadata.version}, "
                f"not {candidate.name} {candidate.version}."
            )
        return metadata

    def prefetch(self, file: DistributionFile) -> None:
        self.fetcher.prefetch(file)

    def prefetch_pages(self, names: Iterable[NormalizedName]) -> None:
        """Fetch the pages of projects the resolver will ask about soon, concurrently."""
        for name in names:
            with self._lock:
                known = name in self._pages
            if known:
                continue
            if not self._local:
                self.fetcher.background(functools.partial(self.pages, name))
                continue
            # A failure is remembered by the client and raised when the resolver asks for it.
            with contextlib.suppress(SafepipError):
                self.pages(name)

    def files(self, name: NormalizedName) -> Sequence[DistributionFile]:
        return [file for page in self.pages(name) for file in page.files]

    def _acceptable(self, name: NormalizedName) -> list[FileChoice]:
        with self._lock:
            cached = self._choices.get(name)
        if cached is None:
            cached = self.finder.acceptable(name, self.files(name))
            with self._lock:
                self._choices.setdefault(name, cached)
        return cached
