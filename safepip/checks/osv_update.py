"""`safepip db update`: refresh the advisory snapshot from the OSV PyPI export zip.

The zip is untrusted input: its size, member count and every member's inflated size are bounded,
each record is validated, and the user copy is replaced atomically only after the new document
reads back as a valid snapshot. Records of the embedded snapshot the download lacks are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from safepip.checks.advisories import (
    GENERIC_SUMMARY,
    Advisory,
    AdvisorySnapshot,
    VersionRange,
    load_embedded,
    load_snapshot,
    parse_snapshot,
    snapshot_document,
    user_data_path,
)
from safepip.errors import NetworkError
from safepip.redact import redact_url

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)


DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
MAX_ZIP_BYTES = 512 * 1024 * 1024
"""The whole PyPI export is tens of MiB; anything far larger is refused, not unpacked."""
MAX_MEMBERS = 500_000
MAX_MEMBER_BYTES = 4 * 1024 * 1024
"""One OSV record is a few KiB; a member that inflates beyond this is a zip bomb."""


def update(url: str = DEFAULT_URL, session: requests.Session | None = None,
           path: Path | None = None) -> AdvisorySnapshot:
    """Download the OSV export, keep the PyPI `MAL-` records, validate, replace atomically.

    Records of the embedded snapshot the download lacks are kept, so a partial export never
    shrinks what safepip knows; a record with the same id in the download wins (withdrawals).
    """
    from safepip.index.http import HttpOptions, make_session

    session = session or make_session(HttpOptions(use_cache=False))
    path = path or user_data_path()
    with tempfile.TemporaryFile() as spool:
        _download(session, url, spool)
        downloaded = read_osv_zip(spool)
    merged = _merge(downloaded, load_embedded().advisories)
    snapshot = AdvisorySnapshot(
        source=f"OSV export {redact_url(url)}", origin=str(path), advisories=merged,
        snapshot_date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    _atomic_write(path, snapshot_document(snapshot))
    load_snapshot.cache_clear()
    logger.info("Wrote %d advisories to %s", len(merged), path)
    return snapshot


def read_osv_zip(stream: IO[bytes]) -> tuple[Advisory, ...]:
    """PyPI advisories from the `MAL-*.json` members of an OSV export zip, bounded in size."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise _bad_export(f"it has {len(members)} members (limit {MAX_MEMBERS})")
            found = [a for m in members if _is_mal_member(m) for a in _read_member(archive, m)]
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _bad_export(f"it is not a readable zip ({error})") from None
    if not found:
        raise _bad_export("it holds no PyPI MAL- records")
    return tuple(found)


def advisories_from_osv(document: Any) -> list[Advisory]:
    """One Advisory per PyPI package the OSV record names (usually exactly one)."""
    if not isinstance(document, dict) or not str(document.get("id", "")).startswith("MAL-"):
        raise ValueError("not an OSV MAL- record")
    found = []
    for affected in document.get("affected") or ():
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        versions, ranges = _affected_versions(affected)
        found.append(Advisory(
            id=document["id"], name=canonicalize_name(package["name"]), versions=versions,
            ranges=ranges, summary=str(document.get("summary") or "")[:300]
            or GENERIC_SUMMARY.format(name=package["name"]),
            withdrawn=document.get("withdrawn") or None,
        ))
    return found


def _affected_versions(
    affected: dict[str, Any],
) -> tuple[tuple[str, ...] | None, tuple[VersionRange, ...]]:
    """(listed versions or None for all, bounded ranges); OSV with neither means all versions."""
    ranges = [r for spec in affected.get("ranges") or () if spec.get("type") != "GIT"
              for r in _ranges(list(spec.get("events") or ()))]
    listed = tuple(str(v) for v in affected.get("versions") or ())
    if any(r.unbounded for r in ranges) or (not ranges and not listed):
        return None, ()
    return listed, tuple(ranges)


def _ranges(events: list[dict[str, str]]) -> list[VersionRange]:
    found, start = [], None
    for event in events:
        if "introduced" in event:
            start = str(event["introduced"])
        elif start is not None and ("fixed" in event or "last_affected" in event):
            found.append(VersionRange(start, event.get("fixed"), event.get("last_affected")))
            start = None
    return found + ([VersionRange(start)] if start is not None else [])


def _is_mal_member(member: zipfile.ZipInfo) -> bool:
    base = member.filename.rsplit("/", 1)[-1]
    return base.startswith("MAL-") and base.endswith(".json") and not member.is_dir()


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> list[Advisory]:
    if member.file_size > MAX_MEMBER_BYTES:
        raise _bad_export(f"member {member.filename!r} is {member.file_size} bytes")
    with archive.open(member) as handle:
        data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise _bad_export(f"member {member.filename!r} inflates beyond its declared size")
    try:
        return advisories_from_osv(json.loads(data))
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise _bad_export(f"member {member.filename!r} is not an OSV record ({error})") from None


def _download(session: requests.Session, url: str, spool: IO[bytes]) -> None:
    from safepip.index.deadline import Deadline, session_options
    from safepip.index.http import check_status, iter_body, open_stream

    options = session_options(session)  # a trickling server is cut off (index.deadline)
    try:
        with Deadline(options.fetch_deadline, redact_url(url),
                      min_rate=options.download_min_rate), \
                open_stream(session, url) as response:
            check_status(response, url, frozenset())
            for chunk in iter_body(response, url, MAX_ZIP_BYTES):
                spool.write(chunk)
    except NetworkError as error:
        raise NetworkError(
            f"Could not download the advisory database: {error.message}",
            hint="Check the network (or pass --url with a reachable copy) and try again; "
            "the current snapshot is unchanged and still in use.",
        ) from None
    spool.seek(0)


def _merge(
    downloaded: tuple[Advisory, ...], embedded: tuple[Advisory, ...],
) -> tuple[Advisory, ...]:
    fresh = {(a.id, a.name) for a in downloaded}
    return downloaded + tuple(a for a in embedded if (a.id, a.name) not in fresh)


def _atomic_write(path: Path, document: dict[str, Any]) -> None:
    """Write beside the target, flush to disk, then rename over it (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename below
        "w", encoding="utf-8", dir=path.parent, prefix=".known_malicious.", delete=False)
    try:
        with handle:
            json.dump(document, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        parse_snapshot(json.loads(Path(handle.name).read_text(encoding="utf-8")), str(path))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _bad_export(reason: str) -> NetworkError:
    return NetworkError(
        f"The downloaded advisory database was refused: {reason}.",
        hint="The current snapshot is unchanged and still in use; try again later or pass "
        "--url with a trustworthy copy of the OSV PyPI export.",
    )
