"""A requests transport for `file://` URLs (requests has none), with pip's directory rule.

A `file://` index page URL names a directory; like pip we serve its `index.html`. Missing files
answer 404 so callers treat a local index exactly like a remote one.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from safepip.index.localfile import content_type
from safepip.index.localfile import file_url_to_path as file_url_to_path


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
        response.headers["Content-Type"] = content_type(path)
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
