"""Download distribution files: streamed, size-capped, hash-checked, renamed into place at the end.

Bytes go to a temporary file next to the destination while their hashes are computed; only a file
whose size and hashes match what the index promised is renamed to its final name. Anything else
raises (`HashMismatchError`, `IndexPageError`, `NetworkError`) and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from safepip.errors import HashMismatchError, IndexPageError
from safepip.index.lazy_session import real_session
from safepip.index.localfile import is_file_url, iter_file_url
from safepip.index.models import DistributionFile
from safepip.redact import redact_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from safepip.index.lazy_session import SessionLike

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024 ** 3
"""2 GiB: above any real wheel, yet a bound on a hostile one."""


@dataclass(frozen=True)
class DownloadedArtifact:
    """A file on disk whose bytes were checked against the index."""

    file: DistributionFile
    """What the index listed."""
    path: Path
    """Where the verified bytes are (`dest_dir / file.filename`)."""
    sha256: str
    """sha256 of the bytes on disk (computed while streaming)."""
    size: int
    """Size in bytes."""


def _hashers(file: DistributionFile) -> dict[str, hashlib._Hash]:
    names = {"sha256"} | {a for a in file.hashes if a in hashlib.algorithms_guaranteed}
    return {name: hashlib.new(name) for name in sorted(names)}


def _destination(file: DistributionFile, dest_dir: Path) -> Path:
    name = file.filename
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        raise IndexPageError(f"Refusing to save a file named {name!r} from {redact_url(file.url)}.")
    return dest_dir / name


def download(
    session: SessionLike, file: DistributionFile, dest_dir: Path, *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DownloadedArtifact:
    """Fetch `file` into `dest_dir`, verifying every hash the index gave and its size."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = _destination(file, dest_dir)
    hashers = _hashers(file)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed into place, not auto-deleted
        dir=dest_dir, prefix=".partial-", suffix=".download", delete=False)
    try:
        with handle:
            size = _stream_into(session, file, handle, hashers, max_bytes)
        _check(file, {name: h.hexdigest() for name, h in hashers.items()}, size)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    logger.debug("Downloaded %s (%d bytes)", redact_url(file.url), size)
    return DownloadedArtifact(file=file, path=target, sha256=hashers["sha256"].hexdigest(),
                              size=size)


def _stream_into(session: SessionLike, file: DistributionFile, handle: IO[bytes],
                 hashers: dict[str, hashlib._Hash], max_bytes: int) -> int:
    size = 0
    for chunk in _chunks(session, file.url, max_bytes):
        for hasher in hashers.values():
            hasher.update(chunk)
        handle.write(chunk)
        size += len(chunk)
    return size


def _chunks(session: SessionLike, url: str, max_bytes: int) -> Iterator[bytes]:
    if is_file_url(url):  # a local index: read from disk, no HTTP library needed
        yield from iter_file_url(url, max_bytes=max_bytes)
        return
    from safepip.index.deadline import Deadline, session_options
    from safepip.index.http import check_status, iter_body, open_stream

    http = real_session(session)
    options = session_options(http)
    # Every byte counts toward the deadline: a server that trickles is cut off, however long
    # the file it announces (see safepip.index.deadline).
    with Deadline(options.fetch_deadline, redact_url(url), min_rate=options.download_min_rate):
        response = open_stream(http, url)
        with response:
            check_status(response, url, frozenset())
            yield from iter_body(response, url, max_bytes)


def _check(file: DistributionFile, actual: dict[str, str], size: int) -> None:
    where = f"{file.filename} from {redact_url(file.url)}"
    if file.size is not None and file.size != size:
        raise HashMismatchError(f"{where} is {size} bytes, but the index said {file.size}.")
    for algo, expected in file.hashes.items():
        if algo in actual and actual[algo] != expected.lower():
            raise HashMismatchError(
                f"{where} has {algo} {actual[algo]}, but the index promised {expected}.")
    if not file.hashes:
        logger.info("%s: the index gave no hash; pinning the downloaded sha256", where)


def download_all(
    session: SessionLike, files: Sequence[DistributionFile], dest_dir: Path, *,
    workers: int = 8, max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[DownloadedArtifact]:
    """Download several files concurrently; results follow `files`' order; first error raised."""
    names: dict[str, str] = {}
    for file in files:
        if names.setdefault(file.filename, file.url) != file.url:
            raise IndexPageError(f"Two different files are both named {file.filename!r}; "
                                 "they cannot be downloaded into one directory.")
    unique = list({file.url: file for file in files}.values())
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="safepip-download") as pool:
        futures = {f.url: pool.submit(download, session, f, dest_dir, max_bytes=max_bytes)
                   for f in unique}
        try:
            done = {url: future.result() for url, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
    return [done[file.url] for file in files]
