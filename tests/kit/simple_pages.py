"""Simple-API documents for the test index: rendering, negotiation, ranges, static file trees.

Pure helpers shared by `tests.kit.index_server.IndexServer` and by tests that need a static
`file://` index (`write_file_index`) or a TLS certificate for 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"


def project_of(filename: str, override: str | None = None) -> str:
    """The normalized project a wheel/sdist filename belongs to (`override` wins)."""
    if override:
        return canonicalize_name(override)
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        raise ValueError(
            f"{filename}: not a wheel/sdist name; pass FileOptions(project=...)") from None


def wheel_metadata(data: bytes) -> bytes | None:
    """The `*.dist-info/METADATA` member of a wheel's bytes (None if not a readable wheel)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                parts = name.split("/")
                if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                    return archive.read(name)
    except zipfile.BadZipFile:
        return None
    return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def html_page(title: str, links: list[str]) -> str:
    body = "\n".join(links)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta name="pypi:repository-version" content="1.1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}\n</body>\n</html>\n"
    )


def choose_format(accept: str | None, query_format: str | None, json_api: bool) -> str:
    """PEP 691 content negotiation: the best-q supported type; HTML when nothing matches."""
    if query_format in (JSON_TYPE, HTML_TYPE, "text/html"):
        return JSON_TYPE if query_format == JSON_TYPE and json_api else HTML_TYPE
    candidates: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept or "").split(",")):
        mime, _, params = item.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        json_ok = JSON_TYPE if json_api else None
        offered = {JSON_TYPE: json_ok, "application/vnd.pypi.simple.latest+json": json_ok,
                   HTML_TYPE: HTML_TYPE, "application/vnd.pypi.simple.latest+html": HTML_TYPE,
                   "text/html": "text/html", "*/*": HTML_TYPE}.get(mime.strip().lower())
        if offered and q > 0:
            candidates.append((q, -position, offered))
    return max(candidates)[2] if candidates else HTML_TYPE


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """A single `bytes=` range as (start, end) inclusive; (-1, -1) when unsatisfiable."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header.removeprefix("bytes=").partition("-")
    try:
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
    except ValueError:
        return None
    return (-1, -1) if start > end or start >= size else (start, end)


def malformed_body(ctype: str) -> bytes:
    if ctype.startswith(JSON_TYPE):
        return b'{"meta": {"api-version": "1.1"}, "name": "x", "files": [{"filename": '
    return b'<!DOCTYPE html><html><body><a href="../../files/\xff\xfe broken'


def write_file_index(root: Path, files: Iterable[Path], *, metadata: bool = False) -> str:
    """Write a static PEP 503 tree (`root/simple/...`, `root/files/...`); return its file:// URL.

    With `metadata`, wheels get a `.metadata` file next to them, advertised on the page.
    """
    files_dir, simple = root / "files", root / "simple"
    files_dir.mkdir(parents=True, exist_ok=True)
    by_project: dict[str, list[str]] = {}
    for path in files:
        data = Path(path).read_bytes()
        (files_dir / Path(path).name).write_bytes(data)
        attrs = f'href="../../files/{quote(Path(path).name)}#sha256={sha256_hex(data)}"'
        meta = wheel_metadata(data) if metadata and Path(path).name.endswith(".whl") else None
        if meta is not None:
            (files_dir / f"{Path(path).name}.metadata").write_bytes(meta)
            attrs += f' data-core-metadata="sha256={sha256_hex(meta)}"'
        project = project_of(Path(path).name)
        by_project.setdefault(project, []).append(
            f"<a {attrs}>{html.escape(Path(path).name)}</a><br/>")
    for project, links in by_project.items():
        (simple / project).mkdir(parents=True, exist_ok=True)
        (simple / project / "index.html").write_text(html_page(f"Links for {project}", links))
    simple.mkdir(parents=True, exist_ok=True)
    root_links = [f'<a href="{p}/">{p}</a><br/>' for p in sorted(by_project)]
    (simple / "index.html").write_text(html_page("Simple index", root_links))
    return simple.resolve().as_uri() + "/"


def self_signed_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A cert/key pair for 127.0.0.1 made with the openssl CLI (None when it is missing)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
         "-out", str(cert)], check=True, capture_output=True,
    )
    return cert, key


def utc_iso(moment: dt.datetime) -> str:
    """Format a datetime the way PyPI does in `upload-time` (PEP 700)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
