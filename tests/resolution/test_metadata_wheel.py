"""Rung 2: a wheel's dist-info METADATA, from a local file or over HTTP range requests."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from safepip.errors import ArchiveError, NetworkError
from safepip.resolution.core_metadata import MAX_METADATA_BYTES
from safepip.resolution.lazy_wheel import TAIL_BYTES
from safepip.resolution.metadata import (
    MetadataMismatchError,
    metadata_from_core_metadata,
    metadata_from_wheel_file,
    wheel_metadata_over_http,
)
from tests.kit.archives import make_wheel, metadata_text
from tests.kit.index_server import Fault, IndexServer

ServerFactory = Callable[..., IndexServer]


def _zip(path: Path, members: dict[str, bytes], modes: dict[str, int] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (modes or {}).get(name, stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
    return path


def test_reads_metadata_from_a_real_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "Demo_Pkg", "2.0", requires_dist=["six; extra == 'x'"],
                       provides_extra=["x"], requires_python=">=3.8")
    meta = metadata_from_wheel_file(wheel)
    assert (meta.name, str(meta.version), meta.source) == ("demo-pkg", "2.0", "wheel")
    assert [str(r) for r in meta.requires_dist] == ['six; extra == "x"']
    assert meta.provides_extra == {"x"} and str(meta.requires_python) == ">=3.8"


def test_reads_nothing_but_the_metadata_member(tmp_path: Path) -> None:
    # A corrupt (CRC-broken) payload member proves the other members are never decompressed.
    wheel = make_wheel(tmp_path, "a", "1.0", files={"a/__init__.py": "x = 1\n" * 1000})
    raw = bytearray(wheel.read_bytes())
    payload_at = raw.find(b"a/__init__.py") + len("a/__init__.py")
    raw[payload_at + 5] ^= 0xFF
    wheel.write_bytes(bytes(raw))
    assert metadata_from_wheel_file(wheel).name == "a"
    assert list(tmp_path.iterdir()) == [wheel]


@pytest.mark.parametrize(("members", "message"), [
    ({"a/__init__.py": b""}, "no .dist-info"),
    ({"a-1.0.dist-info/METADATA": b"", "b-1.0.dist-info/METADATA": b""}, "several .dist-info"),
    ({"a-1.0.dist-info/RECORD": b""}, "no a-1.0.dist-info/METADATA"),
])
def test_malformed_wheels_are_clear_errors(tmp_path: Path, members: dict[str, bytes],
                                           message: str) -> None:
    wheel = _zip(tmp_path / "a-1.0-py3-none-any.whl", members)
    with pytest.raises(ArchiveError, match=message):
        metadata_from_wheel_file(wheel)


def test_not_a_zip_is_an_archive_error(tmp_path: Path) -> None:
    wheel = tmp_path / "a-1.0-py3-none-any.whl"
    wheel.write_bytes(b"this is not a zip file")
    with pytest.raises(ArchiveError, match="cannot read the wheel"):
        metadata_from_wheel_file(wheel)


def test_dist_info_of_another_project_is_refused(tmp_path: Path) -> None:
    wheel = _zip(tmp_path / "good-1.0-py3-none-any.whl",
                 {"evil-1.0.dist-info/METADATA": metadata_text("evil", "1.0").encode()})
    with pytest.raises(MetadataMismatchError, match=r"evil-1\.0\.dist-info"):
        metadata_from_wheel_file(wheel)


def test_metadata_naming_another_version_is_refused(tmp_path: Path) -> None:
    wheel = _zip(tmp_path / "good-1.0-py3-none-any.whl",
                 {"good-1.0.dist-info/METADATA": metadata_text("good", "6.6.6").encode()})
    with pytest.raises(MetadataMismatchError, match=r"6\.6\.6"):
        metadata_from_wheel_file(wheel)


def test_symlinked_metadata_is_never_followed(tmp_path: Path) -> None:
    wheel = _zip(tmp_path / "a-1.0-py3-none-any.whl", {"a-1.0.dist-info/METADATA": b"/etc/passwd"},
                 modes={"a-1.0.dist-info/METADATA": stat.S_IFLNK | 0o777})
    with pytest.raises(ArchiveError, match="link"):
        metadata_from_wheel_file(wheel)


def test_metadata_zip_bomb_is_bounded(tmp_path: Path) -> None:
    bomb = metadata_text("a", "1.0").encode() + b"\0" * (MAX_METADATA_BYTES + 1)
    wheel = _zip(tmp_path / "a-1.0-py3-none-any.whl", {"a-1.0.dist-info/METADATA": bomb})
    assert wheel.stat().st_size < 100_000
    with pytest.raises(ArchiveError, match="limit"):
        metadata_from_wheel_file(wheel)


# -- over HTTP -------------------------------------------------------------------------------

def _big_wheel(tmp_path: Path) -> Path:
    """A 3 MB wheel whose METADATA sits after an incompressible payload."""
    return make_wheel(tmp_path, "big", "1.0", requires_dist=["dep>=2"],
                      files={"big/blob.bin": os.urandom(3 * 1024 * 1024)})


def _ranges(server: IndexServer, filename: str) -> list[str]:
    records = server.requests_for(f"/files/{filename}")
    return [r.headers.get("Range", "") for r in records]


def _span(spec: str, size: int) -> int:
    first, _, last = spec.removeprefix("bytes=").partition("-")
    return int(last) if first == "" else min(int(last), size - 1) - int(first) + 1


def test_range_requests_fetch_only_the_directory_and_metadata(
        tmp_path: Path, index_server: ServerFactory) -> None:
    wheel = _big_wheel(tmp_path)
    server = index_server([wheel], range_requests=True)
    with requests.Session() as session:
        data = wheel_metadata_over_http(session, server.file_url(wheel.name))
    assert data is not None
    meta = metadata_from_core_metadata(data, source="wheel", origin=wheel.name,
                                       filename=wheel.name)
    assert [str(r) for r in meta.requires_dist] == ["dep>=2"]
    specs = _ranges(server, wheel.name)
    assert specs and all(spec.startswith("bytes=") for spec in specs)
    fetched = sum(_span(spec, wheel.stat().st_size) for spec in specs)
    assert fetched < 4 * TAIL_BYTES < wheel.stat().st_size
    assert len(specs) <= 3


def test_range_read_equals_local_read_for_a_small_wheel(
        tmp_path: Path, index_server: ServerFactory) -> None:
    wheel = make_wheel(tmp_path, "tiny", "0.1", requires_dist=["x; python_version < '4'"])
    server = index_server([wheel])
    with requests.Session() as session:
        data = wheel_metadata_over_http(session, server.file_url(wheel.name))
    assert data is not None
    with zipfile.ZipFile(wheel) as archive:
        assert data == archive.read("tiny-0.1.dist-info/METADATA")


def test_no_range_support_returns_none_without_reading_the_body(
        tmp_path: Path, index_server: ServerFactory) -> None:
    wheel = _big_wheel(tmp_path)
    server = index_server([wheel], range_requests=False)
    with requests.Session() as session:
        assert wheel_metadata_over_http(session, server.file_url(wheel.name)) is None
    assert len(server.requests_for(f"/files/{wheel.name}")) == 1


@pytest.mark.parametrize(("fault", "error"), [
    ({"status": 404}, NetworkError),
    ({"status": 503}, NetworkError),
    ({"body": b"not a zip at all"}, NetworkError),
])
def test_server_faults_fail_closed(tmp_path: Path, index_server: ServerFactory,
                                   fault: dict[str, Any], error: type[Exception]) -> None:
    wheel = make_wheel(tmp_path, "tiny", "0.1")
    server = index_server([wheel], faults=[Fault(pattern=f"/files/{wheel.name}", **fault)])
    with requests.Session() as session, pytest.raises(error):
        wheel_metadata_over_http(session, server.file_url(wheel.name))


def test_remote_dist_info_of_another_project_is_refused(
        tmp_path: Path, index_server: ServerFactory) -> None:
    wheel = _zip(tmp_path / "good-1.0-py3-none-any.whl",
                 {"evil-1.0.dist-info/METADATA": metadata_text("evil", "1.0").encode()})
    server = index_server([wheel])
    with requests.Session() as session, pytest.raises(MetadataMismatchError):
        wheel_metadata_over_http(session, server.file_url(wheel.name))


def test_truncated_file_is_not_a_wheel(tmp_path: Path, index_server: ServerFactory) -> None:
    wheel = make_wheel(tmp_path, "tiny", "0.1")
    server = index_server([wheel])
    server.replace_file(wheel.name, wheel.read_bytes()[:-200])
    with requests.Session() as session, pytest.raises(ArchiveError, match="not a readable wheel"):
        wheel_metadata_over_http(session, server.file_url(wheel.name))
