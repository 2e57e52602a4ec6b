"""A small on-disk store of JSON documents keyed by sha256, for results that never change for the
same bytes (scan findings, static metadata). Entries also carry the safepip version, since a new
version may read or scan differently. Anything doubtful reads as a miss, never as a result."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from safepip import __version__

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


def default_cache_dir(kind: str) -> Path:
    return Path(platformdirs.user_cache_dir("safepip")) / kind


def code_revision(*packages: str) -> str:
    """A digest of the source of the named safepip subpackages/modules (relative paths like
    `checks/hooks`): cached results computed by other code are misses, even within one version."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in packages:
        target = root / name
        sources = sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]
        for source in (s for s in sources if s.is_file()):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


class Sha256Store:
    def __init__(self, directory: Path, revision: str = "") -> None:
        self.directory = directory
        self.revision = revision
        """Identifies the code that produced the entries; other revisions read as misses."""

    def get(self, sha256: str) -> dict[str, Any] | None:
        """The stored document, or None when missing, unreadable or from another version."""
        path = self._path(sha256)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            logger.debug("ignoring unreadable cache entry %s: %s", path, error)
            return None
        if not isinstance(document, dict):
            return None
        if document.get("safepip") != __version__ or document.get("sha256") != sha256:
            return None
        if document.get("revision", "") != self.revision:
            return None
        payload = document.get("payload")
        return payload if isinstance(payload, dict) else None

    def put(self, sha256: str, payload: dict[str, Any]) -> None:
        """Store atomically; a cache that cannot be written only costs speed."""
        path = self._path(sha256)
        document = {"safepip": __version__, "revision": self.revision, "sha256": sha256,
                    "payload": payload}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream)
            os.replace(temporary, path)
        except OSError as error:
            logger.debug("could not write cache entry %s: %s", path, error)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.directory / sha256[:2] / f"{sha256}.json"
