"""The one HTTP session of a run: verified TLS, timeouts, bounded retries, an HTTP cache, redaction.

`make_session(options)` builds it; `get(session, url, ...)` fetches one document and turns every
transport fault (connection refused, timeout, 5xx after retries, truncated or oversize body) into a
`NetworkError`/`IndexPageError` whose message carries no credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import requests
import urllib3
from cachecontrol import CacheControlAdapter
from cachecontrol.caches import SeparateBodyFileCache
from cachecontrol.controller import CacheController
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from safepip import __version__
from safepip.errors import IndexPageError, NetworkError
from safepip.index.auth import UrlCredentials
from safepip.index.deadline import (
    Deadline,
    active_deadline,
    fetch_deadline,
    report_progress,
    watch_pools,
)
from safepip.index.fileadapter import FileAdapter
from safepip.index.httpbase import FetchedDocument as FetchedDocument
from safepip.index.httpbase import HttpOptions as HttpOptions
from safepip.index.httpbase import is_secure_origin as is_secure_origin
from safepip.redact import redact_text, redact_url

logger = logging.getLogger(__name__)

USER_AGENT = f"safepip/{__version__}"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
CHUNK = 64 * 1024


class Session(requests.Session):
    """requests.Session with default timeouts, the --cert bundle, and pip's secure-origin rule."""

    def __init__(self, options: HttpOptions) -> None:
        super().__init__()
        self.http_options = options
        self.credentials = UrlCredentials()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # Checked per request, so a redirect cannot downgrade to plain HTTP on an untrusted host.
        url = request.url or ""
        if not is_secure_origin(url, self.http_options.trusted_hosts):
            raise NetworkError(
                f"{redact_url(url)} is plain HTTP on a host that is not trusted; not fetched.",
                hint="Use an https:// URL, or pass --trusted-host for this host (unsafe).")
        if active_deadline():
            return super().send(request, **kwargs)
        # No caller set a deadline: at least connecting and the headers (the whole body
        # unless streamed) are bounded.
        with Deadline(self.http_options.fetch_deadline, redact_url(url)):
            return super().send(request, **kwargs)

    def request(self, method: str | bytes, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.http_options.timeout)
        if self.http_options.cert:
            # Per request: requests lets REQUESTS_CA_BUNDLE override a session-level `verify`.
            kwargs.setdefault("verify", self.http_options.cert)
        return super().request(method, url, *args, **kwargs)


CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
"""Request headers that carry secrets: never written to the HTTP cache."""


class _CredentialFreeController(CacheController):
    """CacheControl writes the request headers a response's `Vary` names into the cache entry
    (to match later requests against); for `Vary: Authorization` that is the index password
    (base64), in a directory CI systems upload and share. Such responses are not cached."""

    def _cache_set(self, cache_url: str, request: requests.PreparedRequest,
                   response: Any, body: bytes | None = None,
                   expires_time: int | None = None) -> None:
        # The one place CacheControl writes an entry (new responses, 301s, 304 refreshes).
        if varies_on_credentials(request, response.headers):
            logger.debug("not caching %s: it varies on a credential header",
                         redact_url(cache_url))
            return
        super()._cache_set(cache_url, request, response, body, expires_time)


def varies_on_credentials(request: requests.PreparedRequest,
                          response_headers: Mapping[str, str]) -> bool:
    """Whether caching this response would store a credential the request carries."""
    varied = {name.strip().lower() for name in response_headers.get("vary", "").split(",")}
    if "*" in varied:
        return False  # never matched again, so CacheControl stores no request header for it
    present = {name.lower() for name in request.headers}
    return bool(varied & CREDENTIAL_HEADERS & present)


class _WatchedPools(HTTPAdapter):
    """An adapter whose connections an overall Deadline can cut (safepip.index.deadline)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return watch_pools(super().proxy_manager_for(proxy, **proxy_kwargs))


class _Adapter(_WatchedPools):
    pass


class _CacheAdapter(_WatchedPools, CacheControlAdapter):
    pass


class _InsecureCacheAdapter(_CacheAdapter):
    """pip's semantics for --trusted-host over HTTPS: no certificate verification."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any,
             ) -> requests.Response:
        kwargs["verify"] = False
        return super().send(request, *args, **kwargs)


class _InsecureAdapter(_Adapter):
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any,
             ) -> requests.Response:
        kwargs["verify"] = False
        return super().send(request, *args, **kwargs)


def _retry(options: HttpOptions) -> Retry:
    # GET/HEAD only: both are idempotent; the final 5xx comes back as a response (raise_on_status
    # False) so `get` can word the error itself.
    return Retry(
        total=options.retries, connect=options.retries, read=options.retries,
        status=options.retries, backoff_factor=options.backoff_factor,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET", "HEAD"}),
        # Retry-After is ignored: a hostile server must not stall a run for as long as it likes.
        raise_on_status=False, respect_retry_after_header=False,
    )


def _adapter(options: HttpOptions, *, insecure: bool) -> HTTPAdapter:
    retry = _retry(options)
    if not options.use_cache:
        return _InsecureAdapter(max_retries=retry) if insecure else _Adapter(max_retries=retry)
    cache = SeparateBodyFileCache(str(options.resolved_cache_dir()))
    cls = _InsecureCacheAdapter if insecure else _CacheAdapter
    return cls(cache=cache, max_retries=retry, controller_class=_CredentialFreeController)


def make_session(options: HttpOptions | None = None) -> Session:
    """The session for the whole run (one per run: it carries the connection pools and cache)."""
    options = options or HttpOptions()
    session = Session(options)
    session.headers["User-Agent"] = USER_AGENT
    session.auth = session.credentials
    if options.cert:
        session.verify = options.cert
    if options.client_cert:
        session.cert = options.client_cert
    session.mount("https://", _adapter(options, insecure=False))
    session.mount("http://", _adapter(options, insecure=False))
    session.mount("file://", FileAdapter())
    for host in options.trusted_hosts:
        # Like pip: a trusted host's HTTPS certificate is not checked. Say so every run.
        logger.warning("TLS certificate verification is disabled for trusted host %s", host)
        for prefix in _host_prefixes(host):
            session.mount(prefix, _adapter(options, insecure=True))
    return session


def _host_prefixes(host: str) -> list[str]:
    # pip mounts "https://host/" and, without a port, "https://host:" so every port matches.
    return [f"https://{host}/"] if ":" in host else [f"https://{host}/", f"https://{host}:"]


def describe_exception(exc: BaseException, url: str) -> str:
    """A redacted sentence for a transport exception raised while fetching `url`."""
    where = redact_url(url)
    if isinstance(exc, requests.exceptions.SSLError):
        return (f"TLS verification failed for {where}: {redact_text(str(exc))}. "
                "Use --cert with your CA bundle; --trusted-host disables verification (unsafe).")
    if isinstance(exc, requests.exceptions.Timeout) or _timed_out(exc):
        return f"Timed out fetching {where}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError
                  | requests.exceptions.ContentDecodingError):
        return f"The response from {where} was cut off or corrupted ({type(exc).__name__})"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"Could not connect to {where}: {redact_text(str(exc))}"
    return f"Fetching {where} failed: {redact_text(str(exc))}"


def _timed_out(exc: BaseException) -> bool:
    # After retries requests reports a read timeout as ConnectionError(MaxRetryError(reason)).
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused) subclasses its ConnectTimeoutError: not a timeout.
    return isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
        reason, urllib3.exceptions.NewConnectionError)


def open_stream(session: requests.Session, url: str, *,
                headers: Mapping[str, str] | None = None) -> requests.Response:
    """Start a streamed GET; transport faults become NetworkError (redacted)."""
    try:
        return session.get(url, headers=dict(headers or {}), stream=True, allow_redirects=True)
    except requests.RequestException as exc:
        raise NetworkError(describe_exception(exc, url)) from None


def check_status(response: requests.Response, url: str, allow: frozenset[int]) -> None:
    """Raise a NetworkError for statuses the caller did not allow (5xx come after retries)."""
    status = response.status_code
    if 200 <= status < 300 or status in allow:
        return
    where = redact_url(url)
    if status in (401, 403):
        raise NetworkError(
            f"{where} answered {status}: credentials are missing or refused.",
            hint="Put them in the index URL or in ~/.netrc; safepip never prints them.")
    if status >= 500:
        raise NetworkError(f"{where} answered {status} {response.reason} (after retries).")
    raise NetworkError(f"{where} answered {status} {response.reason}.")


def iter_body(response: requests.Response, url: str, max_bytes: int) -> Iterator[bytes]:
    """Yield the body in chunks, enforcing `max_bytes` and the announced Content-Length (the
    time it may take is bounded by the caller's `Deadline`, told of each chunk)."""
    announced = _content_length(response)
    if announced is not None and announced > max_bytes:
        raise IndexPageError(f"{redact_url(url)} is {announced} bytes, over the "
                             f"{max_bytes}-byte limit.")
    received = 0
    try:
        for chunk in response.iter_content(CHUNK):
            received += len(chunk)
            if received > max_bytes:
                raise IndexPageError(f"{redact_url(url)} is over the {max_bytes}-byte limit.")
            report_progress(len(chunk))
            yield chunk
    except requests.RequestException as exc:
        raise IndexPageError(describe_exception(exc, url)) from None
    if announced is not None and received != announced:
        raise IndexPageError(f"The response from {redact_url(url)} was truncated: "
                             f"{received} of {announced} bytes arrived.")


def _content_length(response: requests.Response) -> int | None:
    # Content-Length counts encoded bytes; only comparable when the body is not compressed.
    if response.headers.get("Content-Encoding", "identity").lower() not in ("identity", ""):
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def get(
    session: requests.Session, url: str, *, headers: Mapping[str, str] | None = None,
    max_bytes: int = 64 * 1024 * 1024, allow_statuses: frozenset[int] = frozenset({404}),
    deadline_seconds: float | None = None,
) -> FetchedDocument:
    """GET `url` in full. Statuses other than 2xx and `allow_statuses` raise NetworkError.

    `deadline_seconds` bounds the whole fetch, retries included (default: the session's
    `fetch_deadline`).
    """
    if deadline_seconds is None:
        deadline_seconds = fetch_deadline(session)
    with Deadline(deadline_seconds, redact_url(url)):
        response = open_stream(session, url, headers=headers)
        with response:
            check_status(response, url, allow_statuses)
            content = b"".join(iter_body(response, url, max_bytes))
    logger.debug("GET %s -> %d (%d bytes)", redact_url(url), response.status_code, len(content))
    return FetchedDocument(
        url=response.url or url, status=response.status_code,
        content_type=response.headers.get("Content-Type", "").lower(), content=content,
    )
