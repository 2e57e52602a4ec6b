"""Parsed `file://` project pages kept between runs, valid only while the page file is unchanged.

A local index page is read from disk on every run (a new upload or a yank must never be missed),
but parsing it again is wasted when the file is the very same: an entry stores the page's stat
stamp (device, inode, size, mtime and ctime in ns; ctime changes on every write and cannot be set
back) taken *before* the file was read, so a file changed during or after the read is a miss on
the next run. HTTP pages never come from here: they are revalidated with the server every run.
Entries are JSON (`Sha256Store`), keyed by the page URL, the index it belongs to and the project,
and carry a digest of the page parser's code; anything doubtful reads as a miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packaging.utils import NormalizedName

from safepip.cache import Sha256Store, code_revision, default_cache_dir
from safepip.index.localfile import document_path
from safepip.index.models import DistributionFile, ProjectPage

logger = logging.getLogger(__name__)

Reader = Callable[[], ProjectPage | None]


class PageCache:
    """`get_or_read(url, index_url, name, read)`: the cached page, or `read()` stored for later."""

    def __init__(self, directory: Path | None = None) -> None:
        self._store = Sha256Store(directory or default_cache_dir("pages"), code_revision(
            "index/simple", "index/html_anchors", "index/models", "index/localfile",
            "index/page_cache"))

    def get_or_read(self, url: str, index_url: str, name: NormalizedName,
                    read: Reader) -> ProjectPage | None:
        """`read()` (the real fetch and parse) unless an entry for the unchanged file exists."""
        stamp = _stamp(url)
        if stamp is None:  # no file (404) or unreadable: let the real read decide, store nothing
            return read()
        key = _key(url, index_url, name)
        payload = self._store.get(key)
        if payload is not None and payload.get("stamp") == stamp:
            page = _page(payload, name)
            if page is not None:
                return page
        page = read()
        if page is not None:
            self._store.put(key, {"stamp": stamp, "url": url, "page": _document(page)})
        return page


def _stamp(url: str) -> list[int] | None:
    try:
        info = os.stat(document_path(url))
    except (OSError, ValueError):
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _key(url: str, index_url: str, name: str) -> str:
    return hashlib.sha256("\0".join((url, index_url, name)).encode()).hexdigest()


def _document(page: ProjectPage) -> dict[str, Any]:
    return {"source_url": page.source_url, "files": [{
        "filename": f.filename, "url": f.url, "hashes": f.hashes,
        "requires_python": f.requires_python, "yanked": f.yanked,
        "upload_time": f.upload_time.isoformat() if f.upload_time else None, "size": f.size,
        "metadata_hashes": f.metadata_hashes, "index_url": f.index_url,
    } for f in page.files]}


def _page(payload: dict[str, Any], name: NormalizedName) -> ProjectPage | None:
    try:
        document = payload["page"]
        files = tuple(_file(raw) for raw in document["files"])
        return ProjectPage(name=name, files=files, source_url=_text(document["source_url"]))
    except (KeyError, TypeError, ValueError) as error:
        logger.debug("ignoring malformed page cache entry for %s: %s", name, error)
        return None


def _file(raw: dict[str, Any]) -> DistributionFile:
    upload = raw["upload_time"]
    return DistributionFile(
        filename=_text(raw["filename"]), url=_text(raw["url"]), hashes=_hashes(raw["hashes"]),
        requires_python=_optional_text(raw["requires_python"]),
        yanked=_optional_text(raw["yanked"]),
        upload_time=dt.datetime.fromisoformat(_text(upload)) if upload is not None else None,
        size=_optional_int(raw["size"]),
        metadata_hashes=None if raw["metadata_hashes"] is None else _hashes(
            raw["metadata_hashes"]),
        index_url=_text(raw["index_url"]),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _optional_int(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected an integer, found {type(value).__name__}")


def _hashes(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("hashes must be an object")
    return {_text(k): _text(v) for k, v in value.items()}
