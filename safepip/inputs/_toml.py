"""Reading TOML input files as untrusted data, with line numbers for messages.

tomllib gives no positions, so lines come from a plain text scan of the same bytes: array-of-tables
headers (`[[package]]`) are matched to array items by order, and single values by a text search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from safepip.errors import InputError
from safepip.findings import Location
from safepip.tomlfile import read_toml

T = TypeVar("T")


@dataclass(frozen=True)
class TomlDocument:
    """A parsed TOML file plus its text, for locating values."""

    path: Path
    """The file as given by the user (shown in messages and report locations)."""
    data: dict[str, Any]
    """The parsed document; still untrusted: check every type before use."""
    lines: tuple[str, ...]
    """The file's text, one entry per line."""

    def array_table_lines(self, key: str) -> list[int]:
        """1-based lines of each `[[key]]` header, in file order."""
        header = re.compile(r"^\s*\[\[\s*" + re.escape(key) + r"\s*\]\]\s*(#.*)?$")
        return [n for n, line in enumerate(self.lines, 1) if header.match(line)]

    def find_line(self, needle: str, start: int = 1) -> int | None:
        """First 1-based line at or after `start` containing `needle`, else anywhere, else None."""
        order: list[int] = [*range(start, len(self.lines) + 1), *range(1, start)]
        for number in order:
            if needle in self.lines[number - 1]:
                return number
        return None


@dataclass
class Problems:
    """Collects every problem in a document so the user sees them all at once."""

    path: Path
    items: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, line: int | None, message: str) -> None:
        self.items.append((line, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        line, first = self.items[0]
        rest = [f"line {n}: {m}" if n else m for n, m in self.items[1:6]]
        more = f" (and {len(self.items) - 6} more)" if len(self.items) > 6 else ""
        extra = ("; also " + "; ".join(rest) + more) if rest else ""
        raise InputError(first + extra, path=str(self.path), line=line,
                         hint="Fix or regenerate the file, then run safepip again.")


def load_toml(path: Path) -> TomlDocument:
    """Read and parse `path`; every failure is an InputError naming the file (and line)."""
    data, text = read_toml(path)
    return TomlDocument(path, data, tuple(text.splitlines()))


def table_list(value: object) -> list[dict[str, Any]] | None:
    """`value` as a list of tables, or None when it is anything else."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    return None


def optional_str(table: dict[str, Any], key: str) -> str | None:
    """`table[key]` when it is a string; None when absent; ValueError when another type."""
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"`{key}` must be a string, not {type(value).__name__}")


def file_tables(table: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A package table's `sdist` table and `wheels` array (pylock.toml and uv.lock share it)."""
    entries: list[dict[str, Any]] = []
    sdist = table.get("sdist")
    if sdist is not None:
        if not isinstance(sdist, dict):
            raise ValueError(f"{name}: `sdist` must be a table")
        entries.append(sdist)
    wheels = table_list(table.get("wheels", []))
    if wheels is None:
        raise ValueError(f"{name}: `wheels` must be an array of tables")
    entries.extend(wheels)
    return entries


def read_package_tables(
    document: TomlDocument, problems: Problems, key: str,
    parse: Callable[[dict[str, Any], Location], T],
) -> list[T]:
    """Parse each `[[key]]` table with its line as the location; errors collected, not raised."""
    tables = table_list(document.data.get(key, []))
    if tables is None:
        problems.add(None, f"`{key}` must be an array of tables")
        tables = []
    lines = document.array_table_lines(key)
    result: list[T] = []
    for position, table in enumerate(tables):
        line = lines[position] if len(lines) == len(tables) else None
        try:
            result.append(parse(table, Location(str(document.path), line)))
        except ValueError as error:
            problems.add(line, str(error))
    return result
