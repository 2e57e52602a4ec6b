"""The check seam: name checks look at a project name (and version) before anything is
downloaded; artifact checks look at one safely unpacked artifact. Both only return findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from packaging.utils import NormalizedName
from packaging.version import Version

from safepip.findings import Finding
from safepip.index.models import ArtifactKind


class NameCheck(Protocol):
    def check_name(self, name: NormalizedName, version: Version | None) -> list[Finding]:
        """Findings about this name (and release, when the version is known)."""
        ...


@dataclass(frozen=True)
class UnpackedArtifact:
    """An artifact extracted by `artifacts.unpack` into a private directory."""

    name: NormalizedName
    version: Version | None
    filename: str
    kind: ArtifactKind
    root: Path
    """Directory holding the extracted members (never outside the private temp dir)."""


class ArtifactCheck(Protocol):
    def check_artifact(self, artifact: UnpackedArtifact) -> list[Finding]:
        """Findings about the files inside one artifact; never imports or runs them."""
        ...
