"""Rules on files that are not install-time Python: `.pth` lines, console-script names,
in-tree backends and native executables in sdists. All read as data."""

from __future__ import annotations

import ast
import configparser
import re

from safepip.checks.hooks.patterns import (
    PERSISTENCE,
    SHADOWED_COMMANDS,
    SHELL_DOWNLOADER,
    SHELL_HOSTILE,
)
from safepip.checks.hooks.places import command_writes
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
        "hook/outside-write",
        "hook/persistence",
        "hook/capability",
    }
)
"""What makes a `.pth` line critical: it runs at every start of Python, where no build happens,
so a process, a write outside the tree or a secret read there has no ordinary reason."""
_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"MZ", "PE"),
)


def pth_hits(text: str, own: frozenset[str] = frozenset()) -> list[Hit]:
    """site.py executes .pth lines that start with `import` (anything else is a path).

    A line is judged by what it does: one that only reads environment variables and imports
    and calls modules of its own distribution (`own`: its top-level module names), the way
    coverage's and setuptools' start-up hooks do, is ordinary (low); anything else runs
    unknown code at every start (medium), and a dangerous capability there is critical."""
    hits: list[Hit] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith(("import ", "import\t")):
            continue
        if _is_ordinary(line, own, 0):
            hits.append(Hit("hook/pth-exec", Severity.LOW, number,
                            "runs at every Python start; it only reads the environment and "
                            "calls its own package", line[:200]))
            continue
        inner = _inner_hits(line)
        # Even a process that would pass as a build tool at install time (INFO) is not
        # ordinary at every interpreter start.
        strong = [h for h in inner if h.rule in _STRONG
                  and (h.severity > Severity.INFO or h.rule == "hook/process-exec")]
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


_ENV_READS = frozenset({"os.getenv", "os.environ.get", "os.environ.__contains__"})
_NAMESPACE_CALLS = frozenset({
    "os.path.join", "os.path.dirname", "sys._getframe", "types.ModuleType",
    "importlib.util.module_from_spec", "importlib.machinery.PathFinder.find_spec",
})
"""What setuptools' `*-nspkg.pth` template calls to register a namespace package."""
_PLAIN_MODULES = frozenset({"os", "sys", "types"})
_PLAIN_IMPORTS = frozenset({"importlib.util", "importlib.machinery"})
_PLAIN_METHODS = frozenset({"append", "setdefault"})
"""On the namespace's own `__path__` list and module `__dict__` (the template's last steps)."""
_PLAIN_NODES = (
    ast.Module, ast.Import, ast.ImportFrom, ast.alias, ast.Expr, ast.Assign, ast.If, ast.Try,
    ast.ExceptHandler, ast.Pass, ast.Name, ast.Load, ast.Store, ast.Constant, ast.Attribute,
    ast.Subscript, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Eq, ast.NotEq, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.And, ast.Or, ast.Not, ast.Call, ast.keyword, ast.Tuple, ast.List,
    ast.Starred, ast.Gt, ast.GtE, ast.Lt, ast.LtE,
)
"""Statements and expressions an ordinary start-up hook is made of (no loops, functions,
classes, `with` or comprehensions: nothing that could run code other than the calls seen)."""


def _is_ordinary(source: str, own: frozenset[str], depth: int) -> bool:
    """Only environment reads, imports of `os`/`sys`/its own modules, calls into its own
    modules, and `exec` of a literal that is itself ordinary."""
    if depth > 2 or not own:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    bound: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _PLAIN_NODES):
            return False
        if isinstance(node, ast.Import | ast.ImportFrom) and not _plain_import(node, own, bound):
            return False
        if isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
            return False  # `os.environ[...] = ...` and the like change the process
    aliases = _stdlib_aliases(tree)
    return all(
        _plain_call(node, own, bound, depth) and _root_name(node.func) not in aliases
        for node in ast.walk(tree) if isinstance(node, ast.Call)
    )


def _stdlib_aliases(tree: ast.Module) -> set[str]:
    """Names bound to a standard-library object itself (`e = os.environ`), not to the result
    of a call: a method called on them is not the namespace template's own list or dict."""
    aliases: set[str] = set()
    assigns = [node for node in ast.walk(tree) if isinstance(node, ast.Assign)]
    for _ in range(len(assigns) + 1):
        before = len(aliases)
        for node in assigns:
            if any(name in _PLAIN_MODULES | {"importlib"} | aliases
                   for name in _names_outside_calls(node.value)):
                aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if len(aliases) == before:
            break
    return aliases


def _names_outside_calls(node: ast.AST) -> list[str]:
    """Names whose object the expression evaluates to (through `and`/`or`, conditionals,
    attributes, subscripts and containers); a call, comparison or operator makes a new one."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        return _names_outside_calls(node.value)
    if isinstance(node, ast.BoolOp | ast.Tuple | ast.List):
        items = node.values if isinstance(node, ast.BoolOp) else node.elts
        return [name for item in items for name in _names_outside_calls(item)]
    if isinstance(node, ast.IfExp):
        return _names_outside_calls(node.body) + _names_outside_calls(node.orelse)
    return []


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _plain_import(node: ast.Import | ast.ImportFrom, own: frozenset[str], bound: set[str]) -> bool:
    if isinstance(node, ast.ImportFrom):
        root = (node.module or "").split(".")[0]
        if node.level or root not in own:
            return False
        bound.update(alias.asname or alias.name for alias in node.names)
        return True
    for alias in node.names:
        root = alias.name.split(".")[0]
        if root not in own | _PLAIN_MODULES:
            return False
        if root in own:
            bound.add(alias.asname or root)
    return True


def _plain_call(node: ast.Call, own: frozenset[str], bound: set[str], depth: int) -> bool:
    func = node.func
    dotted = _dotted(func)
    if dotted in _ENV_READS or dotted in _NAMESPACE_CALLS:
        return True
    if dotted == "sys.modules.setdefault":  # registering its own namespace, nothing else
        return bool(node.args) and _literal_root(node.args[0]) in own
    if isinstance(func, ast.Name) and func.id in ("exec", "__import__"):
        literal = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
            return False
        if func.id == "__import__":
            return literal.value.split(".")[0] in own or literal.value in _PLAIN_IMPORTS
        return _is_ordinary(literal.value, own, depth + 1)
    if isinstance(func, ast.Attribute) and func.attr in _PLAIN_METHODS and "." in dotted:
        return not dotted.startswith(("os.", "sys.", "types.", "importlib."))
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name):
        return root.id in bound
    return isinstance(root, ast.Call) and _dotted(root.func) == "__import__" and (
        _plain_call(root, own, bound, depth)
    ) and _literal_root(root.args[0]) in own


def _literal_root(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split(".")[0]
    return ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _inner_hits(line: str) -> list[Hit]:
    try:
        tree = ast.parse(line)
    except (SyntaxError, ValueError, RecursionError):
        return [Hit("hook/dynamic-exec", Severity.MEDIUM, None, "is not valid Python")]
    return PythonScan(line, tree).hits


BUILD_SCRIPTS = ("meson.build", "CMakeLists.txt")
BUILD_SCRIPT_SUFFIXES = (".cmake",)
_BUILD_SCRIPT_CALLS = re.compile(
    r"\b(run_command|custom_target|run_target|execute_process|add_custom_command"
    r"|add_custom_target|exec_program)\s*\(",
    re.IGNORECASE,
)
"""Meson and CMake calls that run a program while the project is configured or built."""
_CMAKE_KEYWORDS = frozenset(
    {"COMMAND", "WORKING_DIRECTORY", "OUTPUT", "DEPENDS", "VERBATIM", "ARGS", "RESULT_VARIABLE",
     "OUTPUT_VARIABLE", "ERROR_VARIABLE", "OUTPUT_QUIET", "ERROR_QUIET", "ALL", "COMMENT"}
)
_MAX_BUILD_SCRIPT_CALL = 4000


def build_script_hits(text: str) -> list[Hit]:
    """Commands a meson.build or CMake file runs (run_command, custom_target,
    execute_process, add_custom_command, ...), judged by their words like a shell command:
    a downloader, a reverse shell, or a write outside the tree is high, as in setup.py."""
    hits: list[Hit] = []
    for match in _BUILD_SCRIPT_CALLS.finditer(text):
        body = _call_body(text, match.end())
        words = [w for w, _ in _script_words(body) if w not in _CMAKE_KEYWORDS]
        command = " ".join(words)
        line = text.count("\n", 0, match.start()) + 1
        # Writes are judged on quoted text only: bare words are the languages' own variables
        # and path operators (`dir / 'x'`, ${CMAKE_COMMAND}), which say nothing as text.
        quoted = [w for w, literal in _script_words(body) if literal]
        written = None if any("$" in w or "@" in w for w in quoted) else command_writes(
            " ".join(quoted))
        if SHELL_DOWNLOADER.search(command):
            hits.append(Hit("hook/download-exec", Severity.HIGH, line,
                            f"{match.group(1)} runs a shell downloader at build", command[:200]))
        elif SHELL_HOSTILE.search(command):
            hits.append(Hit("hook/process-exec", Severity.HIGH, line,
                            f"{match.group(1)} runs a shell the way reverse shells do at build",
                            command[:200]))
        elif written is not None:
            rule = "hook/persistence" if PERSISTENCE.search(written[0]) else "hook/outside-write"
            hits.append(Hit(rule, Severity.HIGH, line,
                            f"{match.group(1)} changes a file in {written[1]} at build",
                            command[:200]))
    return hits


def _call_body(text: str, start: int) -> str:
    """The text inside a call's parentheses (balanced, bounded)."""
    depth = 1
    end = min(len(text), start + _MAX_BUILD_SCRIPT_CALL)
    for index in range(start, end):
        char = text[index]
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return text[start:index]
    return text[start:end]


def _script_words(body: str) -> list[tuple[str, bool]]:
    """The quoted strings and bare words of a meson or CMake argument list (word, quoted)."""
    return [
        (next(g for g in m.groups() if g is not None), m.group(3) is None)
        for m in re.finditer(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|([^\s'\",\[\]():]+)",
                             body)
    ]


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
