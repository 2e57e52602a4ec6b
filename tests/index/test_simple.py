"""Parsing PEP 691 JSON and PEP 503 HTML pages: fields, URL resolution, and refusal of bad pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from safepip.errors import IndexPageError
from safepip.index.http import FetchedDocument
from safepip.index.simple import JSON_TYPE, is_distribution_filename, parse_project_page

PAGE = "https://user:s3cret@index.example/simple/pkg/"
SHA = "a" * 64


def _json(files: list[dict[str, Any]], version: str = "1.1") -> FetchedDocument:
    body = {"meta": {"api-version": version}, "name": "pkg", "files": files}
    return FetchedDocument(PAGE, 200, JSON_TYPE, json.dumps(body).encode())


def _html(body: str, content_type: str = "text/html; charset=utf-8") -> FetchedDocument:
    return FetchedDocument(PAGE, 200, content_type, body.encode())


def _parse(doc: FetchedDocument) -> list[Any]:
    return list(parse_project_page(doc, canonicalize_name("pkg"), index_url=PAGE).files)


def test_json_fields() -> None:
    [f] = _parse(_json([{
        "filename": "pkg-1.0-py3-none-any.whl", "url": "../../files/pkg-1.0-py3-none-any.whl",
        "hashes": {"sha256": SHA.upper()}, "requires-python": ">=3.9", "yanked": "bad build",
        "upload-time": "2024-01-02T03:04:05.123456Z", "size": 42,
        "core-metadata": {"sha256": "b" * 64}, "dist-info-metadata": {"sha256": "c" * 64},
    }]))
    assert f.url == "https://user:s3cret@index.example/files/pkg-1.0-py3-none-any.whl"
    assert f.sha256 == SHA and f.requires_python == ">=3.9" and f.yanked == "bad build"
    assert f.upload_time == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
    assert f.size == 42 and f.metadata_hashes == {"sha256": "b" * 64}  # PEP 714: core wins
    assert f.index_url == PAGE and f.kind == "wheel"


@pytest.mark.parametrize(("raw", "expected"), [(False, None), (True, ""), ("why", "why")])
def test_json_yanked_forms(raw: object, expected: str | None) -> None:
    [f] = _parse(_json([{"filename": "pkg-1.0.tar.gz", "url": "x/pkg-1.0.tar.gz", "hashes": {},
                         "yanked": raw}]))
    assert f.yanked == expected and f.kind == "sdist"


def test_json_dist_info_metadata_true_means_advertised_without_hash() -> None:
    [f] = _parse(_json([{"filename": "pkg-1.0-py3-none-any.whl", "url": "a.whl", "hashes": {},
                         "dist-info-metadata": True}]))
    assert f.metadata_hashes == {}


def test_html_fields_relative_urls_and_base_tag() -> None:
    [f, g] = _parse(_html(
        f'<html><body><a href="../../files/pkg-1.0.tar.gz#sha256={SHA}" '
        'data-requires-python="&gt;=3.8" data-yanked="" '
        f'data-dist-info-metadata="sha256={"d" * 64}">pkg-1.0.tar.gz</a>'
        '<base href="https://cdn.example/base/">'
        '<a href="pkg-2.0-py3-none-any.whl" data-core-metadata="true">w</a></body></html>'))
    assert f.url == "https://cdn.example/files/pkg-1.0.tar.gz"  # base applies to every link
    assert f.hashes == {"sha256": SHA} and f.requires_python == ">=3.8" and f.yanked == ""
    assert f.metadata_hashes == {"sha256": "d" * 64}
    assert g.url == "https://cdn.example/base/pkg-2.0-py3-none-any.whl"
    assert g.metadata_hashes == {} and g.yanked is None and g.hashes == {}


def test_html_bare_yanked_attribute_means_yanked() -> None:
    [f] = _parse(_html('<a href="pkg-1.0.zip" data-yanked data-core-metadata>x</a>'))
    assert f.yanked == "" and f.is_yanked and f.metadata_hashes == {}


def test_html_relative_to_the_page() -> None:
    [f] = _parse(_html('<a href="../../files/pkg-1.0.zip#md5=abcdef">pkg</a>'))
    assert f.url == "https://user:s3cret@index.example/files/pkg-1.0.zip"
    assert f.hashes == {"md5": "abcdef"}


def test_non_distribution_files_are_skipped() -> None:
    files = _parse(_html('<a href="pkg-1.0.exe">a</a><a href="pkg-1.0.egg">b</a>'
                         '<a href="pkg-1.0.tar.bz2">c</a><a>no href</a>'))
    assert [f.filename for f in files] == ["pkg-1.0.tar.bz2"]
    assert is_distribution_filename("x-1.tgz") and not is_distribution_filename("x-1.msi")


def test_file_links_from_a_remote_page_are_dropped() -> None:
    assert _parse(_html('<a href="file:///etc/pkg-1.0.tar.gz">x</a>')) == []


@pytest.mark.parametrize("doc", [
    _json([], version="2.0"),
    FetchedDocument(PAGE, 200, JSON_TYPE, b'{"meta": {"api-version": "1.0"}, "files": ['),
    FetchedDocument(PAGE, 200, JSON_TYPE, b'{"name": "pkg", "files": []}'),
    FetchedDocument(PAGE, 200, JSON_TYPE, b'{"meta": {"api-version": "1.0"}}'),
    _json([{"filename": "pkg-1.0.tar.gz"}]),
    _json([{"filename": "pkg-1.0.tar.gz", "url": "a", "hashes": {"sha256": "zz"}}]),
    _json([{"filename": "../pkg-1.0.tar.gz", "url": "a", "hashes": {}}]),
    _json([{"filename": "pkg-1.0.tar.gz", "url": "a", "hashes": {}, "yanked": 3}]),
    _json([{"filename": "pkg-1.0.tar.gz", "url": "a", "hashes": {}, "upload-time": "soon"}]),
    _html('<meta name="pypi:repository-version" content="2.0"><a href="pkg-1.0.zip">x</a>'),
    _html('<a href="pkg-1.0.zip#sha256=not-hex">x</a>'),
    FetchedDocument(PAGE, 200, "text/html", b"<a href='\xff\xfe'>broken"),
    FetchedDocument(PAGE, 200, "text/plain", b"hello"),
])
def test_malformed_pages_raise_naming_the_page(doc: FetchedDocument) -> None:
    with pytest.raises(IndexPageError) as info:
        _parse(doc)
    message = info.value.diagnostics()
    assert "https://***@index.example/simple/pkg/" in message and "s3cret" not in message
