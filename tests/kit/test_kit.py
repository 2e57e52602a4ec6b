"""The test kit itself: archives are real, and the loopback index behaves as advertised."""

from __future__ import annotations

import hashlib
import http.client
import json
import subprocess
import sys
import tarfile
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from packaging.metadata import Metadata

from tests.conftest import IndexServerFactory
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import (
    JSON_TYPE,
    FileOptions,
    IndexServer,
    choose_format,
    write_file_index,
)
from tests.kit.isolation import clean_pip_environment

PIP_ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

PEP691_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["meta", "name", "files"],
    "properties": {
        "meta": {"type": "object", "required": ["api-version"],
                 "properties": {"api-version": {"type": "string", "pattern": r"^1\.\d+$"}}},
        "name": {"type": "string"},
        "files": {"type": "array", "items": {
            "type": "object", "required": ["filename", "url", "hashes"],
            "properties": {
                "filename": {"type": "string"}, "url": {"type": "string"},
                "hashes": {"type": "object", "additionalProperties": {"type": "string"}},
                "requires-python": {"type": "string"},
                "yanked": {"type": ["boolean", "string"]},
                "size": {"type": "integer"}, "upload-time": {"type": "string"},
                "core-metadata": {"type": ["boolean", "object"]},
                "dist-info-metadata": {"type": ["boolean", "object"]},
            },
        }},
    },
}


def _get(server: IndexServer, path: str, headers: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        try:
            body = response.read()
        except http.client.IncompleteRead as exc:
            body = exc.partial
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


def _pip(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          env=clean_pip_environment(os.environ, str(home)), timeout=240)


def test_wheel_is_real_and_installable(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "dist", "Demo.Pkg", "1.2", requires_dist=["six>=1"],
                       entry_points="[console_scripts]\ndemo = demo_pkg:main\n")
    with zipfile.ZipFile(wheel) as archive:
        record = archive.read("demo_pkg-1.2.dist-info/RECORD").decode().splitlines()
        meta = Metadata.from_email(archive.read("demo_pkg-1.2.dist-info/METADATA"))
    assert any(line.startswith("demo_pkg/__init__.py,sha256=") for line in record)
    assert meta.name == "Demo.Pkg" and [str(r) for r in meta.requires_dist or []] == ["six>=1"]
    result = _pip(["install", "--no-deps", "--no-index", "--target", str(tmp_path / "t"),
                   str(wheel)], tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t" / "demo_pkg" / "__init__.py").read_text() == '__version__ = "1.2"\n'


def test_sdist_layout_and_pkg_info(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "0.1", metadata_version="2.2",
                       requires_dist=["attrs"], dynamic=["Description"])
    assert sdist.name == "demo-0.1.tar.gz"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
        pkg_info = archive.extractfile("demo-0.1/PKG-INFO").read()  # type: ignore[union-attr]
    assert {"demo-0.1/PKG-INFO", "demo-0.1/pyproject.toml", "demo-0.1/demo/__init__.py"} <= names
    meta = Metadata.from_email(pkg_info, validate=False)
    assert meta.metadata_version == "2.2" and meta.dynamic == ["description"]
    zipped = make_sdist(tmp_path, "other", "2", setup_py="raise SystemExit(1)\n", fmt="zip")
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("other-2/setup.py") == b"raise SystemExit(1)\n"
        assert "other-2/pyproject.toml" not in archive.namelist()


def test_default_sdist_builds_with_pip(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "dist", "buildme", "0.3", requires_dist=[])
    result = _pip(["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w",
                   str(tmp_path / "out"), str(sdist)], tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["buildme-0.3-py3-none-any.whl"]


@pytest.mark.parametrize("json_api", [True, False])
def test_pip_downloads_from_the_server(
    tmp_path: Path, index_server: IndexServerFactory, json_api: bool,
) -> None:
    wheel = make_wheel(tmp_path / "dist", "hello", "1.0")
    server = index_server([wheel], json_api=json_api)
    result = _pip(["download", "--no-deps", "--index-url", server.index_url, "-d",
                   str(tmp_path / "dl"), "hello"], tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dl" / wheel.name).read_bytes() == wheel.read_bytes()
    page = server.requests_for("/simple/hello/")
    assert page and JSON_TYPE in page[0].headers["Accept"]


def test_pip_downloads_from_a_file_index(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "dist", "hello", "1.0")
    url = write_file_index(tmp_path / "index", [wheel], metadata=True)
    assert url.startswith("file://")
    assert (tmp_path / "index/files" / f"{wheel.name}.metadata").exists()
    result = _pip(["download", "--no-deps", "--index-url", url, "-d", str(tmp_path / "dl"),
                   "hello"], tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dl" / wheel.name).exists()


def test_json_page_validates_and_carries_every_field(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0")
    sdist = make_sdist(tmp_path, "pkg", "0.9")
    server = index_server([wheel, sdist], file_options={
        sdist.name: FileOptions(yanked="broken", requires_python=">=3.8",
                                upload_time="2024-01-02T03:04:05.000000Z")})
    status, headers, body = _get(server, "/simple/pkg/", {"Accept": PIP_ACCEPT})
    assert status == 200 and headers["Content-Type"] == JSON_TYPE
    doc = json.loads(body)
    jsonschema.validate(doc, PEP691_SCHEMA)
    files = {f["filename"]: f for f in doc["files"]}
    assert files[sdist.name]["yanked"] == "broken"
    assert files[sdist.name]["requires-python"] == ">=3.8"
    assert files[sdist.name]["upload-time"] == "2024-01-02T03:04:05.000000Z"
    assert files[wheel.name]["hashes"]["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    meta_status, _, meta = _get(server, f"/files/{wheel.name}.metadata")
    assert meta_status == 200
    assert files[wheel.name]["core-metadata"] == {"sha256": hashlib.sha256(meta).hexdigest()}
    assert files[wheel.name]["url"] == f"../../files/{wheel.name}"
    root = json.loads(_get(server, "/simple/", {"Accept": JSON_TYPE})[2])
    assert root["projects"] == [{"name": "pkg"}] and root["meta"]["api-version"].startswith("1.")


def test_html_page_carries_pep503_attributes(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0")
    server = index_server([wheel], absolute_urls=True, file_options={
        wheel.name: FileOptions(yanked="", requires_python=">=3.8")})
    status, headers, body = _get(server, "/simple/pkg/", {"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    parser = _Anchors()
    parser.feed(body.decode())
    [anchor] = parser.anchors
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert anchor["href"] == f"{server.url}/files/{wheel.name}#sha256={sha}"
    assert anchor["data-requires-python"] == ">=3.8" and anchor["data-yanked"] == ""
    assert anchor["data-core-metadata"] == anchor["data-dist-info-metadata"]
    assert str(anchor["data-core-metadata"]).startswith("sha256=")
    assert _get(server, "/simple/missing/")[0] == 404


def test_metadata_served_but_not_advertised(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0", requires_dist=["idna"])
    server = index_server([wheel], advertise_metadata=False)
    doc = json.loads(_get(server, "/simple/pkg/", {"Accept": JSON_TYPE})[2])
    assert "core-metadata" not in doc["files"][0]
    status, _, meta = _get(server, f"/files/{wheel.name}.metadata")
    assert status == 200 and b"Requires-Dist: idna" in meta
    off = index_server([wheel], metadata=False)
    assert _get(off, f"/files/{wheel.name}.metadata")[0] == 404


@pytest.mark.parametrize("enabled", [True, False])
def test_range_requests(tmp_path: Path, index_server: IndexServerFactory, enabled: bool) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0")
    data = wheel.read_bytes()
    server = index_server([wheel], range_requests=enabled)
    status, headers, body = _get(server, f"/files/{wheel.name}", {"Range": "bytes=-22"})
    if enabled:
        assert status == 206 and body == data[-22:]
        assert headers["Content-Range"] == f"bytes {len(data) - 22}-{len(data) - 1}/{len(data)}"
    else:
        assert status == 200 and body == data and "Accept-Ranges" not in headers
    assert server.requests_for(f"/files/{wheel.name}")[0].headers["Range"] == "bytes=-22"


def test_faults(tmp_path: Path, index_server: IndexServerFactory) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0")
    server = index_server([wheel])
    server.add_fault("/simple/pkg/", status=500, times=2)
    assert [_get(server, "/simple/pkg/")[0] for _ in range(3)] == [500, 500, 200]
    server.add_fault("/files/*", truncate=True)
    _, headers, body = _get(server, f"/files/{wheel.name}")
    assert int(headers["Content-Length"]) == len(wheel.read_bytes()) > len(body)
    server.clear_faults()
    server.add_fault("/simple/pkg/", malformed=True)
    with pytest.raises(json.JSONDecodeError):
        json.loads(_get(server, "/simple/pkg/", {"Accept": JSON_TYPE})[2])
    server.clear_faults()
    server.add_fault("/simple/", delay=0.3)
    start = time.monotonic()
    assert _get(server, "/simple/")[0] == 200 and time.monotonic() - start >= 0.3


def test_basic_auth(tmp_path: Path, index_server: IndexServerFactory) -> None:
    import base64

    server = index_server([make_wheel(tmp_path, "pkg", "1.0")], auth=("alice", "s3cret"))
    status, headers, _ = _get(server, "/simple/pkg/")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
    token = base64.b64encode(b"alice:s3cret").decode()
    assert _get(server, "/simple/pkg/", {"Authorization": f"Basic {token}"})[0] == 200
    assert server.url_with_auth("alice", "s3cret").startswith("http://alice:s3cret@127.0.0.1:")


def test_replace_file_keeps_the_advertised_hash(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    wheel = make_wheel(tmp_path, "pkg", "1.0")
    server = index_server([wheel])
    before = json.loads(_get(server, "/simple/pkg/", {"Accept": JSON_TYPE})[2])
    server.replace_file(wheel.name, b"evil")
    after = json.loads(_get(server, "/simple/pkg/", {"Accept": JSON_TYPE})[2])
    assert before["files"][0]["hashes"] == after["files"][0]["hashes"]
    assert _get(server, f"/files/{wheel.name}")[2] == b"evil"


def test_etag_revalidation(tmp_path: Path, index_server: IndexServerFactory) -> None:
    server = index_server([make_wheel(tmp_path, "pkg", "1.0")])
    _, headers, _ = _get(server, "/simple/pkg/")
    assert headers["Cache-Control"] == "max-age=600"
    assert _get(server, "/simple/pkg/", {"If-None-Match": headers["ETag"]})[0] == 304


@pytest.mark.parametrize(("accept", "json_api", "expected"), [
    (PIP_ACCEPT, True, JSON_TYPE),
    (PIP_ACCEPT, False, "application/vnd.pypi.simple.v1+html"),
    ("application/vnd.pypi.simple.latest+json", True, JSON_TYPE),
    ("text/html", True, "text/html"),
    (None, True, "application/vnd.pypi.simple.v1+html"),
    ("text/html;q=0.9, application/vnd.pypi.simple.v1+json;q=0.5", True, "text/html"),
])
def test_content_negotiation(accept: str | None, json_api: bool, expected: str) -> None:
    assert choose_format(accept, None, json_api) == expected
