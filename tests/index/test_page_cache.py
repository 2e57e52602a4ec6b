"""PageCache: parsed file:// pages reused only while the page file is unchanged; HTTP never."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from safepip.cache import code_revision
from safepip.errors import ProjectNotFoundError
from safepip.index.client import IndexClient
from safepip.index.lazy_session import LazySession
from safepip.index.models import DistributionFile, ProjectPage
from safepip.index.options import IndexOptions
from safepip.index.page_cache import PageCache
from tests.conftest import IndexServerFactory
from tests.kit.archives import make_wheel
from tests.kit.index_server import write_file_index

PKG = canonicalize_name("pkg")


class CountingReader:
    """The real read, counted: how often the cache had to fall back to it."""

    def __init__(self, page: ProjectPage | None) -> None:
        self.page, self.calls = page, 0

    def __call__(self) -> ProjectPage | None:
        self.calls += 1
        return self.page


def _page_file(tmp_path: Path) -> tuple[str, Path]:
    (tmp_path / "simple" / "pkg").mkdir(parents=True)
    page = tmp_path / "simple" / "pkg" / "index.html"
    page.write_text("<a href='pkg-1.0.tar.gz'>pkg-1.0.tar.gz</a>")
    return (tmp_path / "simple" / "pkg").as_uri() + "/", page


def _full_page(url: str) -> ProjectPage:
    return ProjectPage(name=PKG, source_url=url, files=(DistributionFile(
        filename="pkg-1.0-py3-none-any.whl", url=url + "pkg-1.0-py3-none-any.whl",
        hashes={"sha256": "ab" * 32}, requires_python=">=3.9", yanked="",
        upload_time=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC), size=1234,
        metadata_hashes={"sha256": "cd" * 32}, index_url="file:///x/simple/"),
        DistributionFile(filename="pkg-0.9.tar.gz", url=url + "pkg-0.9.tar.gz")))


def test_an_unchanged_file_is_parsed_once_and_every_field_survives(tmp_path: Path) -> None:
    url, _ = _page_file(tmp_path)
    original = _full_page(url)
    reader = CountingReader(original)
    for _ in range(3):  # three runs: a fresh PageCache each time, one directory
        page = PageCache(tmp_path / "cache").get_or_read(url, "file:///x/simple/", PKG, reader)
        assert page is not None
        assert [asdict(f) for f in page.files] == [asdict(f) for f in original.files]
        assert (page.name, page.source_url) == (PKG, url)
    assert reader.calls == 1


def test_a_rewritten_file_is_read_again_even_with_its_size_and_mtime_restored(
    tmp_path: Path,
) -> None:
    url, path = _page_file(tmp_path)
    cache = PageCache(tmp_path / "cache")
    reader = CountingReader(_full_page(url))
    cache.get_or_read(url, "file:///x/simple/", PKG, reader)
    before = path.stat()
    path.write_text(path.read_text().replace("1.0", "6.6"))  # same size: a different release
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    cache.get_or_read(url, "file:///x/simple/", PKG, reader)
    assert reader.calls == 2


def test_a_page_of_another_index_or_project_is_not_reused(tmp_path: Path) -> None:
    url, _ = _page_file(tmp_path)
    cache = PageCache(tmp_path / "cache")
    reader = CountingReader(_full_page(url))
    cache.get_or_read(url, "file:///x/simple/", PKG, reader)
    cache.get_or_read(url, "file:///y/simple/", PKG, reader)
    cache.get_or_read(url, "file:///x/simple/", canonicalize_name("other"), reader)
    assert reader.calls == 3


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    url, _ = _page_file(tmp_path)
    reader = CountingReader(_full_page(url))
    PageCache(tmp_path / "cache").get_or_read(url, "file:///x/simple/", PKG, reader)
    [entry] = (tmp_path / "cache").rglob("*.json")
    entry.write_text(entry.read_text().replace('"size": 1234', '"size": "big"'))
    page = PageCache(tmp_path / "cache").get_or_read(url, "file:///x/simple/", PKG, reader)
    assert reader.calls == 2 and page is not None and page.files[0].size == 1234


def test_a_missing_page_is_never_stored(tmp_path: Path) -> None:
    url = (tmp_path / "simple" / "nothere").as_uri() + "/"
    reader = CountingReader(None)
    cache = PageCache(tmp_path / "cache")
    assert cache.get_or_read(url, "file:///x/", PKG, reader) is None
    assert cache.get_or_read(url, "file:///x/", PKG, reader) is None
    assert reader.calls == 2 and not list((tmp_path / "cache").rglob("*.json"))


def test_the_client_sees_a_new_release_and_a_removed_project_on_a_cached_file_index(
    tmp_path: Path,
) -> None:
    dist = tmp_path / "dist"
    url = write_file_index(tmp_path / "index", [make_wheel(dist, "pkg", "1.0")])

    def files() -> set[str]:
        client = IndexClient(LazySession(), IndexOptions(index_url=url),
                             page_cache=PageCache(tmp_path / "cache"))
        return {f.filename for page in client.project_pages(PKG) for f in page.files}

    assert files() == files() == {"pkg-1.0-py3-none-any.whl"}
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1  # the second run was a hit
    write_file_index(tmp_path / "index", [make_wheel(dist, "pkg", "1.0"),
                                          make_wheel(dist, "pkg", "2.0")])
    assert files() == {"pkg-1.0-py3-none-any.whl", "pkg-2.0-py3-none-any.whl"}
    (tmp_path / "index" / "simple" / "pkg" / "index.html").unlink()
    with pytest.raises(ProjectNotFoundError):
        files()


def test_http_pages_are_revalidated_every_run_not_cached(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "pkg", "1.0")])
    for _ in range(2):
        with LazySession() as session:
            IndexClient(session, IndexOptions(index_url=server.index_url),
                        page_cache=PageCache(tmp_path / "cache")).project_pages(PKG)
    assert len(server.requests_for("/simple/pkg/")) == 2
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_an_entry_written_by_other_parser_code_is_a_miss(tmp_path: Path) -> None:
    url, _ = _page_file(tmp_path)
    reader = CountingReader(_full_page(url))
    PageCache(tmp_path / "cache").get_or_read(url, "file:///x/simple/", PKG, reader)
    [entry] = (tmp_path / "cache").rglob("*.json")
    document = json.loads(entry.read_text())
    assert document["revision"] == code_revision(
        "index/simple", "index/html_anchors", "index/models", "index/localfile",
        "index/page_cache")
    entry.write_text(json.dumps({**document, "revision": "0" * 16}))
    PageCache(tmp_path / "cache").get_or_read(url, "file:///x/simple/", PKG, reader)
    assert reader.calls == 2
