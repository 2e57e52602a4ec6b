"""`safepip audit` with no inputs: the installed distributions of the target environment.

Each distribution is judged from the files its RECORD lists (PEP 376/627): every recorded hash is
checked against the bytes on disk (a mismatch or a missing file means the installation changed
after the installer wrote it), and the installed files are scanned by the hook scanner laid out
as the wheel they came from (`.pth` files, scripts, the package's modules as import-time code).
Start-up files in site-packages that no RECORD owns are scanned too. The target environment is
another interpreter's: its files are read as data, never imported.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import posixpath
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.artifacts.scan_cache import ScanCache
from safepip.checks.hooks.files import MAX_READ, START_MODULES, wanted_wheel_member
from safepip.checks.install_hooks import InstallHookCheck
from safepip.checks.names import default_name_checks
from safepip.findings import Finding, Location, Severity
from safepip.index.models import DistributionFile
from safepip.resolution.environment import InstalledProject, TargetEnvironment
from safepip.resolution.models import ResolvedPackage

RECORD_LIMIT = 64 << 20
"""A RECORD larger than this is not read (pip's largest real ones are a few MB)."""
_HASHES = frozenset({"sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_384",
                     "sha3_512", "blake2b", "blake2s"})
"""PEP 376 asks for a hashlib algorithm at least as strong as sha256 (md5/sha1 prove nothing)."""
_CODE_SUFFIXES = (".py", ".pyw", ".pth", ".so", ".pyd", ".dll", ".dylib")
_SCRIPT_DIRS = frozenset({"bin", "Scripts"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RecordRow:
    """One line of a RECORD: a path relative to the directory holding the `.dist-info`."""

    path: str
    algorithm: str | None
    digest: bytes | None
    size: int | None


@dataclass(frozen=True)
class InstalledAudit:
    """What the installed environment showed."""

    recorded: tuple[ResolvedPackage, ...]
    """Distributions checked from their recorded files (the "file" is their RECORD)."""
    unrecorded: tuple[InstalledProject, ...]
    """Distributions without a readable RECORD: their installed files could not be checked."""
    findings: tuple[Finding, ...]


def audit_installed(
    environment: TargetEnvironment, *, cache: ScanCache | None = None
) -> InstalledAudit:
    """Check every installed distribution from its RECORD, then the unowned start-up files.

    `cache`: scan results of distributions whose files all matched their RECORD, keyed by the
    RECORD's bytes (the same RECORD and matching files are the same bytes scanned)."""
    recorded: list[ResolvedPackage] = []
    unrecorded: list[InstalledProject] = []
    findings: list[Finding] = []
    owned: set[str] = set()
    checks = default_name_checks()
    for project in sorted(environment.installed.values(), key=lambda p: p.name):
        dist_info = project.metadata_path.parent
        read = _read_record(dist_info / "RECORD")
        if read is None:
            unrecorded.append(project)
            continue
        rows, digest = read
        site = dist_info.parent
        # Start-up files sit at the top of site-packages: only those rows can own one.
        owned.update(_start_key(site, row.path) for row in rows if "/" not in row.path)
        findings += [f for check in checks for f in check.check_name(project.name,
                                                                       project.version)]
        problems = verify_record(site, rows, project)
        findings += problems
        key = None if problems or cache is None else _cache_key(project, dist_info, digest)
        cached = cache.get(key) if cache is not None and key is not None else None
        if cached is None:
            scanned, pinned = _scan(site, dist_info, rows, project)
            if cache is not None and key is not None and pinned:
                cache.put(key, scanned)
            cached = scanned
        findings += cached
        recorded.append(_as_package(project, digest))
    findings += unowned_start_files(_site_dirs(environment), owned)
    return InstalledAudit(tuple(recorded), tuple(unrecorded), tuple(findings))


def _read_record(path: Path) -> tuple[list[RecordRow], str] | None:
    """The rows of a RECORD and the sha256 of its bytes; None when there is none to read."""
    try:
        data = _read_regular(str(path), RECORD_LIMIT)
    except OSError:
        return None
    if len(data) > RECORD_LIMIT:
        return None
    rows = []
    for fields in csv.reader(data.decode("utf-8", "replace").splitlines()):
        if not fields or not fields[0]:
            continue
        rows.append(_row(fields))
    return rows, hashlib.sha256(data).hexdigest()


def _row(fields: list[str]) -> RecordRow:
    algorithm, digest = None, None
    if len(fields) > 1 and "=" in fields[1]:
        name, _, encoded = fields[1].partition("=")
        try:
            digest = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            algorithm = name.strip().lower()
        except ValueError:
            algorithm, digest = name.strip().lower(), b""  # unreadable: never matches
    size = int(fields[2]) if len(fields) > 2 and fields[2].strip().isdigit() else None
    return RecordRow(fields[0], algorithm, digest, size)


def verify_record(site: Path, rows: Sequence[RecordRow], project: InstalledProject
                  ) -> list[Finding]:
    """A finding for each recorded file that is gone or whose bytes differ from RECORD."""
    findings = []
    for row in rows:
        if row.algorithm is None or row.digest is None:
            continue  # RECORD itself and bytecode compiled at install time carry no hash
        if row.algorithm not in _HASHES:
            continue
        problem = _compare(_absolute(site, row.path), row)
        if problem is not None:
            findings.append(_record_finding(project, row.path, problem))
    return findings


def _compare(path: str, row: RecordRow) -> str | None:
    """None when the file on disk has the recorded size and hash, else what is wrong."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        if not os.path.lexists(path):
            return "missing"
        if os.path.islink(path):
            return "now a symbolic link"
        return f"unreadable ({error.strerror or error})"
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if row.size is not None and info.st_size != row.size:
            return f"{info.st_size} bytes where RECORD says {row.size}"
        hasher = hashlib.new(row.algorithm or "sha256")
        try:
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
        except OSError as error:  # unreadable is not "unchanged"
            return f"unreadable ({error.strerror or error})"
    if hasher.digest() != row.digest:
        return f"its {row.algorithm} differs from RECORD's"
    return None


def _record_finding(project: InstalledProject, path: str, problem: str) -> Finding:
    code = path.endswith(_CODE_SUFFIXES) or _script_name(path) is not None
    if problem == "missing":
        return Finding(
            rule="installed/missing-file", severity=Severity.MEDIUM, package=project.name,
            version=str(project.version),
            message=(f"{path} is listed in RECORD but is missing from disk: the installation "
                     "changed after it was installed. Reinstall the package."),
            location=Location(path),
        )
    return Finding(
        rule="installed/modified-file", severity=Severity.HIGH if code else Severity.MEDIUM,
        package=project.name, version=str(project.version),
        message=(f"{path} no longer matches RECORD ({problem}): installed "
                 f"{'code' if code else 'data'} changed after it was installed. Find out who "
                 "changed it, then reinstall the package."),
        location=Location(path),
    )


def scan_recorded(site: Path, dist_info: Path, rows: Sequence[RecordRow],
                  project: InstalledProject) -> list[Finding]:
    """The hook scanner over the installed files, laid out as the wheel they came from."""
    return _scan(site, dist_info, rows, project)[0]


def _scan(site: Path, dist_info: Path, rows: Sequence[RecordRow],
          project: InstalledProject) -> tuple[list[Finding], bool]:
    """The findings, and whether every scanned file is one RECORD pins by a strong hash
    (only then may the result be reused for the same RECORD)."""
    stem = dist_info.name.removesuffix(".dist-info")
    files: dict[str, str] = {}
    pinned = True
    for row in rows:
        member = _wheel_member(site, row.path, stem)
        if member is None or not wanted_wheel_member(member):
            continue
        absolute = _absolute(site, row.path)
        if os.path.isfile(absolute) and not os.path.islink(absolute):
            files[member] = absolute
            # RECORD itself has no row hash: its bytes are part of the cache key instead.
            own_record = member == f"{dist_info.name}/RECORD"
            pinned = pinned and (own_record or (row.algorithm in _HASHES and bool(row.digest)))
    if not any(m.endswith(".dist-info/WHEEL") for m in files):
        # The scanner recognises a wheel by its WHEEL file; a RECORD is proof enough here.
        wheel_file = dist_info / "WHEEL"
        if wheel_file.is_file():
            files[f"{dist_info.name}/WHEEL"] = str(wheel_file)
            pinned = False
    tree = RecordedTree(files)
    found = InstallHookCheck().check_tree(tree, project.name, str(project.version),
                                          f"{dist_info.name} (installed)")
    return found, pinned


_CACHE_LAYOUT = "installed-tree-1"
"""Bumped when the way installed files are laid out for the scanner changes."""


def _cache_key(project: InstalledProject, dist_info: Path, record_sha256: str) -> str:
    text = f"{_CACHE_LAYOUT}\0{project.name}\0{project.version}\0{dist_info.name}\0{record_sha256}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _wheel_member(site: Path, path: str, stem: str) -> str | None:
    """Where a recorded file sat in its wheel: site-packages files at the root, scripts in
    `*.data/scripts/`; other files outside site-packages (data, headers) are not scanned."""
    if posixpath.isabs(path) or os.path.isabs(path):
        return None
    normal = posixpath.normpath(path.replace(os.sep, "/"))
    if not normal.startswith("../") and normal != "..":
        return normal
    script = _script_name(normal)
    return f"{stem}.data/scripts/{script}" if script is not None else None


def _script_name(path: str) -> str | None:
    parts = path.replace(os.sep, "/").split("/")
    if len(parts) >= 2 and parts[0] == ".." and parts[-2] in _SCRIPT_DIRS:
        return parts[-1]
    return None


class RecordedTree:
    """The scanner's `Tree` over installed files (virtual wheel path -> file on disk)."""

    def __init__(self, files: dict[str, str], *, follow: bool = False) -> None:
        self.files = files
        self.follow = follow

    def paths(self) -> list[str]:
        return sorted(self.files)

    def read(self, path: str, limit: int = MAX_READ) -> bytes:
        return _read_regular(self.files[path], limit, follow=self.follow)


def _read_regular(path: str, limit: int, *, follow: bool = False) -> bytes:
    """At most `limit` + 1 bytes of a regular file, never a FIFO or a device (a hostile
    RECORD may name anything), and through a symlink only when `follow` (as `site` does)."""
    nofollow = 0 if follow else getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return handle.read(limit + 1)


def unowned_start_files(site_dirs: Iterable[str], owned: set[str]) -> list[Finding]:
    """`.pth` files and sitecustomize/usercustomize in site-packages that no RECORD lists:
    reported, and their content scanned as a wheel's `.pth` would be."""
    findings: list[Finding] = []
    for site in site_dirs:
        try:
            names = sorted(os.listdir(site))
        except OSError:
            continue
        for name in names:
            if not (name.endswith(".pth") or name in START_MODULES):
                continue
            if _start_key(Path(site), name) in owned:
                continue
            path = os.path.join(site, name)
            try:  # `site` follows links: so does this read (regular files only)
                _read_regular(path, 0, follow=True)
            except OSError:
                continue
            stem = name.removesuffix(".pth").removesuffix(".py")
            label = canonicalize_name(stem).strip("-") or name
            findings.append(Finding(
                rule="installed/unowned-start-file", severity=Severity.LOW, package=label,
                version=None,
                message=(f"{name} in {site} runs at every Python start and no installed "
                         "distribution's RECORD lists it; find out which tool wrote it."),
                location=Location(path),
            ))
            tree = RecordedTree({name: path}, follow=True)
            findings += InstallHookCheck().check_tree(tree, label, None, name)
    return findings


def _site_dirs(environment: TargetEnvironment) -> list[str]:
    """Each site-packages directory once (venvs often link lib64 to lib)."""
    seen: set[str] = set()
    result = []
    for directory in environment.site_dirs:
        real = os.path.realpath(directory)
        if real not in seen and os.path.isdir(real):
            seen.add(real)
            result.append(directory)
    return result


def _start_key(site: Path, name: str) -> str:
    """One spelling for a top-level file of a site directory reached by any of its links."""
    return os.path.join(os.path.realpath(site), os.path.normpath(name))


def _absolute(site: Path, path: str) -> str:
    return os.path.normpath(os.path.join(site, path))


def _as_package(project: InstalledProject, record_sha256: str) -> ResolvedPackage:
    """The plan row of an installed distribution: its "file" is the RECORD it was checked by."""
    record = project.metadata_path.parent / "RECORD"
    artifact = DistributionFile(
        filename=f"{record.parent.name}/RECORD", url=record.as_uri(),
        hashes={"sha256": record_sha256},
    )
    return ResolvedPackage(project.name, project.version, artifact, "installed", requested=True)
