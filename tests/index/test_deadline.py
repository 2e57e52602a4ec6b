"""Every network read has an overall deadline: a server that drips one byte at a time is cut off
at the deadline (pages and metadata: fixed; file downloads: a floor rate after the first
seconds), while a slow but steady download still completes.

The drip server (tests/index/drip_server.py) sends a byte every 0.2 s, well inside the 5 s
read timeout, so only the overall deadline can stop it; it stops by itself after 20 s.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from safepip.artifacts.download import download
from safepip.errors import NetworkError
from safepip.index.http import get
from safepip.index.models import DistributionFile
from tests.index.conftest import SessionFactory
from tests.index.drip_server import DripServer

SLACK = 1.0
"""What a cut may take beyond the deadline (the watchdog, the retries that find it passed)."""


@pytest.fixture
def drip() -> Iterator[type[DripServer]]:
    servers: list[DripServer] = []

    class Made(DripServer):
        def __post_init__(self) -> None:
            super().__post_init__()
            servers.append(self)

    yield Made
    for server in servers:
        server.close()


def _file(url: str, body: bytes, name: str = "pkg-1.0-py3-none-any.whl") -> DistributionFile:
    return DistributionFile(filename=name, url=url,
                            hashes={"sha256": hashlib.sha256(body).hexdigest()}, size=len(body))


def test_a_page_whose_body_drips_is_cut_at_the_deadline(
    drip: type[DripServer], make_test_session: SessionFactory,
) -> None:
    server = drip(mode="body")
    started = time.monotonic()
    with pytest.raises(NetworkError, match="1 s deadline") as info:
        get(make_test_session(fetch_deadline=1.0), server.url)
    assert time.monotonic() - started < 1.0 + SLACK
    assert info.value.exit_code == 3
    assert "sending too slowly" in info.value.message


def test_a_page_whose_headers_drip_is_cut_at_the_deadline(
    drip: type[DripServer], make_test_session: SessionFactory,
) -> None:
    # http.client reads whole header lines: no check between reads could ever run here.
    server = drip(mode="headers")
    started = time.monotonic()
    with pytest.raises(NetworkError, match="deadline"):
        get(make_test_session(fetch_deadline=1.0), server.url)
    assert time.monotonic() - started < 1.0 + SLACK


def test_a_request_without_a_callers_deadline_is_still_bounded(
    drip: type[DripServer], make_test_session: SessionFactory,
) -> None:
    server = drip(mode="headers")
    started = time.monotonic()
    with pytest.raises(Exception) as info:  # the session's own guard on send
        make_test_session(fetch_deadline=1.0).get(server.url)
    assert "deadline" in str(info.value)
    assert time.monotonic() - started < 1.0 + SLACK


def test_a_download_that_drips_is_cut_and_leaves_nothing(
    drip: type[DripServer], make_test_session: SessionFactory, tmp_path: Path,
) -> None:
    body = b"w" * 50_000
    server = drip(mode="body", body=body)
    session = make_test_session(fetch_deadline=1.0, download_min_rate=4096)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="stalled") as info:
        download(session, _file(server.file_url("pkg-1.0-py3-none-any.whl"), body), tmp_path)
    assert time.monotonic() - started < 1.0 + SLACK
    assert info.value.exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_a_slow_but_steady_download_outlives_the_fixed_deadline(
    drip: type[DripServer], make_test_session: SessionFactory, tmp_path: Path,
) -> None:
    # 192 KiB in 4 KiB pieces every 0.04 s: ~2 s at ~100 KiB/s, past the 1.5 s base, above
    # the 32 KiB/s floor, so the deadline keeps moving ahead of it.
    body = bytes(range(256)) * 768
    server = drip(mode="body", body=body, piece=4096, gap=0.04)
    session = make_test_session(fetch_deadline=1.5, download_min_rate=32 * 1024)
    started = time.monotonic()
    done = download(session, _file(server.file_url("pkg-1.0-py3-none-any.whl"), body), tmp_path)
    assert time.monotonic() - started > 1.5
    assert done.path.read_bytes() == body


def test_a_finished_deadline_never_cuts_a_pooled_connection(
    drip: type[DripServer], make_test_session: SessionFactory,
) -> None:
    server = drip(mode="body", body=b"ok", gap=0.0, piece=2)
    session = make_test_session(fetch_deadline=0.3)
    assert get(session, server.url).content == b"ok"
    time.sleep(0.5)  # past the first fetch's deadline: its connection is back in the pool
    assert get(session, server.url, deadline_seconds=5).content == b"ok"
