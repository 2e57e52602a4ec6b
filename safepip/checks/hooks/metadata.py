"""Rules on files that are not install-time Python: `.pth` lines, console-script names,
in-tree backends and native executables in sdists. All read as data."""

from __future__ import annotations

import ast
import configparser

from safepip.checks.hooks.patterns import SHADOWED_COMMANDS
from safepip.checks.hooks.python import Hit, PythonScan
from safepip.findings import Severity
from safepip.tomlfile import TomlError, parse_toml

_STRONG = frozenset(
    {
        "hook/exec-obfuscated",
        "hook/download-exec",
        "hook/network-fetch",
        "hook/process-exec",
        "hook/dynamic-exec",
        "hook/env-exfiltration",
        "hook/webhook",
        "hook/sensitive-read",
    }
)
_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"MZ", "PE"),
)


def pth_hits(text: str) -> list[Hit]:
    """site.py executes .pth lines that start with `import` (anything else is a path)."""
    hits: list[Hit] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith(("import ", "import\t")):
            continue
        inner = _inner_hits(line)
        strong = [h for h in inner if h.rule in _STRONG and h.severity > Severity.INFO]
        what = f"; it {strong[0].message}" if strong else ""
        hits.append(
            Hit(
                "hook/pth-exec",
                Severity.CRITICAL if strong else Severity.MEDIUM,
                number,
                f"runs at every Python start{what}",
                line[:200],
            )
        )
    return hits


def _inner_hits(line: str) -> list[Hit]:
    try:
        tree = ast.parse(line)
    except (SyntaxError, ValueError, RecursionError):
        return [Hit("hook/dynamic-exec", Severity.MEDIUM, None, "is not valid Python")]
    return PythonScan(line, tree).hits


def native_kind(head: bytes, name: str) -> str | None:
    """'ELF', 'Mach-O' or 'PE' when the first bytes say so."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "PE" and b"PE\x00\x00" not in head[:1024]:
                return None  # "MZ" alone is also plain text
            return kind
    if head.startswith(b"\xca\xfe\xba\xbe") and not name.endswith(".class"):
        return "Mach-O"  # universal binary (Java classes share the magic)
    return None


def scripts_from_entry_points(data: bytes) -> list[str]:
    """console_scripts/gui_scripts names of an entry_points.txt or setup.cfg section."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(data.decode("utf-8", "replace"))
    except configparser.Error:
        return []
    names: list[str] = []
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            names.extend(parser.options(section))
    if parser.has_section("options.entry_points"):
        for group in ("console_scripts", "gui_scripts"):
            value = parser.get("options.entry_points", group, fallback="")
            names.extend(
                line.split("=", 1)[0].strip() for line in value.splitlines() if "=" in line
            )
    return names


def scripts_from_pyproject(data: bytes) -> list[str]:
    try:
        project = parse_toml(data).get("project", {})
    except TomlError:
        return []
    names: list[str] = []
    for table in ("scripts", "gui-scripts"):
        value = project.get(table, {}) if isinstance(project, dict) else {}
        if isinstance(value, dict):
            names.extend(str(key) for key in value)
    return names


def shadows(script: str, project: str) -> bool:
    """A script named like a common command, unless the project is that command (pip -> pip3)."""
    name = script.strip().lower().removesuffix(".exe").removesuffix(".py")
    owner = project.lower().replace("_", "-")
    return name in SHADOWED_COMMANDS and not (name.startswith(owner) or owner.startswith(name))
