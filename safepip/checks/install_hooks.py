"""The static install-hook scanner: what an sdist or wheel would run, read without running it.

`InstallHookCheck` is the `ArtifactCheck` the pipeline runs on every downloaded artifact;
`scan_path` scans a local sdist, wheel or directory (unpacking archives safely first). The rules,
their severities and their explanations are in `safepip.checks.hooks.rules.RULES`.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.artifacts.unpack import DEFAULT_LIMITS, UnpackLimits, read_members, unpack
from safepip.checks.hooks.files import (
    DirTree,
    MemoryTree,
    Tree,
    wanted_member,
    wanted_wheel_member,
)
from safepip.checks.hooks.rules import RULES, HookRule
from safepip.checks.hooks.scanner import ArtifactScan
from safepip.checks.interface import UnpackedArtifact
from safepip.errors import ArchiveError, CheckError
from safepip.findings import Finding
from safepip.index.filenames import artifact_kind, name_version_from_filename
from safepip.index.models import ArtifactKind

__all__ = ["RULES", "HookRule", "InstallHookCheck", "identify", "scan_path", "wanted_member"]

class InstallHookCheck:
    """ArtifactCheck: install-time code, .pth files, scripts and binaries of one artifact."""

    def __init__(self, *, prefilter: bool = True) -> None:
        self.prefilter = prefilter

    def check_artifact(self, artifact: UnpackedArtifact) -> list[Finding]:
        version = str(artifact.version) if artifact.version is not None else None
        tree = DirTree(str(artifact.root))
        return self.check_tree(tree, artifact.name, version, artifact.filename)

    def check_tree(
        self, tree: Tree, name: str, version: str | None, filename: str
    ) -> list[Finding]:
        """The same scan over files on disk or held in memory."""
        try:
            return ArtifactScan(tree, name, version, prefilter=self.prefilter).run()
        except OSError as error:
            raise CheckError(
                f"The install-hook scan of {filename} could not read its files: "
                f"{error.strerror or error}.",
                hint="Nothing was installed; check disk space and permissions, then retry.",
            ) from None


def identify(path: Path) -> tuple[NormalizedName, Version | None, ArtifactKind]:
    """Project name, version and kind from a wheel/sdist file name (directories: their name)."""
    name = path.name
    parsed = name_version_from_filename(name)
    if parsed is not None:
        return canonicalize_name(parsed[0]), parsed[1], artifact_kind(name)
    stem = name.split(".tar", 1)[0].removesuffix(".zip").removesuffix(".tgz")
    return canonicalize_name(stem.rsplit("-", 1)[0] or stem), None, artifact_kind(name)


def scan_path(
    path: Path,
    *,
    limits: UnpackLimits = DEFAULT_LIMITS,
    check: InstallHookCheck | None = None,
    memory_budget: int = 256 << 20,
) -> list[Finding]:
    """Findings for a local sdist, wheel or unpacked directory (archives unpacked safely).

    An archive's scanned members are read into memory when they fit `memory_budget` bytes
    (no disk writes), else extracted into a private temporary directory."""
    check = check or InstallHookCheck()
    name, version, kind = identify(path)
    if path.is_dir():
        artifact = UnpackedArtifact(name, version, path.name, kind, path)
        return check.check_artifact(artifact)
    if not path.is_file():
        raise ArchiveError(
            f"{path} is neither a file nor a directory.",
            hint="Pass the path of an sdist, a wheel or an unpacked project.",
        )
    version_text = str(version) if version else None
    wanted = wanted_wheel_member if kind == "wheel" else wanted_member
    memory = read_members(path, limits=limits, select=wanted, budget=memory_budget)
    if memory is not None:  # the usual case: no disk writes at all
        refusals = memory.findings(name, version_text)
        tree = MemoryTree(memory.files)
        return refusals + check.check_tree(tree, name, version_text, path.name)
    with unpack(path, limits=limits, select=wanted) as result:
        artifact = UnpackedArtifact(name, version, path.name, kind, result.root)
        refusals = result.findings(name, str(version) if version else None)
        return refusals + check.check_artifact(artifact)
