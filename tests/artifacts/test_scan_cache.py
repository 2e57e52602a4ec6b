"""Scan results cached by sha256: round trip, and every doubtful entry is a miss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safepip.artifacts.scan_cache import ScanCache
from safepip.findings import Finding, Location, Severity

DIGEST = "ab" * 32
FINDING = Finding("hook/process-exec", Severity.HIGH, "demo", "1.0", "runs a shell",
                  Location("demo-1.0/setup.py", 3), "os.system('x')")


def test_round_trip(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path)
    assert cache.get(DIGEST) is None
    cache.put(DIGEST, [FINDING])
    assert cache.get(DIGEST) == [FINDING]
    cache.put("cd" * 32, [])
    assert cache.get("cd" * 32) == []


def test_entries_of_another_version_or_digest_are_misses(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path)
    cache.put(DIGEST, [FINDING])
    path = next(tmp_path.rglob("*.json"))
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "safepip": "0.0.0-old"}))
    assert cache.get(DIGEST) is None
    path.write_text(json.dumps({**document, "payload": {"findings": [{"rule": 1}]}}))
    assert cache.get(DIGEST) is None
    path.write_text(json.dumps({**document, "sha256": "ef" * 32}))
    assert cache.get(DIGEST) is None
    # Entries written by other scanner code (same version, edited rules) are misses too.
    assert document["revision"]
    path.write_text(json.dumps({**document, "revision": "another-scanner"}))
    assert cache.get(DIGEST) is None
    path.write_text(json.dumps(document))
    assert cache.get(DIGEST) == [FINDING]


def test_corrupt_entries_are_misses(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path)
    cache.put(DIGEST, [FINDING])
    next(tmp_path.rglob("*.json")).write_text("{not json")
    assert cache.get(DIGEST) is None


def test_only_hex_digests_name_entries(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ScanCache(tmp_path).get("../../etc/passwd")
