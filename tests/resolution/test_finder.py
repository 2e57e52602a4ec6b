"""The candidate finder picks files the way pip's PackageFinder does."""

from __future__ import annotations

import datetime as dt

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.index.models import DistributionFile
from safepip.pip.request import FormatControl
from safepip.resolution.environment import TargetEnvironment
from safepip.resolution.finder import CandidateFinder, FinderPolicy

NAME = canonicalize_name("demo")
ENV = TargetEnvironment(
    markers={"python_version": "3.11", "python_full_version": "3.11.7"},
    tags=(
        Tag("cp311", "cp311", "manylinux_2_17_x86_64"),
        Tag("cp311", "abi3", "manylinux_2_17_x86_64"),
        Tag("py3", "none", "any"),
    ),
    python_version=Version("3.11.7"),
    installed={},
)


def _file(filename: str, **kwargs: object) -> DistributionFile:
    return DistributionFile(filename=filename, url=f"https://example.invalid/{filename}",
                            hashes={"sha256": filename}, **kwargs)  # type: ignore[arg-type]


def _pick(files: list[DistributionFile], spec: str = "", **policy: object) -> list[str]:
    finder = CandidateFinder(FinderPolicy(ENV, **policy))  # type: ignore[arg-type]
    choices = finder.best_per_version(finder.acceptable(NAME, files), SpecifierSet(spec))
    return [c.file.filename for c in choices]


def test_best_tag_wins_within_a_version_and_sdist_comes_last() -> None:
    files = [
        _file("demo-1.0.tar.gz"),
        _file("demo-1.0-py3-none-any.whl"),
        _file("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        _file("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
    ]
    assert _pick(files) == ["demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"]


def test_incompatible_wheels_and_other_projects_are_ignored() -> None:
    files = [_file("demo-2.0-cp312-cp312-win_amd64.whl"), _file("other-3.0.tar.gz"),
             _file("demo-1.0.tar.gz")]
    assert _pick(files) == ["demo-1.0.tar.gz"]


def test_requires_python_excludes_files_and_invalid_values_are_ignored() -> None:
    files = [_file("demo-2.0.tar.gz", requires_python=">=3.12"),
             _file("demo-1.5.tar.gz", requires_python=">=3.x"),
             _file("demo-1.0.tar.gz")]
    assert _pick(files) == ["demo-1.5.tar.gz", "demo-1.0.tar.gz"]


def test_yanked_only_when_pinned_and_nothing_else_matches() -> None:
    files = [_file("demo-2.0.tar.gz", yanked="broken"), _file("demo-1.0.tar.gz")]
    assert _pick(files) == ["demo-1.0.tar.gz"]
    assert _pick(files, "==2.0") == ["demo-2.0.tar.gz"]
    assert _pick(files, ">=2.0") == []


def test_prereleases_need_opt_in_unless_nothing_else_matches() -> None:
    files = [_file("demo-2.0b1.tar.gz"), _file("demo-1.0.tar.gz")]
    assert _pick(files) == ["demo-1.0.tar.gz"]
    assert _pick(files, allow_prereleases=True) == ["demo-2.0b1.tar.gz", "demo-1.0.tar.gz"]
    assert _pick(files, ">=2.0b1") == ["demo-2.0b1.tar.gz"]
    assert _pick([_file("demo-2.0b1.tar.gz")]) == ["demo-2.0b1.tar.gz"]


def test_format_control() -> None:
    files = [_file("demo-2.0.tar.gz"), _file("demo-1.0-py3-none-any.whl")]
    assert _pick(files) == ["demo-2.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    only = FormatControl(only_binary=frozenset({":all:"}))
    assert _pick(files, formats=only) == ["demo-1.0-py3-none-any.whl"]
    none = FormatControl(no_binary=frozenset({"demo"}))
    assert _pick(files, formats=none) == ["demo-2.0.tar.gz"]
    prefer = FormatControl(prefer_binary=True)
    assert _pick(files, formats=prefer) == ["demo-1.0-py3-none-any.whl", "demo-2.0.tar.gz"]


def test_cooldown_refuses_new_and_undated_files() -> None:
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    new = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    files = [_file("demo-3.0.tar.gz", upload_time=new), _file("demo-2.0.tar.gz"),
             _file("demo-1.0.tar.gz", upload_time=old)]
    limit = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert _pick(files, uploaded_before=limit) == ["demo-1.0.tar.gz"]


def test_allowed_hashes_restrict_files() -> None:
    files = [_file("demo-2.0.tar.gz"), _file("demo-1.0.tar.gz")]
    finder = CandidateFinder(FinderPolicy(ENV))
    choices = finder.best_per_version(
        finder.acceptable(NAME, files), SpecifierSet(), frozenset({"demo-1.0.tar.gz"})
    )
    assert [c.version for c in choices] == [Version("1.0")]


def test_cooldown_reads_zoneless_upload_times_as_utc() -> None:
    naive_old = dt.datetime(2024, 1, 1)
    files = [_file("demo-1.0.tar.gz", upload_time=naive_old)]
    limit = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert _pick(files, uploaded_before=limit) == ["demo-1.0.tar.gz"]


def test_per_project_release_control() -> None:
    from safepip.pip.request import ReleaseControl

    files = [_file("demo-2.0b1.tar.gz"), _file("demo-1.0.tar.gz")]
    everything = ReleaseControl(all_releases=frozenset({"demo"}))
    finder = CandidateFinder(FinderPolicy(ENV, releases=everything))
    choices = finder.acceptable(NAME, files)
    assert [c.file.filename for c in finder.best_per_version(choices, SpecifierSet(), None, NAME)
            ] == ["demo-2.0b1.tar.gz", "demo-1.0.tar.gz"]
    finals = ReleaseControl(only_final=frozenset({":all:"}))
    finder = CandidateFinder(FinderPolicy(ENV, allow_prereleases=True, releases=finals))
    picked = finder.best_per_version(choices, SpecifierSet(">=2.0b1"), None, NAME)
    assert picked == []  # only final releases, and no final one matches
