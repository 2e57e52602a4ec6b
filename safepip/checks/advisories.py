"""The known-malicious advisory snapshot: OSV `MAL-` records for PyPI.

The wheel embeds a snapshot (`data/known_malicious.json`, shipped as `safepip.data`, built by
`scripts/build_data.py`); `safepip db update` writes a newer one under the platformdirs user data
dir. `load_snapshot()` uses the user copy when it is valid and not older than the embedded one,
else the embedded one, so a damaged download can never leave safepip without data.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
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
_NORMALIZED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


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


class AdvisorySnapshot:
    """A validated set of advisories with its provenance.

    Records stay as validated raw data and become `Advisory` objects per name on first use, so a
    run that checks a handful of names does not pay for building 8,000 objects at start-up.
    """

    def __init__(
        self, source: str, snapshot_date: str, advisories: Iterable[Advisory] = (),
        origin: str = "embedded", *, records: list[dict[str, Any]] | None = None,
    ) -> None:
        self.source = source
        """Where the records came from (repository, commit or URL)."""
        self.snapshot_date = snapshot_date
        """ISO date (or timestamp) of the snapshot."""
        self.origin = origin
        """`embedded`, or the path of the user copy it was read from."""
        self.records = records if records is not None else [_record(a) for a in advisories]
        """Every record in the compact form, withdrawn ones included (counted, never matched)."""
        self._active: dict[str, list[dict[str, Any]]] = {}
        for record in self.records:
            if not record.get("withdrawn"):
                self._active.setdefault(record["name"], []).append(record)
        self._parsed: dict[str, tuple[Advisory, ...]] = {}

    @property
    def advisories(self) -> tuple[Advisory, ...]:
        """Every record as an `Advisory` (built on each call: for update and tests)."""
        return tuple(_checked(record) for record in self.records)

    def for_name(self, name: str) -> tuple[Advisory, ...]:
        """Active (not withdrawn) advisories about this project.

        Records are validated here, on use, as well as when a snapshot is written; a malformed
        one makes the check fail (closed) rather than be skipped."""
        key = canonicalize_name(name)
        if key not in self._parsed:
            try:
                self._parsed[key] = tuple(_checked(r) for r in self._active.get(key, ()))
            except (ValueError, KeyError, TypeError) as error:
                raise CheckError(
                    f"The advisory snapshot ({self.origin}) has a malformed record: {error}.",
                    hint="Run `safepip db update`, or reinstall safepip; nothing was vetted.",
                ) from None
        return self._parsed[key]

    def info(self) -> dict[str, Any]:
        """What `safepip db info` shows."""
        active = [r for found in self._active.values() for r in found]
        return {
            "origin": self.origin, "source": self.source, "snapshot_date": self.snapshot_date,
            "records": len(self.records), "withdrawn": len(self.records) - len(active),
            "projects": len(self._active),
            "all_versions": sum(1 for r in active if r["versions"] == "all"),
        }


def user_data_path() -> Path:
    """Where `db update` keeps the downloaded snapshot."""
    return Path(platformdirs.user_data_dir("safepip")) / DATA_FILE


def parse_snapshot(document: Any, origin: str, *, check_records: bool = True) -> AdvisorySnapshot:
    """Validate a snapshot document (the compact format written by `db update`/build_data).

    `check_records=False` defers the per-record checks to first use (`for_name`): only for the
    embedded snapshot, which the test suite validates, so start-up does not pay for it."""
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ValueError("not a safepip advisory snapshot (no `records` list)")
    records = document["records"]
    for record in records if check_records else ():
        _validate(record)
    if not records:
        raise ValueError("the snapshot holds no records")
    return AdvisorySnapshot(
        source=str(document.get("source", "")), snapshot_date=str(document["snapshot_date"]),
        origin=origin, records=records,
    )


def snapshot_document(snapshot: AdvisorySnapshot) -> dict[str, Any]:
    """The compact on-disk form; `parse_snapshot` reads it back."""
    return {
        "source": snapshot.source, "snapshot_date": snapshot.snapshot_date,
        "count": len(snapshot.records),
        "records": snapshot.records,
    }


@functools.cache
def load_embedded() -> AdvisorySnapshot:
    try:
        text = resources.files("safepip.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
        return parse_snapshot(json.loads(text), "embedded", check_records=False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
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


def _validate(record: Any) -> None:
    """Cheap structural checks on one compact record (names must already be PEP 503 form)."""
    if not isinstance(record, dict):
        raise ValueError("a record is not an object")
    name, versions = record["name"], record["versions"]
    if not isinstance(name, str) or not _NORMALIZED.fullmatch(name):
        raise ValueError(f"record {record.get('id')!r} lacks a normalised project name")
    if not isinstance(record["id"], str) or not record["id"].startswith("MAL-"):
        raise ValueError(f"record {record['id']!r} is not a MAL- record")
    if versions != "all" and not (isinstance(versions, list)
                                  and all(isinstance(v, str) for v in versions)):
        raise ValueError(f"record {record['id']!r} has malformed versions")
    for bounds in record.get("ranges", ()):
        if not (isinstance(bounds, list) and len(bounds) == 3 and isinstance(bounds[0], str)):
            raise ValueError(f"record {record['id']!r} has a malformed range")


def _checked(record: Any) -> Advisory:
    _validate(record)
    return _advisory(record)


def _advisory(record: dict[str, Any]) -> Advisory:
    name, versions = record["name"], record["versions"]
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

