"""`safepip db info` and `safepip db update` against an OSV zip served on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from safepip.checks.advisories import load_embedded, load_snapshot, user_data_path
from safepip.checks.malicious import KnownMaliciousCheck
from safepip.cli import main
from tests.checks.test_advisories import ALL_VERSIONS, make_osv_zip, osv_record


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(directory, base URL) of a static HTTP server on 127.0.0.1."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _fresh_caches(isolated_home: Path) -> Iterator[None]:
    load_snapshot.cache_clear()
    yield
    load_snapshot.cache_clear()


def test_info_describes_the_embedded_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "info"]) == 0
    out = capsys.readouterr().out
    assert "embedded snapshot of 2025-06-04" in out and "8,063" in out
    assert main(["db", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["origin"] == "embedded" and info["records"] == 8063 and info["withdrawn"] == 1
    assert info["popular_projects"]["count"] > 14000


def test_update_downloads_validates_and_replaces(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str],
) -> None:
    root, base = served
    embedded = load_embedded()
    (root / "all.zip").write_bytes(make_osv_zip([
        osv_record("MAL-2099-1", "brand-new-squat", ranges=ALL_VERSIONS),
        # The download withdraws a report the embedded snapshot still has.
        osv_record("MAL-2023-1574", "aaiohttp", ranges=ALL_VERSIONS,
                   withdrawn="2099-01-01T00:00:00Z"),
        osv_record("GHSA-xxxx", "ordinary-vuln", versions=["1.0"]),
    ]))
    assert main(["db", "update", "--url", f"{base}/all.zip"]) == 0
    assert "written to" in capsys.readouterr().out
    assert user_data_path().is_file()
    snapshot = load_snapshot()
    assert snapshot.origin == str(user_data_path())
    assert len(snapshot.advisories) == len(embedded.advisories) + 1  # merged, one new id
    check = KnownMaliciousCheck()
    assert check.check_name("brand-new-squat", None)[0].severity.label == "critical"  # type: ignore[arg-type]
    assert check.check_name("aaiohttp", None) == []  # type: ignore[arg-type]
    assert check.check_name("1337test", None) != []  # type: ignore[arg-type]
    assert main(["db", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["origin"] == str(user_data_path()) and "127.0.0.1" in info["source"]


def test_offline_update_fails_closed_and_keeps_the_snapshot(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str],
) -> None:
    root, base = served
    (root / "all.zip").write_bytes(make_osv_zip([osv_record("MAL-2099-1", "x",
                                                            ranges=ALL_VERSIONS)]))
    assert main(["db", "update", "--url", f"{base}/all.zip"]) == 0
    before = user_data_path().read_bytes()
    capsys.readouterr()
    # A closed port (nothing listens on the discard port here), a 404, and a corrupt zip.
    for url in ("http://127.0.0.1:9/all.zip", f"{base}/missing.zip", f"{base}/bad.zip"):
        (root / "bad.zip").write_bytes(b"PK\x03\x04 truncated")
        assert main(["db", "update", "--url", url]) == 3, url
        err = capsys.readouterr().err
        assert "unchanged" in err, err
        assert user_data_path().read_bytes() == before
    leftovers = [p.name for p in user_data_path().parent.iterdir()]
    assert leftovers == [user_data_path().name]
