"""Scan results keyed by the artifact's sha256: the same bytes always give the same findings.

A missing, unreadable or foreign entry is a miss (the artifact is scanned again), never a clean
result.
"""

from __future__ import annotations

import logging
from pathlib import Path

from safepip.cache import Sha256Store, code_revision, default_cache_dir
from safepip.findings import Finding

logger = logging.getLogger(__name__)


class ScanCache:
    def __init__(self, directory: Path | None = None) -> None:
        self._store = Sha256Store(
            directory or default_cache_dir("scans"),
            code_revision("checks/hooks", "checks/install_hooks", "artifacts/unpack",
                          "artifacts/members", "artifacts/source"),
        )

    def get(self, sha256: str) -> list[Finding] | None:
        payload = self._store.get(sha256)
        if payload is None:
            return None
        try:
            return [Finding.from_json(item) for item in payload["findings"]]
        except (KeyError, TypeError, ValueError) as error:
            logger.debug("ignoring malformed scan cache entry for %s: %s", sha256, error)
            return None

    def put(self, sha256: str, findings: list[Finding]) -> None:
        self._store.put(sha256, {"findings": [f.to_json() for f in findings]})

