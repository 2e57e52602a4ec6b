"""Scan results keyed by the artifact's sha256: the same bytes always give the same findings.

Entries also carry the safepip version, since new rules change what a scan finds. A missing,
unreadable or foreign entry is a miss (the artifact is scanned again), never a clean result.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from safepip import __version__
from safepip.findings import Finding, Location, Severity

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ScanCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(platformdirs.user_cache_dir("safepip")) / "scans"

    def get(self, sha256: str) -> list[Finding] | None:
        path = self._path(sha256)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("safepip") != __version__ or document.get("sha256") != sha256:
                return None
            return [_finding(item) for item in document["findings"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.debug("ignoring unreadable scan cache entry %s: %s", path, error)
            return None

    def put(self, sha256: str, findings: list[Finding]) -> None:
        document = {"safepip": __version__, "sha256": sha256,
                    "findings": [f.to_json() for f in findings]}
        path = self._path(sha256)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".scan-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream)
            os.replace(temporary, path)
        except OSError as error:  # a cache that cannot be written only costs speed
            logger.debug("could not write scan cache entry %s: %s", path, error)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.directory / sha256[:2] / f"{sha256}.json"


def _finding(item: dict[str, Any]) -> Finding:
    location = item["location"]
    return Finding(
        rule=str(item["rule"]), severity=Severity.parse(item["severity"]),
        package=str(item["package"]), version=item["version"], message=str(item["message"]),
        location=Location(str(location["path"]), location["line"]) if location else None,
        evidence=item["evidence"],
    )
