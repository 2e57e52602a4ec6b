"""`--find-links` locations: local directories, local files, and HTML pages (http or file).

Like pip: a directory is listed (not recursively) for archives; a local `.html` file or a remote
URL is read as a PEP 503-style page of links; a local archive path is itself a candidate. Files are
kept only when their name parses (packaging) to the wanted project. Local files get a sha256
computed here so they are pinned like index files. A location that does not exist is skipped with
a warning, as pip does; a page that cannot be fetched is an error.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urlsplit

from packaging.utils import (
    NormalizedName,
    canonicalize_name,
)

from safepip.index.filenames import is_distribution_filename, project_of
from safepip.index.lazy_session import real_session
from safepip.index.localfile import file_url_to_path, is_file_url, read_file_url
from safepip.index.models import DistributionFile
from safepip.index.simple import filename_from_url, parse_project_page
from safepip.redact import redact_url

if TYPE_CHECKING:
    from safepip.index.lazy_session import SessionLike

logger = logging.getLogger(__name__)
MAX_PAGE_BYTES = 64 * 1024 * 1024
_HTML_ACCEPT = "text/html, application/vnd.pypi.simple.v1+html; q=0.9"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_local(location: str) -> bool:
    scheme = urlsplit(location).scheme.lower()
    return scheme == "file" or len(scheme) <= 1  # "" or a Windows drive letter


class FindLinks:
    """One `--find-links` location, read at most once per run; thread-safe."""

    def __init__(self, session: SessionLike, location: str) -> None:
        self.session, self.location = session, location
        self._lock = threading.Lock()
        self._entries: list[DistributionFile | Path] | None = None
        self._hashed: dict[Path, DistributionFile] = {}

    def files_for(self, name: NormalizedName) -> list[DistributionFile]:
        """This location's files for project `name` (local files hashed on first use)."""
        return [self._materialize(entry) for entry in self._load()
                if project_of(entry.name if isinstance(entry, Path) else entry.filename) == name]

    def _load(self) -> list[DistributionFile | Path]:
        with self._lock:
            if self._entries is None:
                self._entries = (self._read_local() if is_local(self.location)
                                 else list(self._read_page(self.location)))
            return self._entries

    def _materialize(self, entry: DistributionFile | Path) -> DistributionFile:
        if isinstance(entry, DistributionFile):
            return entry
        with self._lock:
            if entry not in self._hashed:
                self._hashed[entry] = DistributionFile(
                    filename=entry.name, url=entry.as_uri(), hashes={"sha256": sha256_of(entry)},
                    size=entry.stat().st_size, index_url=self.location,
                )
            return self._hashed[entry]

    def _local_path(self) -> Path:
        if urlsplit(self.location).scheme.lower() == "file":
            return file_url_to_path(self.location).resolve()
        return Path(self.location).expanduser().resolve()

    def _read_local(self) -> list[DistributionFile | Path]:
        path = self._local_path()
        if path.is_dir():
            return [p for p in sorted(path.iterdir())
                    if p.is_file() and is_distribution_filename(p.name)]
        if path.is_file() and path.suffix.lower() in (".html", ".htm"):
            return list(self._read_page(path.as_uri()))
        if path.is_file() and is_distribution_filename(path.name):
            return [path]
        logger.warning("Find-links location %s is ignored: it is neither a file nor a directory.",
                       redact_url(self.location))
        return []

    def _read_page(self, url: str) -> list[DistributionFile]:
        if is_distribution_filename(filename_from_url(url)):
            return [DistributionFile(filename=filename_from_url(url), url=urldefrag(url)[0],
                                     index_url=self.location)]
        if is_file_url(url):
            document = read_file_url(url, max_bytes=MAX_PAGE_BYTES)
        else:
            from safepip.index.http import get

            document = get(real_session(self.session), url, headers={"Accept": _HTML_ACCEPT},
                           max_bytes=MAX_PAGE_BYTES)
        if document.status == 404:
            logger.warning("Find-links page %s was not found (404); it is ignored.",
                           redact_url(url))
            return []
        page = parse_project_page(document, canonicalize_name("find-links"),
                                  index_url=self.location)
        return list(page.files)
