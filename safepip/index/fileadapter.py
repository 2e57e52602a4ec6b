"""A requests transport for `file://` URLs (requests has none), with pip's directory rule.

A `file://` index page URL names a directory; like pip we serve its `index.html`. Missing files
answer 404 so callers treat a local index exactly like a remote one.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


def file_url_to_path(url: str) -> Path:
    """The local path of a `file://` URL (host must be empty or localhost)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"file URL {url!r} names a remote host; only local files are supported")
    return Path(url2pathname(unquote(parts.path)))


def _content_type(path: Path) -> str:
    if path.suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    if path.suffix == ".json":
        return "application/vnd.pypi.simple.v1+json"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class FileAdapter(BaseAdapter):
    """Serve GET/HEAD on `file://` URLs from the local file system."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any,
             ) -> requests.Response:
        response = requests.Response()
        response.request, response.url = request, request.url or ""
        response.headers = CaseInsensitiveDict()
        try:
            path = file_url_to_path(response.url)
        except ValueError as exc:
            return self._status(response, 400, str(exc))
        if path.is_dir():
            path = path / "index.html"
        if request.method not in ("GET", "HEAD"):
            return self._status(response, 405, "Method Not Allowed")
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return self._status(response, 404, "Not Found")
        except OSError as exc:
            return self._status(response, 403, exc.strerror or "Forbidden")
        response.status_code, response.reason, response.raw = 200, "OK", handle
        response.headers["Content-Type"] = _content_type(path)
        response.headers["Content-Length"] = str(path.stat().st_size)
        return response

    @staticmethod
    def _status(response: requests.Response, status: int, reason: str) -> requests.Response:
        response.status_code, response.reason = status, reason
        response._content = reason.encode()
        response._content_consumed = True  # type: ignore[attr-defined]
        response.headers["Content-Type"] = "text/plain"
        return response

    def close(self) -> None:
        return None
