"""--find-links: directories, local files, local and remote HTML pages, filtered by project."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from safepip.errors import NetworkError, ProjectNotFoundError
from safepip.index.client import IndexClient
from safepip.index.findlinks import project_of
from safepip.index.options import IndexOptions
from tests.conftest import IndexServerFactory
from tests.index.conftest import SessionFactory
from tests.kit.archives import make_sdist, make_wheel

PKG = canonicalize_name("pkg")


@pytest.fixture
def links_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "links"
    make_wheel(folder, "pkg", "1.0")
    make_sdist(folder, "pkg", "0.9")
    make_wheel(folder, "pkg-extra", "1.0")  # another project sharing a prefix
    (folder / "notes.txt").write_text("not a distribution")
    return folder


def _client(session_factory: SessionFactory, *links: str) -> IndexClient:
    return IndexClient(session_factory(), IndexOptions(no_index=True, find_links=links))


def test_project_of() -> None:
    assert project_of("Foo_Bar-1.0-py3-none-any.whl") == "foo-bar"
    assert project_of("foo-bar-1.0.tar.gz") == "foo-bar"
    assert project_of("foo-1.0.tar.bz2") == "foo"
    assert project_of("foo.tar.gz") is None


@pytest.mark.parametrize("as_url", [False, True])
def test_directory(links_dir: Path, make_test_session: SessionFactory, as_url: bool) -> None:
    location = links_dir.as_uri() if as_url else str(links_dir)
    [page] = _client(make_test_session, location).project_pages(PKG)
    files = {f.filename: f for f in page.files}
    assert set(files) == {"pkg-1.0-py3-none-any.whl", "pkg-0.9.tar.gz"}
    wheel = files["pkg-1.0-py3-none-any.whl"]
    data = (links_dir / wheel.filename).read_bytes()
    assert wheel.sha256 == hashlib.sha256(data).hexdigest() and wheel.size == len(data)
    assert wheel.url == (links_dir / wheel.filename).as_uri() and page.source_url == location


def test_single_local_archive(links_dir: Path, make_test_session: SessionFactory) -> None:
    [page] = _client(make_test_session, str(links_dir / "pkg-0.9.tar.gz")).project_pages(PKG)
    assert [f.filename for f in page.files] == ["pkg-0.9.tar.gz"]


def test_local_html_page(links_dir: Path, make_test_session: SessionFactory) -> None:
    page_file = links_dir / "index.html"
    sha = hashlib.sha256((links_dir / "pkg-0.9.tar.gz").read_bytes()).hexdigest()
    page_file.write_text(f'<a href="pkg-0.9.tar.gz#sha256={sha}">s</a>'
                         '<a href="pkg_extra-1.0-py3-none-any.whl">o</a>')
    [page] = _client(make_test_session, str(page_file)).project_pages(PKG)
    [sdist] = page.files
    assert sdist.url == (links_dir / "pkg-0.9.tar.gz").as_uri() and sdist.sha256 == sha


def test_remote_html_page(
    links_dir: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(sorted(links_dir.glob("*.whl")) + sorted(links_dir.glob("*.tar.gz")))
    # A project page is an HTML page of links: use it as a find-links page.
    [page] = _client(make_test_session, server.index_url + "pkg/").project_pages(PKG)
    assert {f.filename for f in page.files} == {"pkg-1.0-py3-none-any.whl", "pkg-0.9.tar.gz"}
    assert all(f.url.startswith(server.url + "/files/") and f.sha256 for f in page.files)
    assert server.requests_for("/simple/pkg/")[0].headers["Accept"].startswith("text/html")


def test_find_links_are_added_after_indexes_and_read_once(
    links_dir: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([make_wheel(links_dir.parent / "idx", "pkg", "3.0")])
    page_server = index_server(sorted(links_dir.glob("*.whl")))
    client = IndexClient(make_test_session(), IndexOptions(
        index_url=server.index_url, find_links=(page_server.index_url + "pkg/", str(links_dir))))
    pages = client.project_pages(PKG)
    client.project_pages(canonicalize_name("pkg-extra"))
    assert [p.source_url for p in pages] == [
        server.index_url + "pkg/", page_server.index_url + "pkg/", str(links_dir)]
    assert len(page_server.requests_for("/simple/pkg/")) == 1


def test_missing_location_is_skipped_with_a_warning(
    tmp_path: Path, links_dir: Path, make_test_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = _client(make_test_session, str(tmp_path / "nope"), str(links_dir))
    assert len(client.project_pages(PKG)) == 1
    assert "neither a file nor a directory" in caplog.text
    with pytest.raises(ProjectNotFoundError):
        _client(make_test_session, str(tmp_path / "nope")).project_pages(PKG)


def test_unreachable_page_is_an_error(
    index_server: IndexServerFactory, make_test_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = index_server([])
    server.add_fault("/links/", status=500)
    with pytest.raises(NetworkError):
        _client(make_test_session, server.url + "/links/").project_pages(PKG)


def test_remote_archive_url(
    links_dir: Path, index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    wheel = links_dir / "pkg-1.0-py3-none-any.whl"
    server = index_server([wheel])
    [page] = _client(make_test_session, server.file_url(wheel.name) + "#egg=x").project_pages(PKG)
    assert [f.url for f in page.files] == [server.file_url(wheel.name)]
    assert server.requests == []  # listed, not fetched: the download checks it later
