"""Ask every configured index (and find-links location) about a project; fetch PEP 658 metadata.

Thread-safe and memoised: each URL is fetched at most once per run, and concurrent callers of the
same URL wait for the one fetch (a resolver may call from a thread pool). A 404 from one index
means "not there"; 404 everywhere is `ProjectNotFoundError`; any other fault is a `NetworkError`,
never an empty result.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from packaging.utils import NormalizedName

from safepip.errors import HashMismatchError, ProjectNotFoundError
from safepip.index.httpbase import FetchedDocument
from safepip.index.lazy_session import LazySession, real_session, remember_credentials
from safepip.index.localfile import is_file_url, read_file_url
from safepip.index.models import DistributionFile, ProjectPage
from safepip.index.options import IndexOptions
from safepip.index.simple import ACCEPT, parse_project_page
from safepip.redact import redact_url

if TYPE_CHECKING:
    import requests

    from safepip.index.findlinks import FindLinks
    from safepip.index.lazy_session import SessionLike
    from safepip.index.page_cache import PageCache

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_METADATA_BYTES = 16 * 1024 * 1024
# pip sends max-age=0 for index pages: always revalidate (yanks and new releases matter), but a
# 304 still saves the body. Files and metadata are immutable and served from cache.
_PAGE_HEADERS = {"Accept": ACCEPT, "Cache-Control": "max-age=0"}


class _Memo:
    """URL -> Future: the first caller computes, the others wait; errors are remembered too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, Future[object]] = {}

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                future = self._futures[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()  # type: ignore[return-value]


class IndexClient:
    """Project pages and core metadata from the indexes of one `IndexOptions`.

    `file://` documents are read from disk directly; the HTTP session (possibly a LazySession)
    is only built for http(s) URLs and find-links locations.
    """

    def __init__(self, session: SessionLike, index: IndexOptions,
                 page_cache: PageCache | None = None) -> None:
        self.index = index
        self._page_cache = page_cache
        """Parsed file:// pages from earlier runs (only while the file is unchanged)."""
        self._source = session
        self._memo = _Memo()
        # Index URLs' credentials are known before the first request, lazy session or not.
        if isinstance(session, LazySession):
            session.remember_credentials(index.index_urls)
        else:
            remember_credentials(session, index.index_urls)
        self._find_links: list[FindLinks] = []
        if index.find_links:
            from safepip.index.findlinks import FindLinks

            self._find_links = [FindLinks(session, loc) for loc in index.find_links]

    @property
    def local_only(self) -> bool:
        """Every source is a local file or directory: reading a page is cheap, local work."""
        from safepip.index.findlinks import is_local

        return all(is_file_url(url) for url in self.index.index_urls) and all(
            is_local(location) for location in self.index.find_links)

    @property
    def session(self) -> requests.Session:
        """The HTTP session (built now if it was lazy), knowing the index URLs' credentials."""
        return real_session(self._source)

    def project_pages(self, name: NormalizedName) -> list[ProjectPage]:
        """Every index's page for `name` in priority order, then find-links pages with files."""
        pages = [page for url in self.index.index_urls
                 if (page := self._index_page(url, name)) is not None]
        for source in self._find_links:
            files = source.files_for(name)
            if files:
                pages.append(ProjectPage(name=name, files=tuple(files),
                                         source_url=source.location))
        if not pages:
            asked = tuple(redact_url(u) for u in (*self.index.index_urls, *self.index.find_links))
            raise ProjectNotFoundError(name, asked)
        return pages

    def _index_page(self, index_url: str, name: NormalizedName) -> ProjectPage | None:
        url = urljoin(index_url if index_url.endswith("/") else index_url + "/", f"{name}/")
        return self._memo.get(url, lambda: self._cached_page(url, index_url, name))

    def _cached_page(self, url: str, index_url: str, name: NormalizedName) -> ProjectPage | None:
        if self._page_cache is None or not is_file_url(url):
            return self._fetch_page(url, index_url, name)
        return self._page_cache.get_or_read(
            url, index_url, name, lambda: self._fetch_page(url, index_url, name))

    def _fetch_page(self, url: str, index_url: str, name: NormalizedName) -> ProjectPage | None:
        document = self._get(url, headers=_PAGE_HEADERS, max_bytes=MAX_PAGE_BYTES)
        if document.status == 404:
            logger.debug("%s has no project %s", redact_url(index_url), name)
            return None
        page = parse_project_page(document, name, index_url=index_url)
        logger.debug("%s lists %d files for %s", redact_url(url), len(page.files), name)
        return page

    def core_metadata(self, file: DistributionFile) -> bytes | None:
        """PEP 658/714 metadata for `file`, hash-checked; None when the index has none.

        When not advertised it is still tried once (mirrors serve it unadvertised); a 4xx then
        means "none". An advertised file whose hash does not match raises HashMismatchError.
        """
        if file.metadata_hashes is None and file.kind != "wheel":
            return None
        parts = urlsplit(file.url)  # PEP 658: the file's URL with ".metadata" on its path
        url = urlunsplit(parts._replace(path=parts.path + ".metadata", fragment=""))
        return self._memo.get(url, lambda: self._fetch_metadata(url, file))

    def _fetch_metadata(self, url: str, file: DistributionFile) -> bytes | None:
        advertised = file.metadata_hashes is not None
        document = self._get(url, max_bytes=MAX_METADATA_BYTES,
                             allow_statuses=frozenset(range(400, 500)))
        if document.status >= 400:
            if advertised:
                logger.warning("%s advertises %s but answered %d; reading the file instead.",
                               redact_url(file.index_url), redact_url(url), document.status)
            return None
        if advertised and _mismatch(document.content, file.metadata_hashes or {}):
            # A cached copy may belong to an older file of the same name (a private index that
            # rebuilt it, a loopback port reused): ask the index itself before calling it
            # tampering. What it sends now must match, or vetting stops.
            document = self._get(url, max_bytes=MAX_METADATA_BYTES,
                                 headers={"Cache-Control": "no-cache"})
            _verify(document.content, file.metadata_hashes or {}, url)
        elif not document.content.lstrip().startswith(b"Metadata-Version:"):
            logger.debug("%s is not a core metadata file; ignoring it", redact_url(url))
            return None
        return document.content

    def _get(self, url: str, *, max_bytes: int, headers: Mapping[str, str] | None = None,
             allow_statuses: frozenset[int] = frozenset({404})) -> FetchedDocument:
        if is_file_url(url):  # no transport, no cache, no credentials: just the file
            return read_file_url(url, max_bytes=max_bytes)
        from safepip.index.http import get

        return get(self.session, url, headers=headers, max_bytes=max_bytes,
                   allow_statuses=allow_statuses)


def _mismatch(content: bytes, hashes: dict[str, str]) -> tuple[str, str, str] | None:
    """The first (algorithm, actual, expected) that does not match; None when all do."""
    for algo, expected in hashes.items():
        if algo not in hashlib.algorithms_guaranteed:
            continue
        actual = hashlib.new(algo, content).hexdigest()
        if actual != expected:
            return algo, actual, expected
    return None


def _verify(content: bytes, hashes: dict[str, str], url: str) -> None:
    mismatch = _mismatch(content, hashes)
    if mismatch is not None:
        algo, actual, expected = mismatch
        raise HashMismatchError(
            f"The metadata file {redact_url(url)} has {algo} {actual}, "
            f"but the index promised {expected}.")
