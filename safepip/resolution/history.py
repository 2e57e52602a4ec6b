"""Project histories from the pages resolution already fetched: how many releases a project
has and when its first file was uploaded (PEP 700), for the typosquat check to weigh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from packaging.utils import NormalizedName

from safepip.index.filenames import name_version_from_filename
from safepip.index.models import DistributionFile, ProjectHistory
from safepip.resolution.catalog import Catalog
from safepip.resolution.models import ResolvedPackage


def history_of(files: Sequence[DistributionFile]) -> ProjectHistory:
    """Releases and first upload of one project's listed files."""
    versions = {parsed[1] for f in files
                if (parsed := name_version_from_filename(f.filename)) is not None}
    # A naive time is read as UTC, as the cooldown does.
    times = [t if t.tzinfo else t.replace(tzinfo=dt.UTC)
             for f in files if (t := f.upload_time) is not None]
    return ProjectHistory(len(versions), min(times, default=None),
                          fully_dated=bool(files) and len(times) == len(files))


def project_histories(
    catalog: Catalog, packages: Sequence[ResolvedPackage]
) -> dict[NormalizedName, ProjectHistory]:
    """Every planned project's history, from pages already fetched (no new requests)."""
    return {package.name: history_of(catalog.files(package.name)) for package in packages}
