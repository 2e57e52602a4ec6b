"""The HTTP cache never holds credentials.

CacheControl stores, with each response, the request headers its `Vary` names; an index that
answers `Vary: Authorization` would put the password (base64) into the cache directory, which CI
systems upload and share between runs. Every byte under the cache directory is searched for the
password in the forms it travels in.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from safepip.artifacts.download import download
from safepip.index.http import get
from safepip.index.models import DistributionFile
from tests.conftest import IndexServerFactory
from tests.index.conftest import SessionFactory
from tests.kit.archives import make_wheel

USER, PASSWORD = "alice", "hunter2-Secret-7f3a"


def _forms(user: str, password: str) -> list[bytes]:
    pair = f"{user}:{password}".encode()
    return [password.encode(), pair, base64.b64encode(pair),
            base64.b64encode(pair).rstrip(b"=")]


def _cache_bytes(cache: Path) -> bytes:
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files, "the cache should hold something, else this test proves nothing"
    return b"".join(p.read_bytes() for p in files) + b"".join(
        str(p).encode() for p in cache.rglob("*"))


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return make_wheel(tmp_path / "dist", "pkg", "1.0")


@pytest.mark.parametrize("vary", ["Authorization", "Accept-Encoding, authorization",
                                  "Cookie, Authorization"])
def test_responses_varying_on_authorization_leave_no_credential_in_the_cache(
    vary: str, wheel: Path, index_server: IndexServerFactory,
    make_test_session: SessionFactory, tmp_path: Path,
) -> None:
    server = index_server([wheel], auth=(USER, PASSWORD), absolute_urls=True)
    server.add_fault("*", headers={"Vary": vary})
    session = make_test_session()
    page = get(session, server.url_with_auth(USER, PASSWORD) + "pkg/")
    assert page.status == 200
    data = wheel.read_bytes()
    download(session, DistributionFile(
        filename=wheel.name, url=server.file_url(wheel.name),
        hashes={"sha256": hashlib.sha256(data).hexdigest()}, size=len(data)), tmp_path / "dl")
    get(session, server.url_with_auth(USER, PASSWORD) + "nothere/")  # a 404, cacheable too
    # An unauthenticated page on another index fills the cache, so it is not empty by chance.
    other = index_server([wheel])
    get(session, other.index_url + "pkg/")
    stored = _cache_bytes(tmp_path / "http-cache")
    for form in _forms(USER, PASSWORD):
        assert form not in stored


def test_an_authenticated_response_without_a_credential_vary_is_still_cached(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
    tmp_path: Path,
) -> None:
    server = index_server([wheel], auth=(USER, PASSWORD))
    server.add_fault("*", headers={"Vary": "Accept"})
    session = make_test_session()
    url = server.url_with_auth(USER, PASSWORD) + "pkg/"
    first = get(session, url)
    assert get(session, url).content == first.content
    assert len(server.requests_for("/simple/pkg/")) == 1  # the second came from the cache
    stored = _cache_bytes(tmp_path / "http-cache")
    for form in _forms(USER, PASSWORD):
        assert form not in stored


def test_a_response_varying_on_authorization_is_fetched_again(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel], auth=(USER, PASSWORD))
    server.add_fault("*", headers={"Vary": "Authorization"})
    session = make_test_session()
    url = server.url_with_auth(USER, PASSWORD) + "pkg/"
    assert get(session, url).content == get(session, url).content
    assert len(server.requests_for("/simple/pkg/")) == 2


def test_credentials_in_the_url_name_no_cache_entry_and_no_log_line(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)  # the cache library logs every URL it looks up
    server = index_server([wheel], auth=(USER, PASSWORD.lower()))
    session = make_test_session()
    url = server.url_with_auth(USER, PASSWORD.lower()) + "pkg/"
    assert get(session, url).status == 200
    assert get(session, url).status == 200
    assert len(server.requests_for("/simple/pkg/")) == 1  # still cached
    names = {p.name for p in (tmp_path / "http-cache").rglob("*")}
    assert hashlib.sha224(url.encode()).hexdigest() not in names  # the key has no password
    assert PASSWORD.lower() not in caplog.text
