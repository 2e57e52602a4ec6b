"""Index credentials: from the URL, remembered per host, or from ~/.netrc; never shown.

A file listed on an authenticated index often lives on the same host under an absolute URL without
`user:password@`; like pip's MultiDomainBasicAuth we remember credentials per (scheme, host, port)
and apply them to later requests to that origin only.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth
from requests.utils import get_auth_from_url, get_netrc_auth


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL: the unit credentials are remembered for."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


class UrlCredentials(AuthBase):
    """Basic auth from the request URL, else from a remembered origin, else from ~/.netrc."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str, int | None], tuple[str, str]] = {}
        self._netrc: dict[tuple[str, str, int | None], tuple[str, str] | None] = {}

    def remember(self, url: str) -> None:
        """Record credentials embedded in `url` (e.g. each configured index URL)."""
        user, password = get_auth_from_url(url)
        if user or password:
            with self._lock:
                self._known[origin(url)] = (user, password)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        self.remember(url)
        # From here on the credentials travel in the Authorization header only: a URL with
        # `user:password@` would become the HTTP cache's key (a hash of it names the cache
        # file, open to an offline guess) and appear in the cache library's debug log.
        request.url = without_userinfo(url)
        with self._lock:
            known = self._known.get(origin(url))
        credentials = known or self._from_netrc(url)
        if credentials:
            authed: requests.PreparedRequest = HTTPBasicAuth(*credentials)(request)
            return authed
        return request

    def _from_netrc(self, url: str) -> tuple[str, str] | None:
        """~/.netrc is read once per origin (not per request), and never for local files."""
        key = origin(url)
        if key[0] == "file":
            return None
        with self._lock:
            if key in self._netrc:
                return self._netrc[key]
        found = get_netrc_auth(url)
        with self._lock:
            self._netrc[key] = found
        return found


def without_userinfo(url: str) -> str:
    """`url` without `user:password@` (unchanged when it has none)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
