"""IndexClient against the loopback index: JSON/HTML, several indexes, faults, PEP 658, caching."""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from safepip.errors import (
    ExitCode,
    HashMismatchError,
    IndexPageError,
    NetworkError,
    ProjectNotFoundError,
)
from safepip.index.client import IndexClient
from safepip.index.models import DistributionFile
from safepip.index.options import IndexOptions
from tests.conftest import IndexServerFactory
from tests.index.conftest import SessionFactory
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import JSON_TYPE, FileOptions, IndexServer, write_file_index

PKG = canonicalize_name("pkg")
PASSWORD = "pa55-Word-xyz"


@pytest.fixture
def dist(tmp_path: Path) -> list[Path]:
    return [make_wheel(tmp_path / "dist", "pkg", "1.0", requires_dist=["idna>=3"]),
            make_sdist(tmp_path / "dist", "pkg", "0.9")]


def _client(session_factory: SessionFactory, *indexes: str, **options: object) -> IndexClient:
    index = IndexOptions(index_url=indexes[0], extra_index_urls=tuple(indexes[1:]),
                         **options)  # type: ignore[arg-type]
    return IndexClient(session_factory(), index)


def _by_name(files: tuple[DistributionFile, ...]) -> dict[str, DistributionFile]:
    return {f.filename: f for f in files}


@pytest.mark.parametrize("json_api", [True, False])
def test_page_fields_json_and_html(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
    json_api: bool,
) -> None:
    wheel, sdist = dist
    server = index_server(dist, json_api=json_api, file_options={
        sdist.name: FileOptions(yanked="broken", requires_python=">=3.8",
                                upload_time="2024-05-06T07:08:09.000000Z")})
    [page] = _client(make_test_session, server.index_url).project_pages(PKG)
    files = _by_name(page.files)
    assert files[wheel.name].url == server.file_url(wheel.name)  # relative href resolved
    assert files[sdist.name].yanked == "broken" and files[sdist.name].requires_python == ">=3.8"
    assert files[wheel.name].yanked is None and files[wheel.name].metadata_hashes
    assert files[wheel.name].index_url == server.index_url
    if json_api:
        assert files[sdist.name].upload_time == dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
        assert files[sdist.name].size == sdist.stat().st_size
    accept = server.requests_for("/simple/pkg/")[0].headers["Accept"]
    assert accept.startswith(JSON_TYPE) and "text/html" in accept


def test_absolute_urls(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist, absolute_urls=True)
    [page] = _client(make_test_session, server.index_url).project_pages(PKG)
    assert {f.url for f in page.files} == {server.file_url(p.name) for p in dist}


def test_file_index(tmp_path: Path, dist: list[Path], make_test_session: SessionFactory) -> None:
    url = write_file_index(tmp_path / "index", dist, metadata=True)
    client = _client(make_test_session, url)
    [page] = client.project_pages(PKG)
    wheel = _by_name(page.files)[dist[0].name]
    assert wheel.url == (tmp_path / "index" / "files" / dist[0].name).resolve().as_uri()
    assert b"Requires-Dist: idna>=3" in (client.core_metadata(wheel) or b"")


def test_several_indexes_in_order_and_404_on_one(
    tmp_path: Path, dist: list[Path], index_server: IndexServerFactory,
    make_test_session: SessionFactory,
) -> None:
    empty, full = index_server([]), index_server(dist)
    other = index_server([make_wheel(tmp_path / "o", "pkg", "2.0")])
    pages = _client(make_test_session, empty.index_url, full.index_url,
                    other.index_url).project_pages(PKG)
    assert [p.source_url for p in pages] == [full.index_url + "pkg/", other.index_url + "pkg/"]
    assert len(empty.requests_for("/simple/pkg/")) == 1


def test_404_everywhere_is_project_not_found(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    a, b = index_server(dist), index_server(dist)
    with pytest.raises(ProjectNotFoundError) as info:
        _client(make_test_session, a.index_url, b.index_url).project_pages(
            canonicalize_name("nothere"))
    assert info.value.exit_code == ExitCode.INCOMPLETE and info.value.name == "nothere"
    assert info.value.indexes == (a.index_url, b.index_url)
    assert "nothere" in info.value.diagnostics()


def test_empty_project_page_is_a_page_not_an_error(
    index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server([])
    server.add_project("pkg")
    [page] = _client(make_test_session, server.index_url).project_pages(PKG)
    assert page.files == ()


@pytest.mark.parametrize(("fault", "error"), [
    ({"status": 500}, NetworkError), ({"malformed": True}, IndexPageError),
    ({"truncate": True}, IndexPageError), ({"delay": 3}, NetworkError),
    ({"status": 403}, NetworkError),
])
def test_faults_on_any_index_fail_closed(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
    fault: dict[str, object], error: type[Exception],
) -> None:
    good, bad = index_server(dist), index_server(dist)
    bad.add_fault("/simple/pkg/", **fault)
    client = IndexClient(make_test_session(retries=1, read_timeout=0.3),
                         IndexOptions(index_url=good.index_url,
                                      extra_index_urls=(bad.index_url,)))
    with pytest.raises(error) as info:
        client.project_pages(PKG)
    assert info.value.exit_code == ExitCode.INCOMPLETE  # type: ignore[attr-defined]


@pytest.mark.parametrize("json_api", [True, False])
def test_malformed_page_in_either_format(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
    json_api: bool,
) -> None:
    server = index_server(dist, json_api=json_api)
    server.add_fault("/simple/pkg/", malformed=True)
    with pytest.raises(IndexPageError, match="malformed"):
        _client(make_test_session, server.index_url).project_pages(PKG)


def test_500_then_ok_is_retried(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    server.add_fault("/simple/pkg/", status=502, times=1)
    [page] = _client(make_test_session, server.index_url).project_pages(PKG)
    assert len(page.files) == 2 and len(server.requests_for("/simple/pkg/")) == 2


def test_each_url_fetched_once_even_from_many_threads(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    server.add_fault("/simple/pkg/", delay=0.2)
    client = _client(make_test_session, server.index_url)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: client.project_pages(PKG), range(16)))
    assert all(r == results[0] for r in results)
    wheel = _by_name(results[0][0].files)[dist[0].name]
    with ThreadPoolExecutor(8) as pool:
        metas = set(pool.map(lambda _: client.core_metadata(wheel), range(16)))
    assert len(metas) == 1
    assert len(server.requests_for("/simple/pkg/")) == 1
    assert len(server.requests_for(f"/files/{dist[0].name}.metadata")) == 1


def test_errors_are_remembered_not_refetched(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    server.add_fault("/simple/pkg/", status=500)
    client = _client(make_test_session, server.index_url)
    for _ in range(2):
        with pytest.raises(NetworkError):
            client.project_pages(PKG)
    assert len(server.requests_for("/simple/pkg/")) == 3  # one fetch: first try + 2 retries


def _wheel_metadata(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("pkg-1.0.dist-info/METADATA")


def _wheel_file(server: IndexServer, client: IndexClient, name: str) -> DistributionFile:
    return next(f for page in client.project_pages(PKG) for f in page.files if f.filename == name)


def test_core_metadata_advertised(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    client = _client(make_test_session, server.index_url)
    wheel = _wheel_file(server, client, dist[0].name)
    assert wheel.metadata_hashes is not None
    assert client.core_metadata(wheel) == _wheel_metadata(dist[0])


def test_core_metadata_hash_mismatch(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    server.replace_file(dist[0].name + ".metadata", b"Metadata-Version: 2.1\nName: pkg\n")
    client = _client(make_test_session, server.index_url)
    with pytest.raises(HashMismatchError):
        client.core_metadata(_wheel_file(server, client, dist[0].name))


def test_a_cached_metadata_file_of_an_older_upload_is_fetched_again(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    """The index rebuilt the file under the same name (the HTTP cache still holds the old
    `.metadata`, served as immutable): the index is asked again, and its answer must match."""
    server = index_server(dist)
    client = _client(make_test_session, server.index_url)
    assert client.core_metadata(_wheel_file(server, client, dist[0].name)) is not None
    rebuilt = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nSummary: rebuilt\n"
    server.replace_file(dist[0].name + ".metadata", rebuilt, update_hash=True)
    again = _client(make_test_session, server.index_url)
    assert again.core_metadata(_wheel_file(server, again, dist[0].name)) == rebuilt
    # (What the index sends on that second request must match too: see the test above.)


def test_core_metadata_served_but_not_advertised(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist, advertise_metadata=False)
    client = _client(make_test_session, server.index_url)
    wheel = _wheel_file(server, client, dist[0].name)
    assert wheel.metadata_hashes is None
    assert client.core_metadata(wheel) == _wheel_metadata(dist[0])


def test_core_metadata_absent(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist, metadata=False)
    client = _client(make_test_session, server.index_url)
    wheel = _wheel_file(server, client, dist[0].name)
    sdist = _wheel_file(server, client, dist[1].name)
    assert client.core_metadata(wheel) is None and client.core_metadata(wheel) is None
    assert client.core_metadata(sdist) is None
    assert len(server.requests_for(f"/files/{dist[0].name}.metadata")) == 1
    assert server.requests_for(f"/files/{dist[1].name}.metadata") == []


def test_core_metadata_server_error_is_not_none(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    server.add_fault("/files/*.metadata", status=500)
    client = _client(make_test_session, server.index_url)
    with pytest.raises(NetworkError):
        client.core_metadata(_wheel_file(server, client, dist[0].name))


def test_http_cache_is_reused_across_runs(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    for _ in range(2):  # two runs: fresh sessions and clients, same cache directory
        client = _client(make_test_session, server.index_url)
        client.core_metadata(_wheel_file(server, client, dist[0].name))
    first, second = server.requests_for("/simple/pkg/")
    assert "If-None-Match" not in first.headers and "If-None-Match" in second.headers
    assert len(server.requests_for(f"/files/{dist[0].name}.metadata")) == 1  # from cache


def test_credentials_work_and_never_leak(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = index_server(dist, auth=("alice", PASSWORD), absolute_urls=True)
    client = _client(make_test_session, server.url_with_auth("alice", PASSWORD))
    wheel = _wheel_file(server, client, dist[0].name)
    assert client.core_metadata(wheel) == _wheel_metadata(dist[0])
    bad = _client(make_test_session, server.url_with_auth("alice", PASSWORD + "-wrong"))
    with pytest.raises(NetworkError) as info:
        bad.project_pages(PKG)
    missing = _client(make_test_session, server.url_with_auth("alice", PASSWORD))
    with pytest.raises(ProjectNotFoundError) as not_found:
        missing.project_pages(canonicalize_name("nothere"))
    texts = [info.value.diagnostics(), str(info.value), not_found.value.diagnostics(), caplog.text]
    assert all(PASSWORD not in text for text in texts)
    assert "***@127.0.0.1" in info.value.diagnostics()


def test_plain_http_to_an_untrusted_remote_host_is_refused(
    make_test_session: SessionFactory,
) -> None:
    client = _client(make_test_session, "http://index.invalid/simple/")
    with pytest.raises(NetworkError, match="not trusted"):
        client.project_pages(PKG)


def test_core_metadata_url_keeps_the_query_string(
    dist: list[Path], index_server: IndexServerFactory, make_test_session: SessionFactory,
) -> None:
    server = index_server(dist)
    file = DistributionFile(filename=dist[0].name, url=server.file_url(dist[0].name) + "?sig=1")
    client = _client(make_test_session, server.index_url)
    assert client.core_metadata(file) == _wheel_metadata(dist[0])
    [request] = server.requests_for(f"/files/{dist[0].name}.metadata")
    assert request.path.endswith(".metadata?sig=1")
