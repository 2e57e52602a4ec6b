"""The known-malicious advisory snapshot: OSV `MAL-` records for PyPI.

The wheel embeds a snapshot (`safepip/data/known_malicious.json`, built by
`scripts/build_data.py`); `safepip db update` writes a newer one under the platformdirs user data
dir. `load_snapshot()` uses the user copy when it is valid and not older than the embedded one,
else the embedded one, so a damaged download can never leave safepip without data.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.errors import CheckError

logger = logging.getLogger(__name__)

DATA_FILE = "known_malicious.json"
GENERIC_SUMMARY = "Malicious code in {name} (PyPI)"


@dataclass(frozen=True)
class VersionRange:
    """An OSV ECOSYSTEM range: introduced <= v < fixed, or introduced <= v <= last_affected."""

    introduced: str
    """First affected version ("0" means from the beginning)."""
    fixed: str | None = None
    """First version no longer affected, if any."""
    last_affected: str | None = None
    """Last affected version, if any (OSV uses either this or `fixed`)."""

    @property
    def unbounded(self) -> bool:
        return self.introduced == "0" and self.fixed is None and self.last_affected is None

    def contains(self, version: Version) -> bool:
        low = _version(self.introduced)
        if self.introduced != "0" and (low is None or version < low):
            return False
        if self.fixed is not None:
            high = _version(self.fixed)
            return high is not None and version < high
        if self.last_affected is not None:
            last = _version(self.last_affected)
            return last is not None and version <= last
        return True


@dataclass(frozen=True)
class Advisory:
    """One OSV malicious-package report about one PyPI project."""

    id: str
    """OSV id, e.g. `MAL-2024-4720`."""
    name: NormalizedName
    """PEP 503 normalised project name."""
    versions: tuple[str, ...] | None
    """Affected versions as listed; None when the report affects every version."""
    ranges: tuple[VersionRange, ...] = ()
    """Affected ranges (besides `versions`), from OSV `affected[].ranges`."""
    summary: str = ""
    """OSV summary, one line."""
    withdrawn: str | None = None
    """Withdrawal timestamp: a retraction, which never matches."""

    @property
    def all_versions(self) -> bool:
        return self.versions is None

    def affects(self, version: Version) -> bool:
        """True when the report covers `version` (compared as PEP 440 versions)."""
        if self.versions is None:
            return True
        if any(_same_version(listed, version) for listed in self.versions):
            return True
        return any(r.contains(version) for r in self.ranges)

    def describe_versions(self) -> str:
        listed = list(self.versions or ())
        listed += [_describe_range(r) for r in self.ranges]
        return "all versions" if self.versions is None else ", ".join(listed) or "no version"


@dataclass(frozen=True)
class AdvisorySnapshot:
    """A validated set of advisories with its provenance."""

    source: str
    """Where the records came from (repository, commit or URL)."""
    snapshot_date: str
    """ISO date (or timestamp) of the snapshot."""
    advisories: tuple[Advisory, ...]
    """Every record, withdrawn ones included (they are counted, never matched)."""
    origin: str = "embedded"
    """`embedded`, or the path of the user copy it was read from."""
    by_name: dict[str, tuple[Advisory, ...]] = field(default_factory=dict, compare=False)
    """Normalised name -> active (not withdrawn) advisories."""

    def __post_init__(self) -> None:
        index: dict[str, list[Advisory]] = {}
        for advisory in self.advisories:
            if advisory.withdrawn is None:
                index.setdefault(advisory.name, []).append(advisory)
        self.by_name.update({name: tuple(found) for name, found in index.items()})

    def for_name(self, name: str) -> tuple[Advisory, ...]:
        return self.by_name.get(canonicalize_name(name), ())

    def info(self) -> dict[str, Any]:
        """What `safepip db info` shows."""
        active = [a for a in self.advisories if a.withdrawn is None]
        return {
            "origin": self.origin, "source": self.source, "snapshot_date": self.snapshot_date,
            "records": len(self.advisories), "withdrawn": len(self.advisories) - len(active),
            "projects": len(self.by_name),
            "all_versions": sum(1 for a in active if a.all_versions),
        }


def user_data_path() -> Path:
    """Where `db update` keeps the downloaded snapshot."""
    return Path(platformdirs.user_data_dir("safepip")) / DATA_FILE


def parse_snapshot(document: Any, origin: str) -> AdvisorySnapshot:
    """Validate a snapshot document (the compact format written by `db update`/build_data)."""
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ValueError("not a safepip advisory snapshot (no `records` list)")
    advisories = tuple(_advisory(record) for record in document["records"])
    if not advisories:
        raise ValueError("the snapshot holds no records")
    return AdvisorySnapshot(
        source=str(document.get("source", "")), snapshot_date=str(document["snapshot_date"]),
        advisories=advisories, origin=origin,
    )


def snapshot_document(snapshot: AdvisorySnapshot) -> dict[str, Any]:
    """The compact on-disk form; `parse_snapshot` reads it back."""
    return {
        "source": snapshot.source, "snapshot_date": snapshot.snapshot_date,
        "count": len(snapshot.advisories),
        "records": [_record(a) for a in snapshot.advisories],
    }


@functools.cache
def load_embedded() -> AdvisorySnapshot:
    try:
        text = resources.files("safepip.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
        return parse_snapshot(json.loads(text), "embedded")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckError(
            f"The embedded advisory snapshot cannot be read ({error}).",
            hint="Reinstall safepip; the known-malicious check cannot run without it.",
        ) from None


def load_user(path: Path | None = None) -> AdvisorySnapshot | None:
    """The user copy, or None when absent or invalid (logged; the embedded copy takes over)."""
    path = path or user_data_path()
    try:
        return parse_snapshot(json.loads(path.read_text(encoding="utf-8")), str(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("Ignoring the advisory snapshot at %s: %s", path, error)
        return None


@functools.cache
def load_snapshot() -> AdvisorySnapshot:
    """The newest valid snapshot: the user copy unless it is older than the embedded one."""
    embedded = load_embedded()
    user = load_user()
    if user is not None and user.snapshot_date >= embedded.snapshot_date:
        return user
    return embedded


def _advisory(record: Any) -> Advisory:
    if not isinstance(record, dict):
        raise ValueError("a record is not an object")
    name, versions = record["name"], record["versions"]
    if not isinstance(name, str) or not name or not str(record["id"]).startswith("MAL-"):
        raise ValueError(f"record {record.get('id')!r} lacks a name or a MAL- id")
    if versions != "all" and not (isinstance(versions, list)
                                  and all(isinstance(v, str) for v in versions)):
        raise ValueError(f"record {record['id']!r} has malformed versions")
    ranges = tuple(VersionRange(*r) for r in record.get("ranges", ()))
    return Advisory(
        id=str(record["id"]), name=canonicalize_name(name),
        versions=None if versions == "all" else tuple(versions), ranges=ranges,
        summary=str(record.get("summary") or GENERIC_SUMMARY.format(name=name)),
        withdrawn=record.get("withdrawn") or None,
    )


def _record(advisory: Advisory) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": advisory.id, "name": advisory.name,
        "versions": "all" if advisory.versions is None else list(advisory.versions),
    }
    if advisory.ranges:
        record["ranges"] = [[r.introduced, r.fixed, r.last_affected] for r in advisory.ranges]
    if advisory.summary != GENERIC_SUMMARY.format(name=advisory.name):
        record["summary"] = advisory.summary
    if advisory.withdrawn:
        record["withdrawn"] = advisory.withdrawn
    return record


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _same_version(listed: str, version: Version) -> bool:
    parsed = _version(listed)
    return parsed == version if parsed is not None else listed == str(version)


def _describe_range(version_range: VersionRange) -> str:
    low = "" if version_range.introduced == "0" else f">={version_range.introduced}"
    if version_range.fixed is not None:
        return f"{low},<{version_range.fixed}".lstrip(",")
    if version_range.last_affected is not None:
        return f"{low},<={version_range.last_affected}".lstrip(",")
    return low or "all versions"

