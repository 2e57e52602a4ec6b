"""Locked entries checked against a real index on 127.0.0.1, fetched with safepip's own client."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from safepip.findings import Severity
from safepip.index.client import IndexClient
from safepip.index.http import HttpOptions, make_session
from safepip.index.models import ProjectPage
from safepip.index.options import IndexOptions
from safepip.inputs import LockedPackage, read_poetry_lock, read_pylock
from safepip.resolution.locked_files import check_locked_package, direct_source_finding
from tests.conftest import IndexServerFactory
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path: Path, index_server: IndexServerFactory) -> tuple[IndexServer, dict[str, Path]]:
    dist = tmp_path / "dist"
    files = {
        "wheel": make_wheel(dist, "tinypkg", "1.0"),
        "sdist": make_sdist(dist, "tinypkg", "1.0"),
        "old": make_wheel(dist, "tinypkg", "0.1"),
    }
    return index_server(list(files.values())), files


def pages_for(server: IndexServer, name: str, tmp_path: Path) -> list[ProjectPage]:
    session = make_session(HttpOptions(cache_dir=tmp_path / "http-cache"))
    client = IndexClient(session, IndexOptions(index_url=server.index_url))
    return client.project_pages(canonicalize_name(name))


def pylock(server: IndexServer, entries: list[tuple[str, str]]) -> str:
    wheels = "\n".join(
        f'[[packages.wheels]]\nurl = "{server.file_url(name)}"\nhashes = {{sha256 = "{digest}"}}\n'
        for name, digest in entries if name.endswith(".whl")
    )
    wheels += "".join(
        f'[packages.sdist]\nurl = "{server.file_url(name)}"\nhashes = {{sha256 = "{digest}"}}\n'
        for name, digest in entries if not name.endswith(".whl")
    )
    header = 'lock-version = "1.0"\ncreated-by = "t"\n\n'
    return f'{header}[[packages]]\nname = "tinypkg"\nversion = "1.0"\n{wheels}'


def check(path: Path, server: IndexServer, tmp_path: Path) -> tuple[LockedPackage, list, list]:
    (package,) = read_pylock(path)
    matches, findings = check_locked_package(package, pages_for(server, "tinypkg", tmp_path))
    return package, matches, findings


def test_files_the_index_confirms_are_matched(
    served: tuple[IndexServer, dict[str, Path]], write_file: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    server, files = served
    path = write_file("pylock.toml", pylock(server, [
        (files["wheel"].name, sha(files["wheel"])), (files["sdist"].name, sha(files["sdist"]))]))
    _, matches, findings = check(path, server, tmp_path)
    assert findings == []
    assert [(m.locked.filename, m.sha256) for m in matches] == [
        (files["sdist"].name, sha(files["sdist"])), (files["wheel"].name, sha(files["wheel"]))]
    assert matches[1].published.url == server.file_url(files["wheel"].name)


def test_a_hash_the_index_does_not_serve_is_critical(
    served: tuple[IndexServer, dict[str, Path]], write_file: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    server, files = served
    path = write_file("pylock.toml", pylock(server, [(files["wheel"].name, "ab" * 32)]))
    package, matches, (finding,) = check(path, server, tmp_path)
    assert matches == []
    assert (finding.rule, finding.severity) == ("lock/hash-mismatch", Severity.CRITICAL)
    assert finding.location == package.source and finding.location.line == 4
    assert finding.evidence == f"locked sha256:{'ab' * 32}; index sha256:{sha(files['wheel'])}"


def test_a_file_missing_from_the_index_is_high(
    served: tuple[IndexServer, dict[str, Path]], write_file: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    server, _ = served
    path = write_file("pylock.toml", pylock(server, [("tinypkg-1.0-cp311-none-any.whl", "0" * 64)]))
    _, matches, (finding,) = check(path, server, tmp_path)
    assert matches == [] and finding.rule == "lock/file-not-on-index"
    assert finding.severity == Severity.HIGH


def test_a_file_of_another_version_is_refused_before_any_lookup(
    served: tuple[IndexServer, dict[str, Path]], write_file: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    """The real 0.1 wheel, correctly hashed, but locked as 1.0: the audit would describe 1.0."""
    server, files = served
    path = write_file("poetry.lock", (
        '[[package]]\nname = "tinypkg"\nversion = "1.0"\n'
        f'files = [{{file = "{files["old"].name}", hash = "sha256:{sha(files["old"])}"}}]\n'
        '\n[metadata]\nlock-version = "2.0"\n'
    ))
    (package,) = read_poetry_lock(path)
    matches, (finding,) = check_locked_package(package, pages_for(server, "tinypkg", tmp_path))
    assert matches == []
    assert (finding.rule, finding.severity) == ("lock/inconsistent-file", Severity.HIGH)
    assert "a file of tinypkg 0.1" in finding.message


def test_poetry_lock_without_sha256_uses_the_index_hash(
    served: tuple[IndexServer, dict[str, Path]], write_file: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    server, files = served
    path = write_file("poetry.lock", (
        '[[package]]\nname = "tinypkg"\nversion = "1.0"\n'
        f'files = [{{file = "{files["wheel"].name}", '
        'hash = "md5:0cc175b9c0f1b6a831c399e269772661"}]\n'
        '\n[metadata]\nlock-version = "2.0"\n'
    ))
    (package,) = read_poetry_lock(path)
    matches, (finding,) = check_locked_package(package, pages_for(server, "tinypkg", tmp_path))
    assert [m.sha256 for m in matches] == [sha(files["wheel"])]
    assert (finding.rule, finding.severity) == ("lock/unpinned-file", Severity.MEDIUM)


def test_direct_sources_are_reported_not_vetted(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pylock.toml", (
        'lock-version = "1.0"\ncreated-by = "t"\n'
        '[[packages]]\nname = "toolbox"\n'
        'vcs = {type = "git", url = "https://git.example/t.git", commit-id = "0a1b2c"}\n'
        '[[packages]]\nname = "myapp"\ndirectory = {path = ".", editable = true}\n'
    ))
    toolbox, myapp = read_pylock(path)
    remote, local = direct_source_finding(toolbox), direct_source_finding(myapp)
    assert remote is not None and local is not None
    assert (remote.rule, remote.severity) == ("lock/unvetted-source", Severity.MEDIUM)
    assert remote.location is not None and remote.location.line == 3
    assert local.severity == Severity.INFO
