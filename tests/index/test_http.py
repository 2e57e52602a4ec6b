"""The session and `get` against the loopback server: retries, timeouts, truncation, auth, TLS."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from safepip.errors import IndexPageError, NetworkError
from safepip.index.http import get, is_secure_origin
from tests.conftest import IndexServerFactory
from tests.index.conftest import SessionFactory
from tests.kit.archives import make_wheel
from tests.kit.index_server import JSON_TYPE, self_signed_certificate, write_file_index

PASSWORD = "hunter2-Secret"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return make_wheel(tmp_path / "dist", "pkg", "1.0")


def test_get_fetches_a_page_with_safepip_user_agent(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    doc = get(make_test_session(), server.index_url + "pkg/", headers={"Accept": JSON_TYPE})
    assert doc.status == 200 and doc.content_type == JSON_TYPE and b'"pkg"' in doc.content
    [request] = server.requests_for("/simple/pkg/")
    assert request.headers["User-Agent"].startswith("safepip/")


def test_5xx_is_retried_then_succeeds(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", status=503, times=2)
    doc = get(make_test_session(retries=3), server.index_url + "pkg/")
    assert doc.status == 200
    assert len(server.requests_for("/simple/pkg/")) == 3


def test_persistent_5xx_is_a_network_error_after_retries(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", status=500)
    with pytest.raises(NetworkError, match="answered 500") as info:
        get(make_test_session(retries=2), server.index_url + "pkg/")
    assert info.value.exit_code == 3
    assert len(server.requests_for("/simple/pkg/")) == 3


def test_timeout_is_a_network_error(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", delay=3)
    with pytest.raises(NetworkError, match="Timed out"):
        get(make_test_session(retries=1, read_timeout=0.3), server.index_url + "pkg/")
    assert len(server.requests_for("/simple/pkg/")) == 2


def test_connection_refused_is_a_network_error(make_test_session: SessionFactory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError, match="Could not connect"):
        get(make_test_session(retries=0), f"http://127.0.0.1:{port}/simple/")


def test_truncated_body_is_an_error(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", truncate=True)
    with pytest.raises(IndexPageError, match=r"cut off|truncated"):
        get(make_test_session(retries=0), server.index_url + "pkg/")


def test_oversize_body_is_an_error(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    with pytest.raises(IndexPageError, match="limit"):
        get(make_test_session(), server.file_url(wheel.name), max_bytes=100)


def test_other_4xx_raise_and_404_is_returned(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/gone/", status=410)
    session = make_test_session()
    assert get(session, server.index_url + "nothere/").status == 404
    with pytest.raises(NetworkError, match="410"):
        get(session, server.index_url + "gone/")


def test_file_urls(tmp_path: Path, wheel: Path, make_test_session: SessionFactory) -> None:
    url = write_file_index(tmp_path / "index", [wheel])
    session = make_test_session()
    page = get(session, url + "pkg/")
    assert page.status == 200 and page.content_type.startswith("text/html")
    assert wheel.name.encode() in page.content
    assert get(session, url + "nothere/").status == 404


def test_credentials_in_url_are_used_and_never_shown(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = index_server([wheel], auth=("alice", PASSWORD), absolute_urls=True)
    session = make_test_session()
    assert get(session, server.url_with_auth("alice", PASSWORD) + "pkg/").status == 200
    # Same origin, no credentials in the URL (absolute file link): remembered credentials apply.
    assert get(session, server.file_url(wheel.name)).status == 200
    with pytest.raises(NetworkError) as info:
        # Without the cache: its keys hold no credentials (as in pip), so it would answer.
        get(make_test_session(use_cache=False),
            server.url_with_auth("alice", "wrong-" + PASSWORD) + "pkg/")
    assert "401" in info.value.diagnostics()
    assert PASSWORD not in info.value.diagnostics() and PASSWORD not in caplog.text


def test_netrc_credentials(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
    isolated_home: Path,
) -> None:
    server = index_server([wheel], auth=("bob", PASSWORD))
    netrc = isolated_home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {PASSWORD}\n")
    netrc.chmod(0o600)
    assert get(make_test_session(), server.index_url + "pkg/").status == 200


def test_tls_is_verified_unless_host_is_trusted(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory,
    make_test_session: SessionFactory, caplog: pytest.LogCaptureFixture,
) -> None:
    pair = self_signed_certificate(tmp_path)
    if pair is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    server = index_server([wheel], tls=pair)
    assert server.index_url.startswith("https://")
    with pytest.raises(NetworkError, match="TLS verification failed"):
        get(make_test_session(retries=0), server.index_url + "pkg/")
    assert get(make_test_session(cert=str(pair[0])), server.index_url + "pkg/").status == 200
    trusted = make_test_session(trusted_hosts=("127.0.0.1",))
    assert "verification is disabled for trusted host 127.0.0.1" in caplog.text
    assert get(trusted, server.index_url + "pkg/").status == 200


@pytest.mark.parametrize(("url", "trusted", "secure"), [
    ("https://pypi.org/simple/", (), True),
    ("file:///srv/index/", (), True),
    ("http://127.0.0.1:8080/simple/", (), True),
    ("http://localhost/simple/", (), True),
    ("http://mirror.example/simple/", (), False),
    ("http://mirror.example/simple/", ("mirror.example",), True),
    ("http://mirror.example:8080/simple/", ("mirror.example:8080",), True),
    ("http://mirror.example:9090/simple/", ("mirror.example:8080",), False),
])
def test_secure_origin_rule(url: str, trusted: tuple[str, ...], secure: bool) -> None:
    assert is_secure_origin(url, trusted) is secure


def test_redirect_cannot_downgrade_to_untrusted_http(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", status=302,
                     headers={"Location": "http://192.0.2.1/simple/pkg/"})
    # The socket guard would raise NetworkBlockedError if a connection were even attempted.
    with pytest.raises(NetworkError, match="not trusted"):
        get(make_test_session(), server.index_url + "pkg/")


def test_default_cache_dir_is_the_platform_user_cache(isolated_home: Path) -> None:
    from safepip.index.http import HttpOptions

    assert HttpOptions().resolved_cache_dir() == isolated_home / ".cache" / "safepip" / "http"


def test_slow_drip_body_hits_the_fetch_deadline(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", drip=0.05)  # each piece arrives well within read_timeout
    with pytest.raises(NetworkError, match="too slowly"):
        get(make_test_session(fetch_deadline=0.5), server.index_url + "pkg/")


def test_retry_after_is_not_obeyed(
    wheel: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    import time

    server = index_server([wheel])
    server.add_fault("/simple/pkg/", status=503, times=1, headers={"Retry-After": "3600"})
    start = time.monotonic()
    assert get(make_test_session(), server.index_url + "pkg/").status == 200
    assert time.monotonic() - start < 30
