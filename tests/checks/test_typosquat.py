"""The typosquat check against the real embedded popularity list."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.checks.popularity import load_popularity
from safepip.checks.squat_index import SquatIndex, edit_kind, two_edit_kind
from safepip.checks.typosquat import (
    PROTECTED_RANK,
    NameEvidence,
    TyposquatCheck,
    best_match,
    not_found_message,
    suggest_similar,
)
from safepip.cli import main
from safepip.findings import Severity
from safepip.index.models import DistributionFile, ProjectHistory
from safepip.resolution.history import history_of
from tests.kit.archives import make_wheel
from tests.kit.index_server import FileOptions, IndexServer
from tests.kit.simple_pages import utc_iso


def check(name: str, version: str | None = None) -> list:  # type: ignore[type-arg]
    parsed = Version(version) if version else None
    return TyposquatCheck().check_name(canonicalize_name(name), parsed)


@pytest.mark.parametrize(("name", "target", "kind"), [
    ("urlib3", "urllib3", "omitted letter"),
    ("python3-dateutil", "python-dateutil", "python prefix/suffix"),
    ("jeIlyfish", "jellyfish", "confusable glyphs"),
    ("requests2", "requests", "version-like suffix"),
    ("reqeusts", "requests", "swapped letters"),
    ("reqquests", "requests", "doubled letter"),
    ("beautiful-soup4", "beautifulsoup4", "separator change"),
    ("pandas-python", "pandas", "python prefix/suffix"),
    ("reqbuests", "requests", "inserted letter"),
    ("urklib3", "urllib3", "keyboard-adjacent letter"),
    ("requests-toolbelt-v2", "requests-toolbelt", "version-like suffix"),
    ("colaroma", "colorama", "two edits"),
])
def test_classic_squats_are_flagged_high_with_target_kind_and_confidence(
    name: str, target: str, kind: str,
) -> None:
    match = best_match(canonicalize_name(name))
    assert match is not None
    assert (match.candidate.target, match.candidate.kind) == (target, kind)
    if kind not in ("inserted letter", "two edits"):
        [finding] = check(name)
        assert finding.rule == "name/typosquat"
        # A suffix or prefix is also how forks and wrappers are named: medium, not high.
        loose = kind in ("version-like suffix", "python prefix/suffix")
        assert finding.severity >= (Severity.MEDIUM if loose else Severity.HIGH)
        assert f"'{target}'" in finding.message and kind in finding.message
        assert finding.evidence is not None and f"target={target} " in finding.evidence
        assert f"confidence={match.confidence:.2f}" in finding.evidence


def test_confusable_glyph_variants() -> None:
    for name in ("c1ick", "djang0", "vvheel", "strearnlit"):
        match = best_match(canonicalize_name(name))
        assert match is not None, name
        assert match.candidate.kind in ("confusable glyphs", "substituted letter"), name
    assert best_match("arnqp") is not None  # rn for m: amqp


def test_reordered_words() -> None:
    match = best_match("core-sdk-aliyun-python")
    assert match is not None and match.candidate.target == "aliyun-python-sdk-core"
    assert match.candidate.kind == "reordered words"


def test_no_top_5000_project_is_ever_flagged() -> None:
    ranks = load_popularity().ranks
    protected = [n for n, rank in ranks.items() if rank <= PROTECTED_RANK]
    assert len(protected) > 4900
    flagged = [n for n in protected if check(n)]
    assert flagged == []


def test_close_real_projects_are_left_alone() -> None:
    # Both sides of each pair are popular; neither imitates the other.
    for name in ("boto", "boto3", "pyyaml", "botocore", "pytest-cov", "flask-login", "six"):
        assert check(name) == [], name


def test_plugin_and_ordinary_names_are_not_flagged_at_medium() -> None:
    for name in ("pytest-frobnicate", "flask-widgetry", "django-orbit-tracker", "sunflower",
                 "my-internal-tool", "zebra-stripes"):
        assert all(f.severity < Severity.MEDIUM for f in check(name)), name


def test_severity_grows_with_target_popularity() -> None:
    ranks = load_popularity().ranks
    popular = best_match("reqests")  # requests, rank 6
    lesser = best_match("customtkintr")  # customtkinter, rank in the thousands
    assert popular is not None and lesser is not None
    assert popular.candidate.kind == lesser.candidate.kind == "omitted letter"
    assert ranks["requests"] < ranks["customtkinter"]
    assert popular.confidence > lesser.confidence
    assert popular.severity is not None and lesser.severity is not None
    assert popular.severity > lesser.severity


def test_a_ranked_name_is_only_compared_with_much_more_popular_targets() -> None:
    ranks = load_popularity().ranks
    name = next(n for n, r in ranks.items() if n == "beautifulsoup")
    match = best_match(name)
    assert ranks[name] > PROTECTED_RANK
    assert match is not None and ranks[match.candidate.target] * 10 <= ranks[name]
    assert match.severity is not None and match.severity <= Severity.MEDIUM


def test_version_is_carried_into_the_finding() -> None:
    [finding] = check("urlib3", "1.0")
    assert finding.version == "1.0" and finding.package == "urlib3"


def test_edit_kind_names_the_typing_error() -> None:
    assert edit_kind("reqeusts", "requests", 1) == "swapped letters"
    assert edit_kind("reqests", "requests", 1) == "omitted letter"
    assert edit_kind("requestss", "requests", 1) == "doubled letter"
    assert edit_kind("requestsp", "requests", 1) == "inserted letter"
    assert edit_kind("requestsx", "requests", 1) == "keyboard-adjacent letter"  # x touches s
    assert edit_kind("reqursts", "requests", 1) == "keyboard-adjacent letter"  # r touches e
    assert edit_kind("jellyf1sh", "jellyfish", 1) == "confusable glyphs"
    assert edit_kind("pyttsx4", "pyttsx3", 1) == "substituted letter"  # a version, not a slip
    assert edit_kind("requbsts", "requests", 1) == "substituted letter"
    assert edit_kind("reqeuts", "requests", 2) == "two edits"


def test_two_edit_kind_tells_two_slips_from_two_free_edits() -> None:
    assert two_edit_kind("playwrgith", "playwright") == "two typing slips"  # two swaps
    assert two_edit_kind("tensofliw", "tensorflow") == "two typing slips"  # dropped r, o->i
    assert two_edit_kind("colorramma", "colorama") == "two typing slips"  # two doubled
    assert two_edit_kind("colaroma", "colorama") == "two edits"  # o->a: a free letter
    assert two_edit_kind("reqbusts", "requests") == "two edits"  # b is no neighbour of e
    # Cut short or extended at an end is how real names derive from others.
    assert two_edit_kind("graphi", "graphviz") == "two edits"
    assert two_edit_kind("pytestcover", "pytestcov") == "two edits"


def test_two_slips_against_a_top_1000_name_reach_medium() -> None:
    for name, target in (("playwrgith", "playwright"), ("tensofliw", "tensorflow"),
                         ("seleiumm", "selenium")):
        match = best_match(name)
        assert match is not None and match.candidate.target == target, name
        assert match.candidate.kind == "two typing slips", name
        assert match.severity is not None and match.severity >= Severity.MEDIUM, name
    free = best_match("colaroma")  # one free letter in two edits stays below a slip's score
    slips = best_match("colorramma")
    assert free is not None and slips is not None and free.confidence < slips.confidence


def test_python_affix_and_a_slip_together() -> None:
    for name, target in (("pydislib", "distlib"), ("pyfastcode", "fastcore"),
                         ("twittter", "python-twitter")):
        match = best_match(name)
        assert match is not None, name
        assert (match.candidate.target, match.candidate.kind) == (
            target, "python prefix/suffix and a slip"), name
    assert best_match("pydislib").severity >= Severity.MEDIUM  # type: ignore[union-attr]
    # A free letter beside the affix, a changed end letter, or a short core: no such finding.
    for name in ("pyqdistlib", "pydistlix", "pyglot"):
        match = best_match(name)
        assert match is None or match.candidate.kind != "python prefix/suffix and a slip", name


def _band(low: int, high: int, length: int | None = None,
          minimum: int = 0) -> list[str]:
    """Popular names ranked low..high, of `length` letters (or at least `minimum`)."""
    ranks = load_popularity().ranks
    return [n for n, r in sorted(ranks.items(), key=lambda kv: kv[1])
            if low <= r <= high and "-" not in n
            and (len(n) == length if length is not None else len(n) >= minimum)]


def test_a_slip_keeping_every_letter_of_a_five_letter_name_reaches_medium() -> None:
    # Generated: the middle letters of 5-letter names ranked 5,001-15,000 swapped or doubled.
    ranks = load_popularity().ranks
    checked = 0
    for target in _band(5001, 15000, length=5)[:200]:
        swapped = target[:1] + target[2] + target[1] + target[3:]
        doubled = target[:2] + target[2] + target[2:]
        substituted = target[:2] + ("q" if target[2] != "q" else "j") + target[3:]
        for name, kind in ((swapped, "swapped letters"), (doubled, "doubled letter")):
            match = best_match(name)
            if name in ranks or match is None or match.candidate.target != target:
                continue  # another popular name is closer: not this test's case
            assert match.candidate.kind == kind, name
            assert match.severity is not None and match.severity >= Severity.MEDIUM, name
            checked += 1
        free = best_match(substituted)  # a free letter in a short name is still just low
        if substituted not in ranks and free is not None and free.candidate.target == target:
            assert free.severity is None or free.severity < Severity.MEDIUM, substituted
    assert checked >= 100


def test_a_dropped_first_letter_of_a_long_name_reaches_medium() -> None:
    # Generated: the first letter of names of 9+ letters ranked 1,001-15,000 dropped.
    ranks = load_popularity().ranks
    checked = 0
    for target in _band(1001, 15000, minimum=9)[:150]:
        name = target[1:]
        match = best_match(name)
        if name in ranks or match is None or match.candidate.target != target:
            continue
        assert match.candidate.kind == "omitted letter", name
        assert match.severity is not None and match.severity >= Severity.MEDIUM, name
        checked += 1
    assert checked >= 100
    # A short name less its first letter is as often another word: it stays low.
    for target in _band(5001, 15000, length=7)[:100]:
        match = best_match(target[1:])
        if target[1:] not in ranks and match is not None and match.candidate.target == target:
            assert match.severity is None or match.severity < Severity.MEDIUM, target


def test_index_finds_every_family_on_a_small_list() -> None:
    index = SquatIndex(["requests", "python-dateutil", "jellyfish", "numpy"], 4, 4)
    kinds = {c.kind for name in ("reqests", "dateutil-python", "jel1yfish", "numpy3")
             for c in index.candidates(name)}
    assert {"omitted letter", "python prefix/suffix", "confusable glyphs",
            "version-like suffix"} <= kinds
    assert list(index.candidates("requests")) == []


def test_suggestions_for_names_that_do_not_exist() -> None:
    assert suggest_similar("reqests")[0] == "requests"
    assert suggest_similar("tensorflw")[0] == "tensorflow"
    assert len(suggest_similar("djagno", limit=2)) <= 2
    assert suggest_similar("qqqqqqqqqqqqzzzz") == []
    message = not_found_message("reqests")
    assert "'reqests'" in message and "Did you mean requests" in message
    assert "Did you mean" not in not_found_message("qqqqqqqqqqqqzzzz")


def test_lazy_index_is_complete_under_concurrent_first_use() -> None:
    from concurrent.futures import ThreadPoolExecutor

    ranks = load_popularity().ranks
    names = sorted(ranks, key=ranks.__getitem__)
    queries = ["reqests", "urlib3", "numpyy", "pandsa", "djnago", "flaskk", "colorrama"] * 20
    expected = {q: {c.target for c in SquatIndex(names, 5000, 500).candidates(q)}
                for q in set(queries)}
    shared = SquatIndex(names, 5000, 500)
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda q: (q, {c.target for c in shared.candidates(q)}), queries))
    assert all(targets == expected[q] for q, targets in found)


def test_scan_and_hash_index_find_the_same_one_edit_targets() -> None:
    # The first queries of a length are scanned, later ones use the deletion index: both
    # must name the same targets, or a long requirements list would be judged differently.
    ranks = load_popularity().ranks
    index = SquatIndex(sorted(ranks, key=ranks.__getitem__), 15000, 1000)
    queries = ["reqests", "urlib3", "numpyy", "pandsa", "djnago", "flaskk", "py-corg", "bip-utls"]
    scanned = {q: sorted(c.target for c in index.candidates(q)) for q in queries}
    for _ in range(40):  # past the scan budget of every length involved
        for q in queries:
            list(index.candidates(q))
    indexed = {q: sorted(c.target for c in index.candidates(q)) for q in queries}
    assert scanned == indexed
    assert "requests" in scanned["reqests"] and "py-cord" in scanned["py-corg"]


# -- evidence from the index (install and audit) -------------------------------------------

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


def weighed(name: str, history: ProjectHistory | None,
            requested: frozenset[str] = frozenset()) -> Severity | None:
    match = best_match(canonicalize_name(name))
    assert match is not None
    return NameEvidence(history, requested, NOW).weigh(match)[0]


def test_a_young_project_with_one_release_imitating_a_popular_name_is_high() -> None:
    young = ProjectHistory(1, NOW - dt.timedelta(days=3), fully_dated=True)
    assert best_match("py-corg") is not None
    assert best_match("py-corg").severity == Severity.LOW  # type: ignore[union-attr]
    assert weighed("py-corg", young) == Severity.HIGH


def test_an_old_project_with_a_long_history_is_at_most_low() -> None:
    old = ProjectHistory(25, NOW - dt.timedelta(days=9 * 365), fully_dated=True)
    assert best_match("reqbuests").severity == Severity.HIGH  # type: ignore[union-attr]
    assert weighed("reqbuests", old) == Severity.LOW


def test_youth_needs_every_file_dated_and_few_releases() -> None:
    recent = NOW - dt.timedelta(days=3)
    undated = ProjectHistory(1, recent, fully_dated=False)  # some file has no upload-time
    busy = ProjectHistory(6, recent, fully_dated=True)
    assert weighed("py-corg", undated) == Severity.LOW
    assert weighed("py-corg", busy) == Severity.LOW
    assert weighed("py-corg", None) == Severity.LOW  # check-name: the name alone


def test_a_requested_target_lowers_the_imitation_one_step() -> None:
    middling = ProjectHistory(4, NOW - dt.timedelta(days=400), fully_dated=True)
    assert weighed("reqbuests", middling) == Severity.HIGH
    assert weighed("reqbuests", middling, frozenset({"requests"})) == Severity.MEDIUM


def test_history_counts_versions_and_the_first_upload() -> None:
    first = dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
    files = [DistributionFile(f"demo-{v}-py3-none-any.whl", f"https://x.test/{v}",
                              upload_time=first + dt.timedelta(days=i))
             for i, v in enumerate(["1.0", "1.1", "1.1"])]
    history = history_of(files)
    assert (history.releases, history.first_upload, history.fully_dated) == (2, first, True)
    undated = history_of([*files, DistributionFile("demo-2.0.tar.gz", "https://x.test/2")])
    assert (undated.releases, undated.fully_dated) == (3, False)


def _audit_findings(tmp_path: Path, server: IndexServer, name: str,
                    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                    ) -> tuple[int, list[dict[str, str]]]:
    monkeypatch.chdir(tmp_path)
    Path("requirements.txt").write_text(f"{name}\n")
    code = main(["audit", "-r", "requirements.txt", "--index-url", server.index_url,
                 "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return code, [f for f in report["findings"] if f["rule"] == "name/typosquat"]


def test_audit_raises_a_young_squat_from_the_index_upload_time(
    tmp_path: Path, index_server: Callable[..., IndexServer],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    wheel = make_wheel(tmp_path / "dist", "py-corg", "0.1")
    fresh = utc_iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    server = index_server([wheel], file_options={wheel.name: FileOptions(upload_time=fresh)})
    code, [finding] = _audit_findings(tmp_path, server, "py-corg", monkeypatch, capsys)
    assert finding["severity"] == "high" and "young project" in finding["evidence"]
    assert "releases=1" in finding["evidence"]
    assert code == 1


def test_audit_lowers_an_old_look_alike_with_a_long_history(
    tmp_path: Path, index_server: Callable[..., IndexServer],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    start = dt.datetime(2015, 3, 1, tzinfo=dt.UTC)
    wheels = [make_wheel(tmp_path / "dist", "reqbuests", f"1.{i}") for i in range(12)]
    options = {w.name: FileOptions(upload_time=utc_iso(start + dt.timedelta(days=90 * i)))
               for i, w in enumerate(wheels)}
    server = index_server(wheels, file_options=options)
    code, [finding] = _audit_findings(tmp_path, server, "reqbuests", monkeypatch, capsys)
    assert finding["severity"] == "low" and "long history" in finding["evidence"]
    assert "first-upload=2015-03-01" in finding["evidence"]
    assert code == 0  # the same name alone is high: see test_an_old_project_...
