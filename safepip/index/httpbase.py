"""What the HTTP layer shares without importing an HTTP library: options, pip's secure-origin
rule, and the fetched-document type.

Kept apart from `safepip.index.http` so that code which only describes or reads documents (page
parsing, `file://` indexes, the lazily built session) does not import requests, urllib3 and
CacheControl (~0.15 s a process); `safepip.index.http` re-exports all three names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class HttpOptions:
    """How the session talks to indexes."""

    connect_timeout: float = 10.0
    """Seconds to wait for a TCP/TLS connection."""
    read_timeout: float = 30.0
    """Seconds to wait between bytes of a response."""
    retries: int = 3
    """Retries after the first attempt, on connection errors, read errors and 5xx (GET/HEAD)."""
    backoff_factor: float = 0.25
    """urllib3 exponential backoff factor between retries (seconds)."""
    fetch_deadline: float = 120.0
    """Seconds a whole page or metadata fetch may take, retries included, against slow-drip
    servers; a file download gets these seconds plus one more per `download_min_rate` bytes
    received (safepip.index.deadline)."""
    download_min_rate: float = 16 * 1024
    """Bytes per second a download must average after its first `fetch_deadline` seconds
    (16 KiB/s, a 128 kbit/s line: a trickle is cut off, a slow but steady link finishes)."""
    cache_dir: Path | None = None
    """HTTP cache directory; None = `<platformdirs user cache>/safepip/http`."""
    use_cache: bool = True
    """False disables the on-disk HTTP cache (like pip's --no-cache-dir)."""
    trusted_hosts: tuple[str, ...] = ()
    """`host` or `host:port` whose TLS certificate is not verified (pip's --trusted-host)."""
    cert: str | None = None
    """CA bundle path used instead of certifi's (pip's --cert)."""
    client_cert: str | None = field(default=None)
    """Client certificate (PEM, key included) for indexes that require one (pip's --client-cert)."""

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or Path(platformdirs.user_cache_dir("safepip")) / "http"


def is_secure_origin(url: str, trusted_hosts: tuple[str, ...] = ()) -> bool:
    """pip's rule: https, file, loopback, or a --trusted-host (`host` or `host:port`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme in ("https", "file") or host in _LOOPBACK or host.startswith("127."):
        return True
    netloc = f"{host}:{parts.port}" if parts.port else host
    return host in trusted_hosts or netloc in trusted_hosts


@dataclass(frozen=True)
class FetchedDocument:
    """A response body read in full and checked for completeness."""

    url: str
    """The final URL (after redirects); may carry credentials: redact before showing."""
    status: int
    content_type: str
    """The Content-Type header, lower-cased ("" when absent)."""
    content: bytes
