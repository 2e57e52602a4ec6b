"""Parse Simple API project pages (PEP 691 JSON, PEP 503 HTML) into validated `ProjectPage`s.

Untrusted pages become raw data first and are then validated; any structural problem raises
`IndexPageError` naming the (redacted) page, because a half-read page must never read as "no such
release". Files that are neither wheels nor sdists are skipped, as pip does.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from packaging.utils import NormalizedName

from safepip.errors import IndexPageError
from safepip.index.filenames import SDIST_SUFFIXES, is_distribution_filename
from safepip.index.httpbase import FetchedDocument
from safepip.index.models import DistributionFile, ProjectPage
from safepip.redact import redact_url

__all__ = ["SDIST_SUFFIXES", "filename_from_url", "is_distribution_filename", "parse_project_page"]

logger = logging.getLogger(__name__)

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
# pip's Accept header: JSON preferred, HTML as fallback for indexes without PEP 691.
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HASH_NAMES = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})


def filename_from_url(url: str) -> str:
    """The last path segment of a URL, unquoted."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def parse_project_page(doc: FetchedDocument, name: NormalizedName, *,
                       index_url: str = "") -> ProjectPage:
    """Dispatch on Content-Type (PEP 691 JSON or PEP 503 HTML) and validate."""
    mime = doc.content_type.split(";", 1)[0].strip()
    if mime == JSON_TYPE:
        files = parse_json_files(doc.content, doc.url, index_url)
    elif mime in HTML_TYPES:
        files = parse_html_files(_decode(doc), doc.url, index_url)
    else:
        raise IndexPageError(f"The index page {redact_url(doc.url)} has an unexpected content "
                             f"type {mime or '(none)'!r}; expected PEP 691 JSON or PEP 503 HTML.")
    return ProjectPage(name=name, files=tuple(files), source_url=doc.url)


def _decode(doc: FetchedDocument) -> str:
    match = re.search(r"charset=([\w-]+)", doc.content_type)
    try:
        return doc.content.decode(match.group(1) if match else "utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise IndexPageError(f"The index page {redact_url(doc.url)} cannot be decoded "
                             f"({type(exc).__name__}); it is malformed.") from None


def _page_error(page_url: str, problem: str) -> IndexPageError:
    return IndexPageError(f"The index page {redact_url(page_url)} is malformed: {problem}.")


def _check_api_version(version: Any, page_url: str) -> None:
    # PEP 629: a client must refuse a major version it does not know.
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        raise _page_error(page_url, f"invalid api-version {version!r}")
    if version.split(".")[0] != "1":
        raise _page_error(page_url, f"unsupported Simple API version {version}")


def _safe_url(raw_url: str, base_url: str, page_url: str) -> str | None:
    """Resolve against the page; drop schemes a remote page may not point at (file: from http)."""
    url, _ = urldefrag(urljoin(base_url, raw_url))
    scheme = urlsplit(url).scheme.lower()
    page_scheme = urlsplit(page_url).scheme.lower()
    if scheme in ("http", "https") or (scheme == "file" and page_scheme == "file"):
        return url
    logger.warning("Ignoring link with scheme %r on %s", scheme, redact_url(page_url))
    return None


def _valid_filename(filename: str, page_url: str) -> bool:
    if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise _page_error(page_url, f"unsafe file name {filename!r}")
    return is_distribution_filename(filename)


def _hashes(raw: Any, page_url: str, what: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _page_error(page_url, f"{what} must be an object")
    hashes: dict[str, str] = {}
    for algo, digest in raw.items():
        if not isinstance(algo, str) or not isinstance(digest, str) or not _HEX.match(digest):
            raise _page_error(page_url, f"{what} has an invalid entry {algo!r}")
        hashes[algo.lower()] = digest.lower()
    return hashes


def parse_json_files(content: bytes, page_url: str, index_url: str = "") -> list[DistributionFile]:
    """Validate a PEP 691 project document and return its installable files."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _page_error(page_url, f"invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict):
        raise _page_error(page_url, "missing the 'meta' object")
    _check_api_version(data["meta"].get("api-version"), page_url)
    if not isinstance(data.get("files"), list):
        raise _page_error(page_url, "missing the 'files' list")
    files = (_json_file(raw, page_url, index_url) for raw in data["files"])
    return [f for f in files if f is not None]


def _json_file(raw: Any, page_url: str, index_url: str) -> DistributionFile | None:
    if not isinstance(raw, dict):
        raise _page_error(page_url, "a 'files' entry is not an object")
    filename, url = raw.get("filename"), raw.get("url")
    if not isinstance(filename, str) or not isinstance(url, str):
        raise _page_error(page_url, "a file lacks 'filename' or 'url'")
    if not _valid_filename(filename, page_url):
        return None
    absolute = _safe_url(url, page_url, page_url)
    if absolute is None:
        return None
    return DistributionFile(
        filename=filename, url=absolute, hashes=_hashes(raw.get("hashes"), page_url, filename),
        requires_python=_optional_str(raw.get("requires-python"), page_url, "requires-python"),
        yanked=_json_yanked(raw.get("yanked", False), page_url),
        upload_time=_upload_time(raw.get("upload-time"), page_url),
        size=_size(raw.get("size"), page_url),
        metadata_hashes=_json_metadata(raw, page_url, filename), index_url=index_url,
    )


def _optional_str(value: Any, page_url: str, key: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _page_error(page_url, f"'{key}' must be a string")


def _json_yanked(value: Any, page_url: str) -> str | None:
    # PEP 592/691: false = not yanked, true = yanked without reason, a string = the reason.
    if value is False:
        return None
    if value is True:
        return ""
    if isinstance(value, str):
        return value
    raise _page_error(page_url, "'yanked' must be a boolean or a string")


def _upload_time(value: Any, page_url: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _page_error(page_url, f"invalid upload-time {value!r}") from None


def _size(value: Any, page_url: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _page_error(page_url, "'size' must be a non-negative integer")


def _json_metadata(raw: dict[str, Any], page_url: str, filename: str) -> dict[str, str] | None:
    # PEP 714: "core-metadata" wins; "dist-info-metadata" is the older spelling.
    value = raw.get("core-metadata", raw.get("dist-info-metadata"))
    if value is None or value is False:
        return None
    if value is True:
        return {}
    return _hashes(value, page_url, f"{filename} core-metadata")


def parse_html_files(text: str, page_url: str, index_url: str = "") -> list[DistributionFile]:
    """Validate a PEP 503 page and return its installable files."""
    from safepip.index.html_anchors import AnchorCollector  # html.parser: only when parsing

    parser = AnchorCollector()
    parser.feed(text)
    parser.close()
    if parser.api_version is not None:
        _check_api_version(parser.api_version, page_url)
    base = urljoin(page_url, parser.base) if parser.base else page_url
    files = (_html_file(a, base, page_url, index_url) for a in parser.anchors)
    return [f for f in files if f is not None]


def _html_file(attrs: dict[str, str | None], base: str, page_url: str,
               index_url: str) -> DistributionFile | None:
    href = attrs.get("href")
    if not href:
        return None
    absolute = _safe_url(href, base, page_url)
    if absolute is None:
        return None
    filename = filename_from_url(absolute)
    if not _valid_filename(filename, page_url):
        return None
    return DistributionFile(
        filename=filename, url=absolute,
        hashes=_fragment_hashes(urldefrag(urljoin(base, href))[1], page_url),
        requires_python=attrs.get("data-requires-python") or None,
        yanked=(attrs["data-yanked"] or "") if "data-yanked" in attrs else None,
        metadata_hashes=_html_metadata(attrs, page_url), index_url=index_url,
    )


def _fragment_hashes(fragment: str, page_url: str) -> dict[str, str]:
    # PEP 503: `#<hashname>=<hexdigest>`; other fragments (e.g. egg=) carry no hash.
    name, sep, digest = fragment.partition("=")
    if not sep or name.lower() not in _HASH_NAMES:
        return {}
    if not _HEX.match(digest):
        raise _page_error(page_url, f"invalid {name} hash {digest!r}")
    return {name.lower(): digest.lower()}


def _html_metadata(attrs: dict[str, str | None], page_url: str) -> dict[str, str] | None:
    # PEP 658 / PEP 714: "true" or "<hashname>=<hexdigest>"; core-metadata wins.
    for key in ("data-core-metadata", "data-dist-info-metadata"):
        if key in attrs:
            value = (attrs[key] or "").strip()
            if value.lower() in ("", "true"):
                return {}
            if value.lower() == "false":
                return None
            return _fragment_hashes(value, page_url)
    return None

