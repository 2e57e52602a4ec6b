"""Input formats are told by file name, a user override wins, and unknown names are refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.errors import ExitCode, InputError, UsageError
from safepip.inputs import detect_format, input_file_format, read_lock
from safepip.inputs.detect import FORMATS
from tests.inputs.conftest import DATA


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("constraints.txt", "requirements"),
        ("requirements.in", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        ("uv.lock", "uv.lock"),
        ("poetry.lock", "poetry.lock"),
    ],
)
def test_format_from_file_name(name: str, expected: str) -> None:
    assert detect_format(Path("some/dir") / name) == expected


@pytest.mark.parametrize(
    "name", ["pylock.a.b.toml", "Pipfile.lock", "setup.cfg", "package-lock.json", "lock", ".txt"],
)
def test_unknown_names_are_an_input_error_that_names_the_file(name: str) -> None:
    with pytest.raises(InputError) as caught:
        detect_format(name)
    assert caught.value.exit_code == ExitCode.USAGE
    assert name in caught.value.diagnostics()
    assert "--input-format" in caught.value.diagnostics()


def test_override_wins_over_the_name() -> None:
    assert detect_format("deps/locked.toml", "pylock") == "pylock"
    assert detect_format("requirements.txt", "uv.lock") == "uv.lock"
    with pytest.raises(UsageError):
        detect_format("requirements.txt", "pipfile")
    assert set(FORMATS) == {"requirements", "pyproject", "pylock", "uv.lock", "poetry.lock",
                            "pdm.lock"}


def test_positional_arguments_are_files_only_when_they_exist(
    write_file: Callable[[str, str], Path], tmp_path: Path,
) -> None:
    lock = write_file("uv.lock", "version = 1\n")
    assert input_file_format(str(lock)) == "uv.lock"
    assert input_file_format(str(tmp_path / "requirements.txt")) is None  # does not exist
    assert input_file_format("requests") is None
    assert input_file_format(str(tmp_path)) is None  # a directory is not an input file


def test_read_lock_dispatches_on_the_name_and_refuses_non_lock_files() -> None:
    assert {p.name for p in read_lock(DATA / "uv.lock")} >= {"requests", "urllib3"}
    assert {p.name for p in read_lock(DATA / "poetry.lock")} >= {"requests", "attrs"}
    assert {p.name for p in read_lock(DATA / "pylock.toml")} >= {"requests", "idna"}
    with pytest.raises(UsageError):
        read_lock(DATA / "pyproject.toml")
