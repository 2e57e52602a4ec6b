"""Input-file samples: real lock files written by uv (tests/inputs/data) and ad-hoc broken ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import NormalizedName

from safepip.inputs import LockedFile, LockedPackage

DATA = Path(__file__).resolve().parent / "data"

REQUESTS_WHEEL = LockedFile(
    filename="requests-2.34.2-py3-none-any.whl",
    url="https://files.pythonhosted.org/packages/a0/f4/c67b0b3f1b9245e8d266f0f112c500d50e5b4e83c"
    "b6f3b71b6528104182a/requests-2.34.2-py3-none-any.whl",
    sha256="2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0",
    size=73075,
)
LOCKED_BY_UV = ["attrs", "certifi", "charset-normalizer", "idna", "iniconfig", "pyyaml",
                "requests", "urllib3"]


def by_name(packages: list[LockedPackage]) -> dict[NormalizedName, LockedPackage]:
    return {p.name: p for p in packages}


def lines_hold_headers(path: Path, packages: list[LockedPackage], header: str) -> None:
    text = path.read_text(encoding="utf-8").splitlines()
    for package in packages:
        assert package.source.path == str(path)
        assert package.source.line is not None
        assert text[package.source.line - 1] == header
        assert text[package.source.line] == f'name = "{package.name}"'


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write `text` to tmp_path/`name` (creating directories) and return the path."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    return write
