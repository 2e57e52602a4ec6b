"""Downloaded artifacts kept between runs, filed under the sha256 the index promised.

A stored file is only a shortcut past the network: the pipeline hashes every file it vets and
compares with the index's sha256, so a damaged or altered store entry fails the run closed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from safepip.cache import default_cache_dir
from safepip.index.models import DistributionFile

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ArtifactStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir("artifacts")

    def get(self, file: DistributionFile) -> Path | None:
        path = self._path(file)
        return path if path is not None and path.is_file() else None

    def put(self, file: DistributionFile, source: Path) -> None:
        path = self._path(file)
        if path is None or path.is_file():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(handle, "wb") as target, source.open("rb") as origin:
                shutil.copyfileobj(origin, target)
            os.replace(temporary, path)
        except OSError as error:  # a store that cannot be written only costs speed
            logger.debug("could not store %s: %s", file.filename, error)

    def _path(self, file: DistributionFile) -> Path | None:
        digest = (file.sha256 or "").lower()
        name = os.path.basename(file.filename)
        if not _SHA256.fullmatch(digest) or not name or name != file.filename:
            return None  # unhashed or oddly named files are always downloaded afresh
        return self.directory / digest[:2] / digest / name
