"""What an index tells about a project: its files, as validated data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from packaging.utils import NormalizedName

ArtifactKind = Literal["wheel", "sdist"]


@dataclass(frozen=True)
class DistributionFile:
    """One file of one project as listed by an index page or a find-links location."""

    filename: str
    """The file's name as published (the last URL path segment, unquoted)."""
    url: str
    """Absolute URL (resolved against the page it came from). May carry credentials: redact it."""
    hashes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Hash name -> lower-case hex digest as published (PEP 503 fragment or PEP 691 `hashes`)."""
    requires_python: str | None = None
    """`data-requires-python` / `requires-python`, unparsed (pip ignores invalid ones)."""
    yanked: str | None = None
    """None when not yanked; the reason (possibly empty) when yanked (PEP 592)."""
    upload_time: dt.datetime | None = None
    """PEP 700 upload time, when the index gives it."""
    size: int | None = None
    """PEP 700 size in bytes, when the index gives it."""
    metadata_hashes: dict[str, str] | None = field(default=None, hash=False, compare=False)
    """PEP 658/714: None when no `.metadata` file is advertised; a (maybe empty) dict when it is."""
    index_url: str = ""
    """The index or find-links location that listed this file (redacted form is safe to show)."""

    @property
    def kind(self) -> ArtifactKind:
        return "wheel" if self.filename.endswith(".whl") else "sdist"

    @property
    def sha256(self) -> str | None:
        return self.hashes.get("sha256")

    @property
    def is_yanked(self) -> bool:
        return self.yanked is not None


@dataclass(frozen=True)
class ProjectPage:
    """All files one source (index or find-links location) offers for one project."""

    name: NormalizedName
    files: tuple[DistributionFile, ...]
    source_url: str
    """The page URL, for messages (redact before showing)."""


@dataclass(frozen=True)
class ProjectHistory:
    """What the index pages tell about a project's past: evidence for the name checks."""

    releases: int
    """Distinct versions listed (every file the pages offer, yanked ones included)."""
    first_upload: dt.datetime | None
    """Earliest PEP 700 `upload-time` among the listed files (None when none is given)."""
    fully_dated: bool
    """Every listed file carries an upload time, so `first_upload` is the first upload."""
