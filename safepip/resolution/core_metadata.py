"""Core metadata (METADATA / PKG-INFO / PEP 658 files) read as data into `StaticMetadata`.

Parsing goes through `packaging.metadata.parse_email` (raw data first), then the fields the
resolver needs are validated one by one with packaging's own validators, leniently where pip is
lenient so that safepip and pip agree on which releases are usable:

- `Requires-Dist` that does not parse: `MetadataInvalidError` (pip >= 24.1 ignores such a version,
  "has invalid metadata"; the resolver should skip the candidate the same way).
- `Requires-Python` that does not parse: ignored with a warning, as pip does (old uploads).
- `Provides-Extra`: normalised without validating the name, as pip does.
- `Metadata-Version`: any value is accepted (old wheels say "2.0", which packaging rejects).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.errors import ArchiveError
from safepip.index.filenames import filename_matches
from safepip.redact import redact_url
from safepip.resolution.models import MetadataSource

if TYPE_CHECKING:
    from packaging.metadata import Metadata, RawMetadata

logger = logging.getLogger(__name__)

MAX_METADATA_BYTES = 16 * 1024 * 1024
"""Largest METADATA / PKG-INFO / `.metadata` document read (long descriptions live in it)."""

_NEEDED = ("metadata_version", "name", "version", "requires_dist", "requires_python",
           "provides_extra", "dynamic")


class MetadataError(ArchiveError):
    """A distribution's metadata could not be read as trustworthy data."""

    hint = "The release is unusable as published; nothing was installed."


class MetadataInvalidError(MetadataError):
    """The metadata document is malformed, too large, or misses required fields."""


class MetadataMismatchError(MetadataError):
    """The metadata names another project or version than the file it came from."""

    hint = ("The file's metadata does not describe the file: it may have been tampered with. "
            "Nothing was installed.")


@dataclass(frozen=True)
class StaticMetadata:
    """What the resolver needs to know about one distribution, obtained without running it."""

    name: NormalizedName
    """Normalised project name (PEP 503)."""
    version: Version
    """The release's version."""
    requires_dist: tuple[Requirement, ...]
    """Every dependency, unevaluated: markers (including `extra == ...`) are kept."""
    requires_python: SpecifierSet | None
    """Requires-Python, or None when absent, dynamic or unparsable (pip then ignores it)."""
    provides_extra: frozenset[NormalizedName]
    """Extras the distribution declares (normalised)."""
    source: MetadataSource
    """The rung of the static metadata ladder that answered (DESIGN.md)."""
    detail: str
    """Where exactly it came from, e.g. `pyproject.toml [project]`; for `unknown`, why."""
    metadata_version: str | None = None
    """Metadata-Version of the document read, when the answer came from a core-metadata file."""

    @property
    def is_static(self) -> bool:
        """False when the dependency list is unknown (a `resolve/dynamic-metadata` finding)."""
        return self.source != "unknown"


def parse_requirements(lines: list[str], where: str) -> tuple[Requirement, ...]:
    """Parse requirement strings, naming the offending one and `where` in the error."""
    out: list[Requirement] = []
    for line in lines:
        try:
            out.append(Requirement(line.strip()))
        except ValueError as exc:
            raise MetadataInvalidError(
                f"{where}: requirement {line.strip()!r} is invalid: {exc}") from exc
    return tuple(out)


def lenient_requires_python(value: str | None, where: str) -> SpecifierSet | None:
    """A Requires-Python specifier, or None (with a warning) when it does not parse, as pip."""
    if value is None:
        return None
    try:
        return SpecifierSet(value)
    except ValueError:
        logger.warning("%s: ignoring invalid Requires-Python %r, as pip does", where, value)
        return None


def normalise_extras(names: list[str]) -> frozenset[NormalizedName]:
    """Extra names normalised as pip normalises Provides-Extra (no validation)."""
    return frozenset(canonicalize_name(name) for name in names)


def read_core_metadata(data: bytes, *, origin: str) -> tuple[RawMetadata, Metadata]:
    """Parse a core-metadata document into raw data plus a lazily validating `Metadata`."""
    # packaging.metadata (and the email package under it) only when a document is parsed: a
    # warm run takes every answer from the metadata cache.
    from packaging.metadata import Metadata, parse_email

    where = redact_url(origin)
    if len(data) > MAX_METADATA_BYTES:
        raise MetadataInvalidError(
            f"{where}: metadata is {len(data)} bytes, over the {MAX_METADATA_BYTES}-byte limit."
        )
    raw, unparsed = parse_email(data)
    broken = sorted(set(unparsed) & {k.replace("_", "-") for k in _NEEDED})
    if broken:
        raise MetadataInvalidError(f"{where}: metadata field(s) {', '.join(broken)} are "
                                   "repeated or not valid UTF-8.")
    trimmed: dict[str, Any] = {k: raw[k] for k in _NEEDED if k in raw}  # type: ignore[literal-required]
    return raw, Metadata.from_raw(trimmed, validate=False)  # type: ignore[arg-type]


_Identity = tuple[NormalizedName, Version, tuple[Requirement, ...]]


def _identity(meta: Metadata, where: str) -> _Identity:
    """Name, Version and Requires-Dist through packaging's validators, every error collected."""
    from packaging.metadata import InvalidMetadata

    errors: list[str] = []
    values: dict[str, Any] = {}
    for field in ("name", "version", "requires_dist"):
        try:
            values[field] = getattr(meta, field)
        except InvalidMetadata as exc:
            cause = f" ({exc.__cause__})" if exc.__cause__ else ""
            errors.append(f"{exc}{cause}")
    if errors:
        raise MetadataInvalidError(f"{where}: invalid metadata: " + "; ".join(errors))
    requires = tuple(values["requires_dist"] or ())
    return canonicalize_name(values["name"]), values["version"], requires


def metadata_from_core_metadata(
    data: bytes, *, source: MetadataSource, origin: str, filename: str | None = None,
) -> StaticMetadata:
    """Read a PEP 658 `.metadata` file or a wheel's METADATA as `StaticMetadata`.

    `origin` names the document in messages (redacted). When `filename` (the wheel or sdist the
    metadata belongs to) is given, the name and version must match it (`MetadataMismatchError`).
    """
    where = redact_url(origin)
    raw, meta = read_core_metadata(data, origin=origin)
    name, version, requires = _identity(meta, where)
    result = StaticMetadata(
        name=name, version=version, requires_dist=requires,
        requires_python=lenient_requires_python(raw.get("requires_python"), where),
        provides_extra=normalise_extras(raw.get("provides_extra", [])),
        source=source, detail=f"core metadata ({where})",
        metadata_version=raw.get("metadata_version"),
    )
    if filename is not None:
        check_matches_filename(result, filename)
    return result


def check_matches_filename(meta: StaticMetadata, filename: str) -> None:
    """Refuse metadata that describes another project or version than `filename` names.

    Name and Version are never Dynamic (PEP 643), so this holds for every Metadata-Version;
    pip refuses the same inconsistency (`MetadataInconsistent`).
    """
    if not filename_matches(filename, meta.name, meta.version):
        raise MetadataMismatchError(
            f"{filename}: its metadata describes {meta.name} {meta.version}, not this file."
        )


def version_or_none(text: str) -> Version | None:
    """A Version, or None when `text` is not one."""
    try:
        return Version(text)
    except InvalidVersion:
        return None
