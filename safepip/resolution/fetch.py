"""Fetch each candidate's metadata down the static ladder, concurrently, once per run.

Rungs (DESIGN.md): PEP 658 `.metadata` -> the wheel's METADATA by HTTP range requests -> the whole
file (wheel METADATA, or the sdist's static sources). Whole files downloaded here are kept for the
later stages so nothing is fetched twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.index.client import IndexClient
from safepip.index.lazy_session import real_session
from safepip.index.models import DistributionFile
from safepip.resolution.core_metadata import StaticMetadata
from safepip.resolution.metadata_cache import MetadataCache

if TYPE_CHECKING:
    from safepip.index.lazy_session import SessionLike


class MetadataFetcher:
    """Thread-safe, memoised metadata for distribution files."""

    def __init__(
        self, client: IndexClient, session: SessionLike, workdir: Path, workers: int = 8,
        cache: MetadataCache | None = None, on_download: Callable[[Path], None] | None = None,
    ) -> None:
        """`on_download` is told of each whole file once it is on disk (hash-checked), e.g. to
        start scanning it while resolution goes on."""
        self._cache = cache
        self._on_download = on_download
        self._client = client
        self._session = session
        self._workdir = workdir
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="safepip-meta")
        self._lock = threading.Lock()
        self._futures: dict[str, Future[StaticMetadata]] = {}
        self._downloads: dict[str, Path] = {}

    def prefetch(self, file: DistributionFile) -> None:
        """Start fetching in the background; `get` will wait for it."""
        self._future(file)

    def get(self, file: DistributionFile) -> StaticMetadata:
        """The file's metadata (errors from the fetch are raised here)."""
        return self._future(file).result()

    def downloaded(self) -> dict[str, Path]:
        """URL -> local path of every whole file downloaded so far."""
        with self._lock:
            return dict(self._downloads)

    def download(self, file: DistributionFile) -> Path:
        """The whole file on disk, downloading it (hash-checked) if not done yet."""
        with self._lock:
            known = self._downloads.get(file.url)
        if known is not None:
            return known
        from safepip.artifacts.download import download  # only on a cache miss

        path = download(self._session, file, self._workdir).path
        with self._lock:
            kept = self._downloads.setdefault(file.url, path)
        if kept == path and self._on_download is not None:
            self._on_download(path)
        return kept

    def background(self, work: Callable[[], object]) -> None:
        """Run `work` on the pool; its errors surface when the same work is asked for again."""
        self._pool.submit(work)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _future(self, file: DistributionFile) -> Future[StaticMetadata]:
        with self._lock:
            future = self._futures.get(file.url)
        if future is not None:
            return future
        # A cache hit is a small local read: answered here, not handed to a thread (under the
        # GIL a pool only adds switching to CPU-bound work). Misses fetch in the background.
        cached = self._cached(file)
        with self._lock:
            future = self._futures.get(file.url)
            if future is None:
                if cached is not None:
                    future = Future()
                    future.set_result(cached)
                else:
                    future = self._pool.submit(self._fetch, file)
                self._futures[file.url] = future
            return future

    def _cached(self, file: DistributionFile) -> StaticMetadata | None:
        digest = (file.sha256 or "").lower()
        return self._cache.get(digest) if self._cache and digest else None

    def _fetch(self, file: DistributionFile) -> StaticMetadata:
        digest = (file.sha256 or "").lower()
        metadata = self._read(file)
        if self._cache and digest:
            self._cache.put(digest, metadata)
        return metadata

    def _read(self, file: DistributionFile) -> StaticMetadata:
        # The ladder's readers (zip, tar, ast, TOML) are imported on a cache miss only.
        from safepip.resolution.metadata import (
            metadata_from_core_metadata,
            metadata_from_sdist_file,
            metadata_from_wheel_file,
            wheel_metadata_over_http,
        )

        if file.kind == "wheel":
            core = self._client.core_metadata(file)
            if core is not None:
                return metadata_from_core_metadata(core, source="pep658", origin=file.filename)
            if file.url.startswith(("http://", "https://")):
                ranged = wheel_metadata_over_http(real_session(self._session), file.url)
                if ranged is not None:
                    return metadata_from_core_metadata(ranged, source="wheel", origin=file.filename)
            return metadata_from_wheel_file(self.download(file))
        return metadata_from_sdist_file(self.download(file))
