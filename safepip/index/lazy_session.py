"""The run's HTTP session, built the first time something needs it.

Building it imports requests, urllib3 and CacheControl (~0.15 s a process). A warm resolution over
a `file://` index reads its pages from disk and its metadata from the cache, so it never needs
one; everything that does (HTTP(S) indexes, downloads, range requests) asks for it here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from safepip.index.httpbase import HttpOptions

if TYPE_CHECKING:
    import requests


class LazySession:
    """Holds the options now, builds `make_session(options)` on first `session()` (thread-safe)."""

    def __init__(self, options: HttpOptions | None = None) -> None:
        self.options = options or HttpOptions()
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._credential_urls: list[str] = []

    def session(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                from safepip.index.http import make_session

                session = make_session(self.options)
                remember_credentials(session, self._credential_urls)
                self._session = session
            return self._session

    def remember_credentials(self, urls: Iterable[str]) -> None:
        """Credentials embedded in `urls` (index URLs) are known to the session before its
        first request, whenever it is built."""
        known = list(urls)
        with self._lock:
            self._credential_urls.extend(known)
            if self._session is not None:
                remember_credentials(self._session, known)

    @property
    def built(self) -> bool:
        """Whether the session exists yet (tests: a warm file:// run never builds it)."""
        return self._session is not None

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()

    def __enter__(self) -> LazySession:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


if TYPE_CHECKING:
    from typing import TypeAlias

    SessionLike: TypeAlias = requests.Session | LazySession
    """What index and resolution code accept: a session, or one to build when first needed."""


def remember_credentials(session: requests.Session, urls: Iterable[str]) -> None:
    """Let the session's UrlCredentials know the user:password@ of each URL (per origin)."""
    from safepip.index.auth import UrlCredentials

    if isinstance(session.auth, UrlCredentials):
        for url in urls:
            session.auth.remember(url)


def real_session(source: SessionLike) -> requests.Session:
    """The session itself, building it if `source` is a LazySession."""
    return source.session() if isinstance(source, LazySession) else source
