"""Downloads: streamed, hash- and size-checked, atomic; nothing is left behind on failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from safepip.artifacts.download import download, download_all
from safepip.errors import HashMismatchError, IndexPageError, NetworkError
from safepip.index.http import HttpOptions, Session, make_session
from safepip.index.lazy_session import LazySession
from safepip.index.models import DistributionFile
from tests.conftest import IndexServerFactory
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return make_session(HttpOptions(cache_dir=tmp_path / "cache", retries=1, backoff_factor=0.01))


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return make_wheel(tmp_path / "dist", "pkg", "1.0")


def _file(server: IndexServer, path: Path, **overrides: object) -> DistributionFile:
    data = path.read_bytes()
    fields: dict[str, object] = {"hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                                 "size": len(data)}
    fields.update(overrides)
    return DistributionFile(filename=path.name, url=server.file_url(path.name),
                            **fields)  # type: ignore[arg-type]


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_download_verifies_and_places_the_file(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    result = download(session, _file(server, wheel), tmp_path / "out")
    assert result.path == tmp_path / "out" / wheel.name
    assert result.path.read_bytes() == wheel.read_bytes()
    assert result.sha256 == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert result.size == wheel.stat().st_size and _listing(tmp_path / "out") == [wheel.name]


def test_hash_mismatch_deletes_the_file(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    file = _file(server, wheel, size=None)
    server.replace_file(wheel.name, b"tampered bytes")  # TOCTOU: vetted hash, different bytes
    with pytest.raises(HashMismatchError, match="sha256") as info:
        download(session, file, tmp_path / "out")
    assert info.value.exit_code == 3 and _listing(tmp_path / "out") == []


def test_size_mismatch(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    with pytest.raises(HashMismatchError, match="bytes"):
        download(session, _file(server, wheel, size=1), tmp_path / "out")
    assert _listing(tmp_path / "out") == []


def test_other_hash_algorithms_are_checked(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    with pytest.raises(HashMismatchError, match="sha512"):
        download(session, _file(server, wheel, hashes={"sha512": "0" * 128}), tmp_path / "o")


def test_truncated_download(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    server.add_fault("/files/*", truncate=True)
    with pytest.raises(IndexPageError):
        download(session, _file(server, wheel), tmp_path / "out")
    assert _listing(tmp_path / "out") == []


def test_size_cap(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([wheel])
    with pytest.raises(IndexPageError, match="limit"):
        download(session, _file(server, wheel), tmp_path / "out", max_bytes=64)
    assert _listing(tmp_path / "out") == []


def test_missing_file_is_a_network_error(
    tmp_path: Path, wheel: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    server = index_server([])
    with pytest.raises(NetworkError, match="404"):
        download(session, _file(server, wheel), tmp_path / "out")


def test_file_url(tmp_path: Path, wheel: Path, session: Session) -> None:
    data = wheel.read_bytes()
    file = DistributionFile(filename=wheel.name, url=wheel.as_uri(),
                            hashes={"sha256": hashlib.sha256(data).hexdigest()})
    assert download(session, file, tmp_path / "out").path.read_bytes() == data


def test_unsafe_filename_is_refused(tmp_path: Path, wheel: Path, session: Session) -> None:
    file = DistributionFile(filename="../evil.whl", url=wheel.as_uri())
    with pytest.raises(IndexPageError, match="Refusing"):
        download(session, file, tmp_path / "out")
    assert not (tmp_path / "evil.whl").exists()


def test_download_all_keeps_order_and_fails_closed(
    tmp_path: Path, index_server: IndexServerFactory, session: Session,
) -> None:
    paths = [make_wheel(tmp_path / "d", f"p{i}", "1.0") for i in range(6)]
    paths.append(make_sdist(tmp_path / "d", "s", "1.0"))
    server = index_server(paths)
    files = [_file(server, p) for p in paths]
    results = download_all(session, [*files, files[0]], tmp_path / "out", workers=4)
    assert [r.path.name for r in results] == [p.name for p in paths] + [paths[0].name]
    assert len(server.requests_for(f"/files/{paths[0].name}")) == 1
    server.replace_file(paths[3].name, b"evil")
    uncached = make_session(HttpOptions(use_cache=False, retries=0))
    with pytest.raises(HashMismatchError):
        download_all(uncached, files, tmp_path / "out2", workers=4)
    assert paths[3].name not in _listing(tmp_path / "out2")
    assert not [n for n in _listing(tmp_path / "out2") if n.startswith(".partial")]


def _local(path: Path, **overrides: object) -> DistributionFile:
    data = path.read_bytes()
    fields: dict[str, object] = {"hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                                 "size": len(data), "url": path.as_uri()}
    fields.update(overrides)
    return DistributionFile(filename=path.name, **fields)  # type: ignore[arg-type]


def test_a_file_url_is_read_from_disk_with_the_same_checks(tmp_path: Path, wheel: Path) -> None:
    lazy = LazySession()
    result = download(lazy, _local(wheel), tmp_path / "out")
    assert result.path.read_bytes() == wheel.read_bytes()
    assert not lazy.built  # no HTTP session for a local file
    with pytest.raises(HashMismatchError):
        download(lazy, _local(wheel, hashes={"sha256": "0" * 64}), tmp_path / "bad")
    with pytest.raises(IndexPageError, match="limit"):
        download(lazy, _local(wheel), tmp_path / "big", max_bytes=64)
    with pytest.raises(NetworkError, match="does not exist"):
        download(lazy, _local(wheel, url=(tmp_path / "gone.whl").as_uri()), tmp_path / "gone")
    assert _listing(tmp_path / "bad") == _listing(tmp_path / "big") == []
