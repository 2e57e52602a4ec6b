"""LazySession: the HTTP session is built only when something needs the network."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.index.client import IndexClient
from safepip.index.findlinks import FindLinks
from safepip.index.http import Session
from safepip.index.httpbase import HttpOptions
from safepip.index.lazy_session import LazySession, real_session
from safepip.index.options import IndexOptions
from tests.conftest import IndexServerFactory
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import write_file_index

PKG = canonicalize_name("pkg")
PASSWORD = "pa55-Word-xyz"


def _lazy(tmp_path: Path) -> LazySession:
    return LazySession(HttpOptions(cache_dir=tmp_path / "http-cache", retries=0))


def test_built_once_on_first_use(tmp_path: Path) -> None:
    with _lazy(tmp_path) as lazy:
        assert not lazy.built
        session = lazy.session()
        assert lazy.built and isinstance(session, Session) and lazy.session() is session
        assert real_session(lazy) is session and real_session(session) is session
        assert session.http_options.cache_dir == tmp_path / "http-cache"


def test_a_file_index_is_read_without_building_a_session(tmp_path: Path) -> None:
    dist = [make_wheel(tmp_path / "dist", "pkg", "1.0", requires_dist=["idna>=3"]),
            make_sdist(tmp_path / "dist", "pkg", "0.9")]
    lazy = _lazy(tmp_path)
    client = IndexClient(lazy, IndexOptions(index_url=write_file_index(
        tmp_path / "index", dist, metadata=True)))
    [page] = client.project_pages(PKG)
    wheel = next(f for f in page.files if f.kind == "wheel")
    assert b"Requires-Dist: idna>=3" in (client.core_metadata(wheel) or b"")
    assert {f.filename for f in page.files} == {p.name for p in dist}
    assert not lazy.built


def test_a_local_find_links_directory_needs_no_session(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "wheels", "pkg", "1.0")
    lazy = _lazy(tmp_path)
    [found] = FindLinks(lazy, str(tmp_path / "wheels")).files_for(PKG)
    assert found.filename == wheel.name and not lazy.built


def test_an_http_index_builds_it_and_gets_the_credentials(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "pkg", "1.0")],
                          auth=("alice", PASSWORD), absolute_urls=True)
    lazy = _lazy(tmp_path)
    client = IndexClient(lazy, IndexOptions(index_url=server.url_with_auth("alice", PASSWORD)))
    [page] = client.project_pages(PKG)
    assert lazy.built and client.session is lazy.session()
    # The file URL carries no credentials: they were remembered from the index URL.
    assert client.core_metadata(page.files[0]) is not None


def test_credentials_reach_a_download_that_comes_before_any_page(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    # The metadata fetcher downloads through the session itself, not through the client: the
    # index URL's credentials must be known to the session however it is first reached.
    server = index_server([make_wheel(tmp_path / "dist", "pkg", "1.0")],
                          auth=("alice", PASSWORD), absolute_urls=True)
    lazy = _lazy(tmp_path)
    IndexClient(lazy, IndexOptions(index_url=server.url_with_auth("alice", PASSWORD)))
    response = lazy.session().get(server.file_url("pkg-1.0-py3-none-any.whl"))
    assert response.status_code == 200
