"""`file://` documents read straight from disk, by the rules of the requests transport.

As `fileadapter.FileAdapter` (and pip): a directory URL serves its `index.html`, a missing file is
a 404, the Content-Type follows the suffix. Index pages and PEP 658 files of a local index are read
here, so a run over a `file://` index needs no HTTP library at all.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

if os.name == "nt":
    from nturl2path import url2pathname
else:

    def url2pathname(url: str) -> str:
        """urllib.request's POSIX url2pathname, without importing urllib.request (which pulls
        in http.client and email: ~40 ms a process)."""
        return unquote(url)

from safepip.errors import IndexPageError, NetworkError
from safepip.index.httpbase import FetchedDocument
from safepip.redact import redact_url

logger = logging.getLogger(__name__)


def is_file_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "file"


def file_url_to_path(url: str) -> Path:
    """The local path of a `file://` URL (host must be empty or localhost)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"file URL {url!r} names a remote host; only local files are supported")
    return Path(url2pathname(unquote(parts.path)))


def document_path(url: str) -> Path:
    """The file a `file://` URL serves: the path itself, or a directory's `index.html`."""
    path = file_url_to_path(url)
    return path / "index.html" if path.is_dir() else path


def content_type(path: Path) -> str:
    if path.suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    if path.suffix == ".json":
        return "application/vnd.pypi.simple.v1+json"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def read_file_url(url: str, *, max_bytes: int) -> FetchedDocument:
    """The whole document (status 200), or status 404 when there is no such file.

    A remote host in the URL, an unreadable file or one over `max_bytes` raises: never "empty".
    """
    try:
        path = document_path(url)
    except ValueError as exc:
        raise NetworkError(f"{redact_url(url)} cannot be read: {exc}.") from None
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > max_bytes:
                raise IndexPageError(f"{redact_url(url)} is over the {max_bytes}-byte limit.")
            content = handle.read(max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError):
        logger.debug("no file behind %s", redact_url(url))
        return FetchedDocument(url=url, status=404, content_type="text/plain", content=b"")
    except OSError as exc:
        raise NetworkError(f"Could not read {redact_url(url)}: {exc.strerror or exc}.",
                           hint="Check that the local index is readable.") from None
    if len(content) > max_bytes:  # grew while being read
        raise IndexPageError(f"{redact_url(url)} is over the {max_bytes}-byte limit.")
    return FetchedDocument(url=url, status=200, content_type=content_type(path), content=content)


_CHUNK = 1 << 20


def iter_file_url(url: str, *, max_bytes: int) -> Iterator[bytes]:
    """The bytes of a `file://` file in chunks, for a download: no more than `max_bytes`, and a
    missing or unreadable file raises (NetworkError), as a 404 over HTTP does."""
    try:
        path = file_url_to_path(url)
    except ValueError as exc:
        raise NetworkError(f"{redact_url(url)} cannot be read: {exc}.") from None
    received = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise IndexPageError(f"{redact_url(url)} is over the {max_bytes}-byte limit.")
                yield chunk
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise NetworkError(f"{redact_url(url)} does not exist.",
                           hint="Check the local index; the file it lists is missing.") from None
    except OSError as exc:
        raise NetworkError(f"Could not read {redact_url(url)}: {exc.strerror or exc}.",
                           hint="Check that the local index is readable.") from None
