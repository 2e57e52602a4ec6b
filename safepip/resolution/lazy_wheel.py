"""A wheel's METADATA over HTTP range requests, without the whole wheel (like pip's lazy_wheel).

The first request asks for the last `TAIL_BYTES` of the file (a suffix range), which normally
holds the whole zip central directory; `zipfile` then reads through a sparse, range-backed file
object that fetches only the spans it touches (the METADATA member's local header and data).
A server that ignores `Range` (answers 200) or refuses it (416/501) gets `None` back, and the
caller downloads the whole wheel. Every fetch counts against `MAX_FETCHED_BYTES`.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from urllib.parse import unquote, urlsplit

import requests
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from safepip.errors import ArchiveError, NetworkError
from safepip.index.deadline import Deadline, fetch_deadline
from safepip.redact import redact_text, redact_url
from safepip.resolution.archive_members import read_wheel_metadata
from safepip.resolution.core_metadata import MAX_METADATA_BYTES

logger = logging.getLogger(__name__)

TAIL_BYTES = 64 * 1024
"""First suffix range: enough for the central directory of all but the largest wheels."""
MIN_FETCH = 16 * 1024
"""Smallest further range fetched, so zipfile's small reads do not each cost a request."""
MAX_FETCHED_BYTES = MAX_METADATA_BYTES + 16 * 1024 * 1024
"""Bytes one wheel may cost before we stop (METADATA plus a generous central directory)."""
TIMEOUT = 30.0
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_HEADERS = {"Accept-Encoding": "identity", "Cache-Control": "no-cache"}


class _RangeUnsupported(Exception):
    """The server does not serve byte ranges for this URL."""


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file; spans are fetched on first read."""

    def __init__(self, session: requests.Session, url: str) -> None:
        super().__init__()
        self._session, self._url, self._pos, self._fetched = session, url, 0, 0
        self._spans: list[tuple[int, bytes]] = []
        start, data, self._length = self._get(f"bytes=-{TAIL_BYTES}")
        self._add(start, data)

    def _get(self, spec: str) -> tuple[int, bytes, int]:
        where = redact_url(self._url)
        try:
            with Deadline(fetch_deadline(self._session), where), \
                    self._session.get(self._url, headers={**_HEADERS, "Range": spec},
                                      stream=True, timeout=TIMEOUT) as response:
                if response.status_code in (200, 416, 501):
                    raise _RangeUnsupported(str(response.status_code))
                if response.status_code != 206:
                    raise NetworkError(f"{where} answered HTTP {response.status_code} to a "
                                       "range request for its metadata.")
                match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                if match is None:
                    raise NetworkError(f"{where} sent a partial answer without a usable "
                                       "Content-Range header.")
                start, end, total = (int(g) for g in match.groups())
                data = self._read_body(response, end - start + 1)
        except requests.RequestException as exc:
            raise NetworkError(f"{where}: {redact_text(str(exc))}") from exc
        if len(data) != end - start + 1 or end >= total:
            raise NetworkError(f"{where} sent {len(data)} bytes for range {start}-{end}/{total}.")
        return start, data, total

    def _read_body(self, response: requests.Response, expected: int) -> bytes:
        self._fetched += expected
        if self._fetched > MAX_FETCHED_BYTES:
            raise ArchiveError(f"{redact_url(self._url)}: reading the wheel's metadata needs "
                               f"more than {MAX_FETCHED_BYTES} bytes; refusing.")
        chunks: list[bytes] = []
        size = 0
        while size <= expected:
            chunk = response.raw.read(expected + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    def _add(self, start: int, data: bytes) -> None:
        spans = sorted([*self._spans, (start, data)])
        merged: list[tuple[int, bytes]] = []
        for begin, chunk in spans:
            if merged and begin <= merged[-1][0] + len(merged[-1][1]):
                head, body = merged[-1]
                overlap = head + len(body) - begin
                merged[-1] = (head, body + chunk[overlap:])
            else:
                merged.append((begin, chunk))
        self._spans = merged

    def _ensure(self, start: int, end: int) -> None:
        """Fetch whatever part of [start, end) is not held yet (spans are kept merged)."""
        cursor = start
        for begin, chunk in list(self._spans):
            if begin > cursor and cursor < end:
                self._fetch(cursor, min(end, begin))
            cursor = max(cursor, begin + len(chunk))
        if cursor < end:
            self._fetch(cursor, end)

    def _fetch(self, start: int, end: int) -> None:
        last = min(max(end, start + MIN_FETCH), self._length) - 1
        begin, data, _ = self._get(f"bytes={start}-{last}")
        self._add(begin, data)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        end = min(self._pos + len(buffer), self._length)
        if end <= self._pos:
            return 0
        self._ensure(self._pos, end)
        for begin, chunk in self._spans:
            if begin <= self._pos and self._pos < begin + len(chunk):
                piece = chunk[self._pos - begin: end - begin]
                buffer[: len(piece)] = piece
                self._pos += len(piece)
                return len(piece)
        raise ArchiveError(f"{redact_url(self._url)}: internal range bookkeeping failed.")

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


def wheel_metadata_over_http(session: requests.Session, url: str) -> bytes | None:
    """METADATA of the wheel at `url`, read through range requests; None when ranges are
    unsupported (the caller then downloads the whole wheel and uses `metadata_from_wheel_file`).

    The wheel filename (last URL segment) must name the project its dist-info belongs to.
    """
    filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    try:
        project = str(parse_wheel_filename(filename)[0])
    except (InvalidWheelFilename, ValueError) as exc:
        raise ArchiveError(f"{redact_url(url)}: not a valid wheel filename ({exc}).") from exc
    try:
        remote = _RangeFile(session, url)
    except _RangeUnsupported as exc:
        logger.debug("no range support for %s (HTTP %s)", redact_url(url), exc)
        return None
    try:
        with zipfile.ZipFile(io.BufferedReader(remote, buffer_size=MIN_FETCH)) as archive:
            data = read_wheel_metadata(archive, project, filename)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ArchiveError(f"{redact_url(url)}: not a readable wheel: {exc}") from exc
    except _RangeUnsupported:
        return None
    logger.debug("read %d metadata bytes of %s with %d range bytes", len(data),
                 redact_url(url), remote._fetched)
    return data
