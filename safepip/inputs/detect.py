"""Which reader understands an input file: decided by its name, overridable by the user."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args

from safepip.errors import InputError, UsageError

InputFormat = Literal["requirements", "pyproject", "pylock", "uv.lock", "poetry.lock", "pdm.lock"]
FORMATS: tuple[InputFormat, ...] = get_args(InputFormat)

_PYLOCK_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")
"""PEP 751: `pylock.toml` or `pylock.<name>.toml`."""
_EXACT_NAMES: dict[str, InputFormat] = {
    "pyproject.toml": "pyproject",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry.lock",
    "pdm.lock": "pdm.lock",
}
_REQUIREMENTS_SUFFIXES = (".txt", ".in")
"""pip-tools writes `requirements.in` -> `requirements.txt`; both are pip requirements syntax."""
_UV_SCRIPT_LOCK = re.compile(r"^.+\.py\.lock$")
"""`uv lock --script tool.py` writes `tool.py.lock` beside the script: a uv.lock whose roots are
its `[manifest] requirements` (the script's inline PEP 723 dependencies)."""
_RYE_LOCK = re.compile(r"^requirements(-dev)?\.lock$")
"""Rye's `requirements.lock` / `requirements-dev.lock` are pip requirements files (`-e file:.`,
pins, `# via` comments), not lock files of their own format."""


def detect_format(path: Path | str, override: str | None = None) -> InputFormat:
    """The input format of `path`: `override` when given, else from the file name."""
    if override is not None:
        return parse_format(override)
    found = format_from_name(Path(path).name)
    if found is None:
        raise InputError(
            "cannot tell the file's format from its name.", path=str(path),
            hint="Name it pyproject.toml, pylock.toml, uv.lock, SCRIPT.py.lock, poetry.lock, "
            "pdm.lock, *.txt or requirements.lock, "
            "or pass --input-format " + "|".join(FORMATS) + ".",
        )
    return found


def format_from_name(name: str) -> InputFormat | None:
    """The format a file name announces, or None when it announces none."""
    if name in _EXACT_NAMES:
        return _EXACT_NAMES[name]
    if _PYLOCK_NAME.match(name):
        return "pylock"
    if _UV_SCRIPT_LOCK.match(name):
        return "uv.lock"
    if (name.endswith(_REQUIREMENTS_SUFFIXES) and len(name) > 4) or _RYE_LOCK.match(name):
        return "requirements"
    return None


def input_file_format(argument: str) -> InputFormat | None:
    """For a positional `audit` argument: its format when it names an existing input file.

    `safepip audit requests` is a spec; `safepip audit uv.lock` (an existing file with a known
    name) is an input file. A spec never names an existing file with one of these names by accident.
    """
    path = Path(argument)
    if not path.is_file():
        return None
    return format_from_name(path.name)


def parse_format(text: str) -> InputFormat:
    """A user-given format name (`--input-format`); UsageError for unknown names."""
    for known in FORMATS:
        if text == known:
            return known
    raise UsageError(f"unknown input format {text!r}; expected one of {', '.join(FORMATS)}.")
