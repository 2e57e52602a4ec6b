"""file:// documents read without an HTTP library: pip's directory rule, 404s, limits, faults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safepip.errors import IndexPageError, NetworkError
from safepip.index.localfile import document_path, is_file_url, read_file_url

LIMIT = 1024


def test_a_directory_url_serves_its_index_html(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "index.html").write_text("<a href='x'>x</a>")
    url = (tmp_path / "pkg").as_uri() + "/"
    document = read_file_url(url, max_bytes=LIMIT)
    assert (document.status, document.url) == (200, url)
    assert document.content == b"<a href='x'>x</a>"
    assert document.content_type == "text/html; charset=utf-8"
    assert document_path(url) == tmp_path / "pkg" / "index.html"


def test_json_pages_are_typed_as_pep_691(tmp_path: Path) -> None:
    (tmp_path / "page.json").write_text("{}")
    document = read_file_url((tmp_path / "page.json").as_uri(), max_bytes=LIMIT)
    assert document.content_type == "application/vnd.pypi.simple.v1+json"


def test_a_missing_file_is_a_404_not_an_empty_page(tmp_path: Path) -> None:
    for url in ((tmp_path / "nothere").as_uri() + "/", (tmp_path / "a" / "b.metadata").as_uri()):
        document = read_file_url(url, max_bytes=LIMIT)
        assert (document.status, document.content) == (404, b"")


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.html").write_bytes(b"x" * (LIMIT + 1))
    with pytest.raises(IndexPageError, match="limit"):
        read_file_url((tmp_path / "big.html").as_uri(), max_bytes=LIMIT)


def test_a_remote_host_in_a_file_url_is_refused() -> None:
    assert is_file_url("FILE://server/share/x") and not is_file_url("https://x/file://")
    with pytest.raises(NetworkError, match="remote host"):
        read_file_url("file://server/share/simple/pkg/", max_bytes=LIMIT)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_fails_closed(tmp_path: Path) -> None:
    secret = tmp_path / "index.html"
    secret.write_text("x")
    secret.chmod(0)
    with pytest.raises(NetworkError, match="Could not read"):
        read_file_url(tmp_path.as_uri() + "/", max_bytes=LIMIT)


def test_an_index_html_that_cannot_be_opened_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "index.html").mkdir(parents=True)  # a directory: open() fails
    with pytest.raises(NetworkError, match="Could not read"):
        read_file_url((tmp_path / "pkg").as_uri() + "/", max_bytes=LIMIT)
