"""The one TOML loader: untrusted bytes in, a plain dict or one error sentence out.

Every TOML safepip reads (policy files, pyproject.toml of a project or an sdist, lock files, PEP 723
script blocks) goes through `parse_toml`, so size limits, encoding and error wording agree.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from safepip.errors import InputError

MAX_TOML_BYTES = 64 * 1024 * 1024
"""Refuse absurdly large TOML rather than spend minutes parsing it."""

_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class TomlError(ValueError):
    """Bytes that are not a TOML document; `line` is 1-based when tomllib names one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse_toml(data: bytes | str) -> dict[str, Any]:
    """The document in `data` (UTF-8 when bytes); TomlError for anything else."""
    if len(data) > MAX_TOML_BYTES:
        raise TomlError(f"larger than {MAX_TOML_BYTES // 2**20} MiB")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise TomlError(f"not UTF-8 (byte {error.start})") from None
    try:
        return tomllib.loads(data)
    except tomllib.TOMLDecodeError as error:
        match = _ERROR_LINE.search(str(error))
        raise TomlError(f"not valid TOML: {error}",
                        int(match.group(1)) if match else None) from None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The document in the file at `path` and its text; InputError naming the file (and line)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}.", path=str(path),
                         hint="Check the path and its permissions.") from None
    try:
        document = parse_toml(raw)
    except TomlError as error:
        raise InputError(f"{error}.", path=str(path), line=error.line,
                         hint="Fix the syntax or regenerate the file.") from None
    # parse_toml decoded the same bytes successfully, so this cannot fail.
    return document, raw.decode("utf-8")
