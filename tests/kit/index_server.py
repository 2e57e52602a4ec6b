"""A real Simple-API index on 127.0.0.1 for tests, with switches for each behaviour we must survive.

`IndexServer(files, **options)` serves:
  /simple/                  project list (PEP 503 HTML / PEP 691 JSON, by Accept header)
  /simple/<normalized>/     project page, content-negotiated; `?format=<mime>` overrides (PEP 691)
  /files/<filename>         the archive (Range requests when enabled)
  /files/<filename>.metadata  PEP 658 core metadata, extracted from the wheel
Per-file options go in `file_options={filename: FileOptions(...)}`; faults on any path through
`add_fault(path_glob, ...)`. Every request is logged in `requests` (method, path, headers).
"""

from __future__ import annotations

import base64
import fnmatch
import html
import json
import ssl
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from packaging.utils import canonicalize_name

from tests.kit.simple_pages import (
    HTML_TYPE,
    JSON_TYPE,
    choose_format,
    html_page,
    malformed_body,
    parse_range,
    project_of,
    self_signed_certificate,
    sha256_hex,
    utc_iso,
    version_of,
    wheel_metadata,
    write_file_index,
)

__all__ = [
    "HTML_TYPE", "JSON_TYPE", "Fault", "FileOptions", "IndexServer", "RequestRecord",
    "choose_format", "self_signed_certificate", "utc_iso", "wheel_metadata", "write_file_index",
]


@dataclass
class FileOptions:
    """How one file appears on the index (None = use the server-wide default)."""

    yanked: str | None = None
    """Yank reason (PEP 592); "" = yanked without a reason; None = not yanked."""
    requires_python: str | None = None
    """Advertised `data-requires-python` / `requires-python`."""
    upload_time: str | None = None
    """PEP 700 upload time, ISO 8601 (e.g. "2024-01-02T03:04:05.000000Z")."""
    metadata: bool | None = None
    """Serve `<file>.metadata` (wheels only; default from the server)."""
    advertise_metadata: bool | None = None
    """Advertise the metadata file on the page (default from the server)."""
    sha256: str | None = None
    """Override the advertised sha256 (e.g. a wrong one)."""
    hash: bool = True
    """Advertise a hash at all."""
    project: str | None = None
    """Project to list the file under when its name is not a wheel/sdist name."""


@dataclass
class Fault:
    """A misbehaviour injected on every path matching `pattern` (fnmatch glob)."""

    pattern: str
    delay: float = 0.0
    status: int | None = None
    times: int | None = None
    """Fire for the first N matching requests only (None = always)."""
    truncate: bool = False
    """Promise the full Content-Length but send only half the body, then close."""
    malformed: bool = False
    """Replace the body with a broken document of the same content type."""
    body: bytes | None = None
    """Replace the body with exactly these bytes."""
    drip: float = 0.0
    """Send the body in 16-byte pieces with this many seconds between them (slow-drip server)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (e.g. {"Location": ...} with status=302, or {"Vary": ...})."""
    fired: int = 0

    def active(self) -> bool:
        return self.times is None or self.fired < self.times


@dataclass(frozen=True)
class RequestRecord:
    """One request the server received."""

    method: str
    path: str
    """Path including the query string, as sent."""
    headers: dict[str, str] = field(compare=False)


@dataclass
class _Entry:
    filename: str
    project: str
    data: bytes
    sha256: str
    metadata: bytes | None
    metadata_sha256: str | None
    options: FileOptions


class IndexServer:
    """A threaded HTTP index on 127.0.0.1 (random port). Use as a context manager or close()."""

    def __init__(
        self, files: Iterable[Path] = (), *, json_api: bool = True, metadata: bool = True,
        advertise_metadata: bool = True, metadata_keys: tuple[str, ...] = (
            "core-metadata", "dist-info-metadata"),
        range_requests: bool = True, absolute_urls: bool = False,
        auth: tuple[str, str] | None = None, file_options: Mapping[str, FileOptions] | None = None,
        cache_control: str | None = "max-age=600", faults: Iterable[Fault] = (),
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.json_api, self.metadata = json_api, metadata
        self.advertise_metadata = advertise_metadata
        self.metadata_keys, self.range_requests = metadata_keys, range_requests
        self.absolute_urls, self.auth, self.cache_control = absolute_urls, auth, cache_control
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._extra_projects: set[str] = set()
        self.faults: list[Fault] = list(faults)
        self.requests: list[RequestRecord] = []
        self._stopping = threading.Event()
        for path in files:
            self.add_file(path, (file_options or {}).get(Path(path).name))
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # -- configuration ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    @property
    def index_url(self) -> str:
        """The Simple API root, `<url>/simple/`."""
        return f"{self.url}/simple/"

    def url_with_auth(self, user: str, password: str) -> str:
        """The index URL with `user:password@` in it."""
        scheme = f"{self.scheme}://"
        return self.index_url.replace(scheme, f"{scheme}{quote(user)}:{quote(password)}@", 1)

    def file_url(self, filename: str) -> str:
        return f"{self.url}/files/{quote(filename)}"

    def add_file(self, path: Path, options: FileOptions | None = None) -> None:
        """Serve one more archive."""
        opts = options or FileOptions()
        name, data = Path(path).name, Path(path).read_bytes()
        meta = wheel_metadata(data) if name.endswith(".whl") else None
        entry = _Entry(name, project_of(name, opts.project), data, sha256_hex(data),
                       meta, sha256_hex(meta) if meta is not None else None, opts)
        with self._lock:
            self._entries[entry.filename] = entry

    def add_project(self, name: str) -> None:
        """List a project with no files (an empty page rather than a 404)."""
        with self._lock:
            self._extra_projects.add(canonicalize_name(name))

    def replace_file(self, filename: str, data: bytes, *, update_hash: bool = False) -> None:
        """Serve different bytes for `filename` (or `<filename>.metadata`) from now on.

        The page keeps advertising the old hash unless `update_hash` (TOCTOU tests).
        """
        with self._lock:
            if filename.endswith(".metadata") and filename not in self._entries:
                entry = self._entries[filename.removesuffix(".metadata")]
                entry.metadata = data
                if update_hash:
                    entry.metadata_sha256 = sha256_hex(data)
                return
            entry = self._entries[filename]
            entry.data = data
            if update_hash:
                entry.sha256 = sha256_hex(data)

    def add_fault(self, pattern: str, **kwargs: Any) -> Fault:
        """Inject a fault on paths matching `pattern`: add_fault("/simple/foo/", status=500)."""
        fault = Fault(pattern, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    # -- inspection -------------------------------------------------------------------------
    def requests_for(self, path: str, method: str | None = None) -> list[RequestRecord]:
        """Logged requests whose path (without query) equals `path`."""
        with self._lock:
            return [r for r in self.requests
                    if r.path.split("?", 1)[0] == path and (method is None or r.method == method)]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop serving, wake delayed handlers and release the port."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> IndexServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals used by the handler -------------------------------------------------------
    def _log(self, record: RequestRecord) -> list[Fault]:
        with self._lock:
            self.requests.append(record)
            path = record.path.split("?", 1)[0]
            hit = [f for f in self.faults if fnmatch.fnmatchcase(path, f.pattern) and f.active()]
            for fault in hit:
                fault.fired += 1
            return hit

    def _snapshot(self) -> tuple[list[_Entry], set[str]]:
        with self._lock:
            entries = list(self._entries.values())
            return entries, {e.project for e in entries} | self._extra_projects

    def _serves_metadata(self, entry: _Entry) -> bool:
        on = self.metadata if entry.options.metadata is None else entry.options.metadata
        return on and entry.metadata is not None

    def _advertises_metadata(self, entry: _Entry) -> bool:
        opt = entry.options.advertise_metadata
        on = self.advertise_metadata if opt is None else opt
        return on and entry.metadata_sha256 is not None and (
            opt is not None or self._serves_metadata(entry))

    def _href(self, filename: str) -> str:
        return self.file_url(filename) if self.absolute_urls else f"../../files/{quote(filename)}"

    def project_json(self, project: str) -> dict[str, Any] | None:
        """The PEP 691 document for one project (None when unknown)."""
        entries, projects = self._snapshot()
        if project not in projects:
            return None
        files = [self._file_json(e) for e in sorted(entries, key=lambda e: e.filename)
                 if e.project == project]
        return {"meta": {"api-version": "1.1"}, "name": project, "files": files,
                "versions": sorted({version_of(e["filename"]) for e in files} - {None})}

    def _file_json(self, entry: _Entry) -> dict[str, Any]:
        opts = entry.options
        doc: dict[str, Any] = {"filename": entry.filename, "url": self._href(entry.filename),
                               "hashes": {}, "size": len(entry.data)}
        if opts.hash:
            doc["hashes"] = {"sha256": opts.sha256 or entry.sha256}
        if opts.requires_python is not None:
            doc["requires-python"] = opts.requires_python
        if opts.yanked is not None:
            doc["yanked"] = opts.yanked or True
        if opts.upload_time is not None:
            doc["upload-time"] = opts.upload_time
        if self._advertises_metadata(entry):
            for key in self.metadata_keys:
                doc[key] = {"sha256": entry.metadata_sha256}
        return doc

    def project_html(self, project: str) -> str | None:
        """The PEP 503 page for one project (None when unknown)."""
        doc = self.project_json(project)
        if doc is None:
            return None
        links = []
        for f in doc["files"]:
            attrs = [f'href="{html.escape(f["url"])}'
                     + (f'#sha256={f["hashes"]["sha256"]}"' if f["hashes"] else '"')]
            if "requires-python" in f:
                attrs.append(f'data-requires-python="{html.escape(f["requires-python"])}"')
            if "yanked" in f:
                reason = "" if f["yanked"] is True else f["yanked"]
                attrs.append(f'data-yanked="{html.escape(reason)}"')
            for key in self.metadata_keys:
                if key in f:
                    attrs.append(f'data-{key}="sha256={f[key]["sha256"]}"')
            links.append(f'<a {" ".join(attrs)}>{html.escape(f["filename"])}</a><br/>')
        return html_page(f"Links for {project}", links)

    def root_json(self) -> dict[str, Any]:
        _, projects = self._snapshot()
        return {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in sorted(projects)]}

    def root_html(self) -> str:
        _, projects = self._snapshot()
        links = [f'<a href="{quote(p)}/">{html.escape(p)}</a><br/>' for p in sorted(projects)]
        return html_page("Simple index", links)

    def file_bytes(self, name: str) -> bytes | None:
        with self._lock:
            if name in self._entries:
                return self._entries[name].data
            entry = self._entries.get(name.removesuffix(".metadata"))
        if name.endswith(".metadata") and entry is not None and self._serves_metadata(entry):
            return entry.metadata
        return None

    def auth_ok(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        expected = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return header == f"Basic {expected}"


class _QuietServer(ThreadingHTTPServer):
    """Clients hanging up (timeouts, truncation tests) are normal here; anything else prints."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            return
        super().handle_error(request, client_address)


def _make_handler(server: IndexServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        index = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    index: IndexServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        record = RequestRecord(self.command, self.path, dict(self.headers.items()))
        faults = self.index._log(record)
        for fault in faults:
            if fault.delay and self.index._stopping.wait(fault.delay):
                return
        status_fault = next((f for f in faults if f.status is not None), None)
        if status_fault is not None:
            return self._send(status_fault.status or 500, b"injected fault\n", "text/plain",
                              head=head, extra=status_fault.headers)
        if not self.index.auth_ok(self.headers.get("Authorization")):
            return self._send(401, b"authentication required\n", "text/plain", head=head,
                              extra={"WWW-Authenticate": 'Basic realm="test index"'})
        status, body, ctype, extra = self._route()
        for fault in faults:
            extra = {**extra, **fault.headers}  # e.g. Vary: Authorization on a normal answer
            if fault.body is not None:
                body = fault.body
            elif fault.malformed:
                body = malformed_body(ctype)
        truncate = any(f.truncate for f in faults)
        drip = max((f.drip for f in faults), default=0.0)
        self._send(status, body, ctype, head=head, extra=extra, truncate=truncate, drip=drip)

    def _route(self) -> tuple[int, bytes, str, dict[str, str]]:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.startswith("/files/"):
            return self._file(path.removeprefix("/files/"))
        if path == "/simple/" or (path.startswith("/simple/") and path.endswith("/")):
            fmt = choose_format(self.headers.get("Accept"),
                                parse_qs(parts.query).get("format", [None])[0],
                                self.index.json_api)
            return self._page(path.removeprefix("/simple/").rstrip("/"), fmt)
        if path.startswith("/simple/"):
            return 301, b"", "text/plain", {"Location": parts.path + "/"}
        return 404, b"not found\n", "text/plain", {}

    def _page(self, project: str, fmt: str) -> tuple[int, bytes, str, dict[str, str]]:
        if project and project != canonicalize_name(project):
            return 301, b"", "text/plain", {"Location": f"/simple/{canonicalize_name(project)}/"}
        doc: Any
        if fmt == JSON_TYPE:
            doc = self.index.project_json(project) if project else self.index.root_json()
            body = None if doc is None else json.dumps(doc).encode()
        else:
            doc = self.index.project_html(project) if project else self.index.root_html()
            body = None if doc is None else doc.encode()
        if body is None:
            return 404, b"no such project\n", "text/plain", {}
        extra = {"Vary": "Accept"}
        if self.index.cache_control:
            extra["Cache-Control"] = self.index.cache_control
        ctype = fmt if fmt == JSON_TYPE else f"{fmt}; charset=utf-8"
        return 200, body, ctype, extra

    def _file(self, name: str) -> tuple[int, bytes, str, dict[str, str]]:
        data = self.index.file_bytes(name)
        if data is None:
            return 404, b"no such file\n", "text/plain", {}
        extra = {"Cache-Control": "max-age=31536000, immutable"}
        if not self.index.range_requests:
            return 200, data, "application/octet-stream", extra
        extra["Accept-Ranges"] = "bytes"
        span = parse_range(self.headers.get("Range"), len(data))
        if span is None:
            return 200, data, "application/octet-stream", extra
        if span == (-1, -1):
            return 416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"}
        start, end = span
        extra["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return 206, data[start:end + 1], "application/octet-stream", extra

    def _send(self, status: int, body: bytes, ctype: str, *, head: bool,
              extra: Mapping[str, str] | None = None, truncate: bool = False,
              drip: float = 0.0) -> None:
        etag = f'"{sha256_hex(body)[:32]}"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status in (200, 304):
            self.send_header("ETag", etag)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head and status != 304:
            self._write_body(body[: len(body) // 2] if truncate else body, drip)

    def _write_body(self, body: bytes, drip: float) -> None:
        if not drip:
            self.wfile.write(body)
            return
        for start in range(0, len(body), 16):
            self.wfile.write(body[start:start + 16])
            self.wfile.flush()
            if self.index._stopping.wait(drip):
                return


