"""The advisory snapshot: embedded data, the user copy, and reading the OSV export zip."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from safepip.checks import advisories, osv_update
from safepip.checks.advisories import (
    load_embedded,
    load_snapshot,
    parse_snapshot,
    snapshot_document,
    user_data_path,
)
from safepip.errors import CheckError, ExitCode, NetworkError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "osv-malicious-pypi.json"


def osv_record(osv_id: str, name: str, *, versions: list[str] | None = None,
               ranges: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": name}}
    if versions is not None:
        affected["versions"] = versions
    if ranges is not None:
        affected["ranges"] = ranges
    return {"id": osv_id, "summary": f"Malicious code in {name} (PyPI)",
            "affected": [affected], **extra}


ALL_VERSIONS = [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]


def make_osv_zip(records: list[dict[str, Any]], extra: dict[str, bytes] | None = None) -> bytes:
    """An OSV export zip: one `<id>.json` member per record, plus raw `extra` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_caches(isolated_home: Path) -> Iterator[None]:
    load_snapshot.cache_clear()
    yield
    load_snapshot.cache_clear()


def test_embedded_snapshot_matches_its_source() -> None:
    if not SHARED.is_file():  # the shared folder lies beside the checkout on dev machines and CI
        pytest.skip(f"the snapshot's source {SHARED} is not beside this checkout")
    source = json.loads(SHARED.read_text(encoding="utf-8"))
    snapshot = load_embedded()
    info = snapshot.info()
    assert info["records"] == source["count"] == len(source["records"])
    assert info["withdrawn"] == sum(1 for r in source["records"] if r["withdrawn"])
    assert info["snapshot_date"] == source["snapshot_date"]
    assert snapshot.origin == "embedded" and "ossf/malicious-packages" in snapshot.source
    assert load_snapshot() is snapshot  # no user copy yet


def test_every_embedded_record_is_valid() -> None:
    """The embedded snapshot's records are checked on use at run time; here, all of them."""
    document = snapshot_document(load_embedded())
    assert len(parse_snapshot(document, "check", check_records=True).advisories) == 8063


def test_a_malformed_record_fails_closed_on_use() -> None:
    document = {"snapshot_date": "x", "records": [
        {"id": "MAL-1", "name": "fine", "versions": "all"},
        {"id": "MAL-2", "name": "broken", "versions": [1, 2]},
    ]}
    snapshot = parse_snapshot(document, "lazy", check_records=False)
    assert snapshot.for_name("fine")[0].all_versions
    with pytest.raises(CheckError, match="malformed record") as caught:
        snapshot.for_name("broken")
    assert caught.value.exit_code == ExitCode.INCOMPLETE


def test_round_trip_of_the_compact_form() -> None:
    snapshot = load_embedded()
    again = parse_snapshot(json.loads(json.dumps(snapshot_document(snapshot))), "copy")
    assert again.advisories == snapshot.advisories


def test_newer_user_copy_wins_and_older_or_broken_ones_do_not() -> None:
    embedded = load_embedded()
    path = user_data_path()
    path.parent.mkdir(parents=True)
    document = snapshot_document(embedded)
    document["records"] = document["records"][:5]
    for date, wins in (("2099-01-01", True), ("2000-01-01", False)):
        document["snapshot_date"] = date
        path.write_text(json.dumps(document), encoding="utf-8")
        load_snapshot.cache_clear()
        assert (load_snapshot().origin == str(path)) is wins
    path.write_text('{"records": [{"id": "GHSA-x"}]}', encoding="utf-8")
    load_snapshot.cache_clear()
    assert load_snapshot() is embedded


@pytest.mark.parametrize("document", [
    [], {"records": []}, {"snapshot_date": "x", "records": [{"id": "MAL-1", "name": "a"}]},
    {"snapshot_date": "x", "records": [{"id": "GHSA-1", "name": "a", "versions": "all"}]},
    {"snapshot_date": "x", "records": [{"id": "MAL-1", "name": "a", "versions": [1]}]},
])
def test_malformed_snapshots_are_refused(document: Any) -> None:
    with pytest.raises((ValueError, KeyError)):
        parse_snapshot(document, "test")


def test_osv_zip_keeps_pypi_mal_records_and_reads_their_versions() -> None:
    data = make_osv_zip([
        osv_record("MAL-2099-1", "Evil_One", ranges=ALL_VERSIONS),
        osv_record("MAL-2099-2", "half", versions=["1.0", "1.1"]),
        osv_record("MAL-2099-3", "ranged", ranges=[{"type": "ECOSYSTEM", "events": [
            {"introduced": "2.0"}, {"fixed": "2.5"}]}]),
        osv_record("MAL-2099-4", "gone", ranges=ALL_VERSIONS, withdrawn="2099-01-02T00:00:00Z"),
        osv_record("PYSEC-2099-1", "vulnerable", versions=["1.0"]),
    ], extra={"README.txt": b"not a record"})
    found = {a.id: a for a in osv_update.read_osv_zip(io.BytesIO(data))}
    assert sorted(found) == ["MAL-2099-1", "MAL-2099-2", "MAL-2099-3", "MAL-2099-4"]
    assert found["MAL-2099-1"].name == "evil-one" and found["MAL-2099-1"].all_versions
    assert found["MAL-2099-2"].versions == ("1.0", "1.1")
    assert found["MAL-2099-3"].affects(Version("2.4")) and not found["MAL-2099-3"].affects(
        Version("2.5"))
    assert found["MAL-2099-4"].withdrawn is not None


def test_osv_zip_refuses_hostile_or_useless_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = make_osv_zip([], extra={"MAL-2099-9.json": b"{" + b" " * (5 * 1024 * 1024) + b"}"})
    cases = {
        "not a readable zip": b"PK\x03\x04 definitely not a zip",
        "holds no PyPI MAL- records": make_osv_zip([osv_record("GHSA-1", "x", versions=["1"])]),
        "is 5242882 bytes": bomb,
        "not an OSV record": make_osv_zip([], extra={"MAL-2099-8.json": b"[1, 2"}),
    }
    for reason, data in cases.items():
        with pytest.raises(NetworkError, match=reason) as caught:
            osv_update.read_osv_zip(io.BytesIO(data))
        assert caught.value.exit_code == ExitCode.INCOMPLETE
    monkeypatch.setattr(osv_update, "MAX_MEMBERS", 2)
    many = make_osv_zip([osv_record(f"MAL-2099-{i}", "x", ranges=ALL_VERSIONS) for i in range(3)])
    with pytest.raises(NetworkError, match="3 members"):
        osv_update.read_osv_zip(io.BytesIO(many))


def test_a_member_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(osv_update, "MAX_MEMBER_BYTES", 64)
    record = osv_record("MAL-2099-1", "x" * 80, ranges=ALL_VERSIONS)
    with pytest.raises(NetworkError, match="bytes"):
        osv_update.read_osv_zip(io.BytesIO(make_osv_zip([record])))


def test_record_without_versions_or_ranges_means_all_versions() -> None:
    [advisory] = osv_update.advisories_from_osv(osv_record("MAL-2099-1", "x"))
    assert advisory.all_versions


def test_module_constants_are_sane() -> None:
    assert osv_update.DEFAULT_URL.endswith("/PyPI/all.zip")
    assert advisories.DATA_FILE == "known_malicious.json"
