"""The run's HTTP session, built the first time something needs it.

Building it imports requests, urllib3 and CacheControl (~0.15 s a process). A warm resolution over
a `file://` index reads its pages from disk and its metadata from the cache, so it never needs
one; everything that does (HTTP(S) indexes, downloads, range requests) asks for it here.
"""

from __future__ import annotations

import threading
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

    def session(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                from safepip.index.http import make_session

                self._session = make_session(self.options)
            return self._session

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


def real_session(source: SessionLike) -> requests.Session:
    """The session itself, building it if `source` is a LazySession."""
    return source.session() if isinstance(source, LazySession) else source
