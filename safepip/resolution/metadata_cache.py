"""Static metadata keyed by the file's sha256, kept between runs.

The index's sha256 names the bytes; the download step verifies them before anything is scanned or
installed, so a cached answer for a hash is as good as reading the file again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.cache import Sha256Store, code_revision, default_cache_dir
from safepip.resolution.core_metadata import StaticMetadata

logger = logging.getLogger(__name__)


class MetadataCache:
    def __init__(self, directory: Path | None = None) -> None:
        self._store = Sha256Store(directory or default_cache_dir("metadata"), code_revision(
            "resolution/core_metadata", "resolution/static_sdist", "resolution/setup_py",
            "resolution/setuptools_config", "resolution/build_system", "resolution/metadata",
        ))

    def get(self, sha256: str) -> StaticMetadata | None:
        payload = self._store.get(sha256)
        if payload is None:
            return None
        try:
            return _metadata(payload)
        except (KeyError, TypeError, ValueError) as error:
            logger.debug("ignoring malformed metadata cache entry for %s: %s", sha256, error)
            return None

    def put(self, sha256: str, metadata: StaticMetadata) -> None:
        self._store.put(sha256, {
            "name": metadata.name, "version": str(metadata.version),
            "requires_dist": [str(r) for r in metadata.requires_dist],
            "requires_python": str(metadata.requires_python)
            if metadata.requires_python is not None else None,
            "provides_extra": sorted(metadata.provides_extra),
            "source": metadata.source, "detail": metadata.detail,
            "metadata_version": metadata.metadata_version,
        })


def _metadata(payload: dict[str, Any]) -> StaticMetadata:
    python = payload["requires_python"]
    return StaticMetadata(
        name=canonicalize_name(payload["name"]),
        version=Version(payload["version"]),
        requires_dist=tuple(Requirement(r) for r in payload["requires_dist"]),
        requires_python=SpecifierSet(python) if python is not None else None,
        provides_extra=frozenset(canonicalize_name(e) for e in payload["provides_extra"]),
        source=payload["source"],
        detail=str(payload["detail"]),
        metadata_version=payload["metadata_version"],
    )
