"""The known-malicious check: exact names, version matching, withdrawn reports."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.checks.advisories import Advisory, AdvisorySnapshot, VersionRange
from safepip.checks.malicious import KnownMaliciousCheck
from safepip.findings import Severity


def snapshot(*advisories: Advisory) -> AdvisorySnapshot:
    return AdvisorySnapshot("test", "2026-01-01", advisories)


def run(check: KnownMaliciousCheck, name: str, version: str | None = None) -> list:  # type: ignore[type-arg]
    return check.check_name(canonicalize_name(name), Version(version) if version else None)


EVIL = Advisory("MAL-2099-1", canonicalize_name("evil-pkg"), None, summary="Steals tokens")
SOME = Advisory("MAL-2099-2", canonicalize_name("half-bad"), ("1.0.1", "1.0.2"),
                summary="Compromised releases")
RANGED = Advisory("MAL-2099-3", canonicalize_name("ranged"), (),
                  ranges=(VersionRange("2.0", fixed="2.3"),), summary="Bad range")
POPULAR = Advisory("MAL-2099-4", canonicalize_name("requests"), ("9.9.9",), summary="Hijacked")
RETRACTED = Advisory("MAL-2099-5", canonicalize_name("innocent"), None, summary="Oops",
                     withdrawn="2099-02-01T00:00:00Z")
CHECK = KnownMaliciousCheck(snapshot(EVIL, SOME, RANGED, POPULAR, RETRACTED))


def test_all_versions_report_is_critical_with_id_and_summary() -> None:
    for version in (None, "0.0.1", "42"):
        [finding] = run(CHECK, "Evil_Pkg", version)
        assert finding.rule == "name/known-malicious"
        assert finding.severity == Severity.CRITICAL
        assert "Steals tokens" in finding.message
        assert finding.evidence is not None and finding.evidence.startswith("MAL-2099-1")


def test_listed_versions_match_by_pep440_equality() -> None:
    [finding] = run(CHECK, "half-bad", "1.0.2")
    assert finding.severity == Severity.CRITICAL and finding.version == "1.0.2"
    [same] = run(CHECK, "half-bad", "1.0.1.0")  # PEP 440: 1.0.1 == 1.0.1.0
    assert same.severity == Severity.CRITICAL


def test_unlisted_version_gets_a_low_note_naming_the_bad_ones() -> None:
    [finding] = run(CHECK, "half-bad", "1.0.3")
    assert finding.severity == Severity.LOW
    assert "1.0.1, 1.0.2" in finding.message


def test_ranges() -> None:
    assert run(CHECK, "ranged", "2.1")[0].severity == Severity.CRITICAL
    assert run(CHECK, "ranged", "2.3")[0].severity == Severity.LOW
    assert run(CHECK, "ranged", "1.9")[0].severity == Severity.LOW
    assert VersionRange("0", last_affected="1.5").contains(Version("1.5"))
    assert not VersionRange("0", last_affected="1.5").contains(Version("1.6"))


def test_name_only_with_specific_versions() -> None:
    # An obscure project whose known releases were malicious: high (blocks by default).
    [obscure] = run(CHECK, "half-bad")
    assert obscure.severity == Severity.HIGH and "1.0.1, 1.0.2" in obscure.message
    # A popular project compromised for one release: medium, never blocked by name alone.
    [popular] = run(CHECK, "requests")
    assert popular.severity == Severity.MEDIUM and "9.9.9" in popular.message
    assert run(CHECK, "requests", "2.32.0")[0].severity == Severity.LOW


def test_withdrawn_reports_never_match() -> None:
    assert run(CHECK, "innocent") == []
    assert run(CHECK, "innocent", "1.0") == []


def test_other_names_are_clean() -> None:
    assert run(CHECK, "evil-pkg2") == []
    assert run(CHECK, "numpy", "2.0") == []


def test_embedded_snapshot() -> None:
    check = KnownMaliciousCheck()
    [finding] = run(check, "aaiohttp")
    assert finding.severity == Severity.CRITICAL and "MAL-2023-1574" in (finding.evidence or "")
    assert run(check, "lodestone") == []  # the one withdrawn report in the snapshot
    assert run(check, "requests") == []
    assert run(check, "1337test", "1")[0].severity == Severity.CRITICAL
