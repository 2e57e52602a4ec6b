"""Input files turned into data: pyproject requirements and locked packages. Nothing is executed.

Requirements files (`-r`) are parsed by `safepip.pip.request`; this package reads the TOML-based
inputs (pyproject.toml, pylock.toml, uv.lock, poetry.lock, pdm.lock). `read_lock(path, fmt)`
dispatches on the detected format.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from safepip.errors import UsageError
from safepip.inputs.detect import FORMATS, InputFormat, detect_format, input_file_format
from safepip.inputs.models import LockedFile, LockedPackage
from safepip.inputs.pdmlock import read_pdm_lock
from safepip.inputs.poetrylock import read_poetry_lock
from safepip.inputs.pylock import read_pylock
from safepip.inputs.pyproject import read_pyproject
from safepip.inputs.uvlock import read_uv_lock

LOCK_FORMATS: tuple[InputFormat, ...] = ("pylock", "uv.lock", "poetry.lock", "pdm.lock")

__all__ = [
    "FORMATS",
    "LOCK_FORMATS",
    "InputFormat",
    "LockedFile",
    "LockedPackage",
    "detect_format",
    "input_file_format",
    "read_lock",
    "read_pdm_lock",
    "read_poetry_lock",
    "read_pylock",
    "read_pyproject",
    "read_uv_lock",
]


def read_lock(
    path: Path, fmt: InputFormat | None = None, *,
    extras: Iterable[str] = (), groups: Iterable[str] = (),
) -> list[LockedPackage]:
    """The packages an install from any supported lock file selects (format from the name unless
    given), with the extras and dependency groups the user asked for."""
    fmt = fmt or detect_format(path)
    if fmt == "pylock":
        return read_pylock(path, extras=extras, groups=groups)
    if fmt == "uv.lock":
        return read_uv_lock(path, extras=extras, groups=groups)
    if fmt == "poetry.lock":
        return read_poetry_lock(path, extras=extras, groups=groups)
    if fmt == "pdm.lock":
        return read_pdm_lock(path, extras=extras, groups=groups)
    raise UsageError(f"{path} is a {fmt} file, not a lock file.")
