"""Issue 13: a poetry.lock package locked from a named index (`[package.source]`) is vetted from
that index or refused with a sentence, never silently looked up on another index."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.cli import main
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]


def _lock(path: Path, wheel: Path, index_url: str) -> Path:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    path.write_text(f"""\
[[package]]
name = "inhouse-lib"
version = "1.2.0"
description = "A private package"
optional = false
python-versions = ">=3.8"
files = [
    {{file = "{wheel.name}", hash = "sha256:{sha}"}},
]

[package.source]
type = "legacy"
url = "{index_url}"
reference = "inhouse"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0000000000000000000000000000000000000000000000000000000000000000"
""")
    return path


@pytest.fixture
def indexes(tmp_path: Path, index_server: Factory) -> tuple[IndexServer, IndexServer, Path]:
    wheel = make_wheel(tmp_path / "private", "inhouse-lib", "1.2.0")
    private = index_server([wheel])
    public = index_server([make_wheel(tmp_path / "public", "unrelated-lib", "1.0")])
    return public, private, _lock(tmp_path / "poetry.lock", wheel, private.index_url)


def test_a_package_from_an_index_the_audit_was_not_given_is_refused(
    indexes: tuple[IndexServer, IndexServer, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    public, private, lock = indexes
    code = main(["audit", str(lock), "--index-url", public.index_url, "--format", "json"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "poetry.lock takes inhouse-lib 1.2.0 from the index" in " ".join(err.split())
    assert f"--extra-index-url {private.index_url}" in err
    assert public.requests == [] and private.requests == []


def test_a_package_from_a_configured_named_index_is_vetted_from_it(
    indexes: tuple[IndexServer, IndexServer, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    public, private, lock = indexes
    code = main(["audit", str(lock), "--index-url", public.index_url,
                 "--extra-index-url", private.index_url, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    assert [(p["name"], p["version"]) for p in report["packages"]] == [("inhouse-lib", "1.2.0")]
    assert report["packages"][0]["artifact"]["url"].startswith(private.index_url.rsplit(
        "/simple", 1)[0])
