"""The resolver end to end against a real loopback index: plan, build deps, findings, errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from packaging.requirements import Requirement

from safepip.errors import ProjectNotFoundError, ResolutionImpossibleError
from safepip.findings import Location, Severity
from safepip.index.client import IndexClient
from safepip.index.http import HttpOptions, make_session
from safepip.index.lazy_session import LazySession
from safepip.index.options import IndexOptions
from safepip.pip.request import InstallRequest, TargetOptions
from safepip.pip.requirement_line import RequirementLine
from safepip.resolution.environment import probe_target
from safepip.resolution.metadata_cache import MetadataCache
from safepip.resolution.models import Resolution
from safepip.resolution.resolve import resolve_request
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer, write_file_index

if TYPE_CHECKING:
    from safepip.index.lazy_session import SessionLike

Factory = Callable[..., IndexServer]


def _lines(*specs: str) -> tuple[RequirementLine, ...]:
    return tuple(
        RequirementLine(Requirement(s), Location("<command line>"), s) for s in specs
    )


def _resolve(
    tmp_path: Path, index_urls: Sequence[str], *specs: str,
    metadata_cache: MetadataCache | None = None, session: SessionLike | None = None,
    **request: Any,
) -> Resolution:
    index = IndexOptions(index_url=index_urls[0], extra_index_urls=tuple(index_urls[1:]))
    install = InstallRequest(
        requirements=_lines(*specs), index=index, target=TargetOptions(target_dir="/nowhere"),
        **request,
    )
    session = session or make_session(HttpOptions(cache_dir=tmp_path / "cache"))
    outcome = resolve_request(
        install, client=IndexClient(session, index), session=session,
        environment=probe_target(install.target), workdir=tmp_path / "work",
        metadata_cache=metadata_cache,
    )
    return outcome.resolution


def _pins(resolution: Resolution, *, build: bool = False) -> dict[str, str]:
    return {
        p.name: str(p.version) for p in resolution.packages if p.build_dependency is build
    }


def test_a_tree_with_extras_resolves(tmp_path: Path, index_server: Factory) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "app", "1.0", requires_dist=["lib>=1", "extra-thing; extra == 'fast'"],
                   provides_extra=["fast"]),
        make_wheel(dist, "lib", "1.0"), make_wheel(dist, "lib", "2.0", requires_dist=["core<2"]),
        make_wheel(dist, "core", "1.5"), make_wheel(dist, "core", "2.0"),
        make_wheel(dist, "extra-thing", "0.1"),
    ])
    resolution = _resolve(tmp_path, [server.index_url], "app[fast]")
    assert _pins(resolution) == {"app": "1.0", "lib": "2.0", "core": "1.5", "extra-thing": "0.1"}
    app = next(p for p in resolution.packages if p.name == "app")
    assert app.requested and app.metadata_source == "pep658"
    assert set(app.dependencies) == {"lib", "extra-thing"}
    assert app.extras == frozenset({"fast"})


def test_sdist_build_requirements_are_resolved_as_build_dependencies(
    tmp_path: Path, index_server: Factory
) -> None:
    dist = tmp_path / "dist"
    pyproject = (
        '[build-system]\nrequires = ["backend-tool>=2"]\nbuild-backend = "backend_tool.api"\n'
        '[project]\nname = "srconly"\nversion = "1.0"\ndependencies = ["lib"]\n'
    )
    server = index_server([
        make_sdist(dist, "srconly", "1.0", pyproject_toml=pyproject, metadata_version="2.1"),
        make_wheel(dist, "lib", "1.0"),
        make_wheel(dist, "backend-tool", "2.1", requires_dist=["helper"]),
        make_wheel(dist, "helper", "3.0"),
    ])
    resolution = _resolve(tmp_path, [server.index_url], "srconly")
    assert _pins(resolution) == {"srconly": "1.0", "lib": "1.0"}
    assert _pins(resolution, build=True) == {"backend-tool": "2.1", "helper": "3.0"}
    srconly = next(p for p in resolution.packages if p.name == "srconly")
    assert srconly.metadata_source == "static"


def test_unknown_dependencies_are_a_finding_not_a_guess(
    tmp_path: Path, index_server: Factory
) -> None:
    setup_py = (
        "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n"
    )
    dist = tmp_path / "dist"
    server = index_server([
        make_sdist(dist, "opaque", "1.0", setup_py=setup_py),
        make_wheel(dist, "setuptools", "70.0"), make_wheel(dist, "wheel", "0.43.0"),
    ])
    resolution = _resolve(tmp_path, [server.index_url], "opaque")
    assert [(f.rule, f.severity) for f in resolution.findings] == [
        ("resolve/dynamic-metadata", Severity.MEDIUM)
    ]
    # No setup.py, no pyproject [build-system]: pip's legacy default builds it with setuptools.
    assert "setuptools" in _pins(resolution, build=True)


def test_conflicts_name_who_asked(tmp_path: Path, index_server: Factory) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "left", "1.0", requires_dist=["shared<2"]),
        make_wheel(dist, "right", "1.0", requires_dist=["shared>=2"]),
        make_wheel(dist, "shared", "1.0"), make_wheel(dist, "shared", "2.0"),
    ])
    with pytest.raises(ResolutionImpossibleError) as raised:
        _resolve(tmp_path, [server.index_url], "left", "right")
    message = raised.value.diagnostics()
    assert "left 1.0 requires shared<2" in message
    assert "right 1.0 requires shared>=2" in message
    assert raised.value.exit_code == 2


def test_backtracks_past_a_conflicting_newest_version(
    tmp_path: Path, index_server: Factory
) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "top", "1.0", requires_dist=["mid", "base<2"]),
        make_wheel(dist, "mid", "2.0", requires_dist=["base>=2"]),
        make_wheel(dist, "mid", "1.0", requires_dist=["base"]),
        make_wheel(dist, "base", "1.0"), make_wheel(dist, "base", "2.0"),
    ])
    assert _pins(_resolve(tmp_path, [server.index_url], "top")) == {
        "top": "1.0", "mid": "1.0", "base": "1.0"
    }


def test_requires_python_in_metadata_is_honoured(tmp_path: Path, index_server: Factory) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "modern", "2.0", requires_python=">=4"),
        make_wheel(dist, "modern", "1.0", requires_python=">=3.8"),
    ], metadata=True)
    assert _pins(_resolve(tmp_path, [server.index_url], "modern")) == {"modern": "1.0"}


def test_a_project_on_two_indexes_is_reported(tmp_path: Path, index_server: Factory) -> None:
    private = index_server([make_wheel(tmp_path / "a", "internal-tool", "1.0")])
    public = index_server([make_wheel(tmp_path / "b", "internal-tool", "99.0")])
    resolution = _resolve(tmp_path, [private.index_url, public.index_url], "internal-tool")
    assert _pins(resolution) == {"internal-tool": "99.0"}
    (finding,) = [f for f in resolution.findings if f.rule == "resolve/multiple-indexes"]
    assert finding.severity is Severity.HIGH
    assert public.url in finding.message and private.url in finding.message


def test_direct_urls_are_reported_as_unvettable(tmp_path: Path, index_server: Factory) -> None:
    server = index_server([make_wheel(tmp_path / "d", "plain", "1.0")])
    resolution = _resolve(
        tmp_path, [server.index_url], "plain", "thing @ https://example.invalid/thing.whl"
    )
    assert _pins(resolution) == {"plain": "1.0"}
    assert [f.rule for f in resolution.findings] == ["resolve/unvettable-source"]


def test_a_release_with_invalid_metadata_is_skipped_as_pip_does(
    tmp_path: Path, index_server: Factory
) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "shaky", "2.0", requires_dist=["not a valid requirement !!"]),
        make_wheel(dist, "shaky", "1.0"),
    ])
    assert _pins(_resolve(tmp_path, [server.index_url], "shaky")) == {"shaky": "1.0"}
    with pytest.raises(ResolutionImpossibleError, match="invalid metadata"):
        _resolve(tmp_path, [server.index_url], "shaky==2.0")


def test_metadata_is_reused_across_runs_by_file_hash(
    tmp_path: Path, index_server: Factory
) -> None:
    dist = tmp_path / "dist"
    server = index_server([make_wheel(dist, "app", "1.0", requires_dist=["lib"]),
                           make_wheel(dist, "lib", "1.0")])
    cache = MetadataCache(tmp_path / "metadata-cache")
    first = _resolve(tmp_path / "one", [server.index_url], "app", metadata_cache=cache)
    assert server.requests_for("/files/app-1.0-py3-none-any.whl.metadata")
    server.clear_log()
    second = _resolve(tmp_path / "two", [server.index_url], "app", metadata_cache=cache)
    assert _pins(first) == _pins(second) == {"app": "1.0", "lib": "1.0"}
    assert [r.path for r in server.requests if r.path.endswith(".metadata")] == []
    assert {p.metadata_source for p in second.packages} == {"pep658"}


def test_a_run_over_a_file_index_never_builds_the_http_session(tmp_path: Path) -> None:
    dist = tmp_path / "dist"  # no PEP 658 files: the cold run must read both wheels from disk
    url = write_file_index(tmp_path / "index", [
        make_wheel(dist, "app", "1.0", requires_dist=["lib"]), make_wheel(dist, "lib", "1.0")])
    cache = MetadataCache(tmp_path / "metadata-cache")
    built, pins = [], []
    for run in ("cold", "warm"):
        lazy = LazySession(HttpOptions(cache_dir=tmp_path / "http-cache"))
        resolution = _resolve(tmp_path / run, [url], "app", metadata_cache=cache, session=lazy)
        built.append(lazy.built)
        pins.append(_pins(resolution))
    assert built == [False, False]
    assert pins == [{"app": "1.0", "lib": "1.0"}] * 2


def test_a_missing_dependency_on_a_file_index_still_fails_closed(tmp_path: Path) -> None:
    # Local pages are prefetched synchronously and their errors deferred: it must still surface.
    url = write_file_index(tmp_path / "index", [
        make_wheel(tmp_path / "dist", "app", "1.0", requires_dist=["ghost>=1"])])
    with pytest.raises(ProjectNotFoundError, match="ghost"):
        _resolve(tmp_path, [url], "app", session=LazySession())


def test_a_mirror_serving_the_identical_files_is_not_confusion(
    tmp_path: Path, index_server: Factory
) -> None:
    wheel = make_wheel(tmp_path / "a", "shared-tool", "1.0")
    first = index_server([wheel])
    mirror = index_server([wheel])
    resolution = _resolve(tmp_path, [first.index_url, mirror.index_url], "shared-tool")
    assert [f for f in resolution.findings if f.rule == "resolve/multiple-indexes"] == []


def test_a_partial_mirror_is_not_confusion(tmp_path: Path, index_server: Factory) -> None:
    wheel = make_wheel(tmp_path / "a", "shared-tool", "1.0")
    full = index_server([wheel, make_wheel(tmp_path / "b", "shared-tool", "0.9")])
    partial = index_server([wheel])
    resolution = _resolve(tmp_path, [partial.index_url, full.index_url], "shared-tool")
    assert [f for f in resolution.findings if f.rule == "resolve/multiple-indexes"] == []


def test_indexes_each_serving_files_the_other_lacks_are_medium(
    tmp_path: Path, index_server: Factory
) -> None:
    wheel = make_wheel(tmp_path / "a", "shared-tool", "1.0")
    first = index_server([wheel, make_wheel(tmp_path / "c", "shared-tool", "0.8")])
    mirror = index_server([wheel, make_wheel(tmp_path / "b", "shared-tool", "0.9")])
    resolution = _resolve(tmp_path, [first.index_url, mirror.index_url], "shared-tool")
    (finding,) = [f for f in resolution.findings if f.rule == "resolve/multiple-indexes"]
    assert finding.severity is Severity.MEDIUM
