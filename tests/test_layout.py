"""The house plan holds: imports of `safepip/` form no cycle and run only the way the layout says.

Read with `ast` (nothing is imported). Imports under `if TYPE_CHECKING:` are annotations, not
arrows, and are skipped; imports inside functions count, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "safepip"

# Rooms from the top of the data flow down (docs/design.md). A room may import its own modules and
# the rooms of any lower tier, never a room of its own tier or above: so the arrows run one way and
# no cycle between rooms can form. The order within the middle follows the data: the report reads
# the verdict and the resolution; the sandbox builds a vetted sdist and scans the wheel with the
# checks; the checks read what resolution and artifacts produced; resolution reads the request
# (pip's grammar), lock files (inputs), downloads (artifacts) and the cooldown (policy); inputs
# give requirement lines in pip's grammar; the policy depends on nothing above the foundation.
# The rule catalogue sits above every room that owns rules (checks, the cage) and below the
# report that describes them.
TIERS: tuple[frozenset[str], ...] = (
    frozenset({"__main__"}),
    frozenset({"cli"}),
    frozenset({"commands"}),
    frozenset({"pipeline"}),
    frozenset({"report"}),
    frozenset({"catalog"}),
    frozenset({"sandbox"}),
    frozenset({"checks"}),
    frozenset({"resolution"}),
    frozenset({"artifacts"}),
    frozenset({"inputs"}),
    frozenset({"pip"}),
    frozenset({"policy"}),
    frozenset({"index"}),
    frozenset({"cache", "rules", "tomlfile"}),
    frozenset({"findings", "errors", "redact", "data", "safepip"}),
)


def _module_names() -> dict[str, Path]:
    names: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _annotation_only(tree: ast.Module) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for inner in ast.walk(node))
    return hidden


def _imported(module: str, path: Path, names: dict[str, Path]) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    hidden = _annotation_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from package import module` imports the module, not the package's own names
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in names else base
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.args[0].value


_DYNAMIC_IMPORTERS = frozenset({"import_module", "__import__"})


def _dynamic_imports(path: Path) -> Iterator[str]:
    """`importlib.import_module(x)` / `__import__(x)` calls whose module is not a literal: an
    arrow the graph cannot see (a string built or looked up at run time can name any room)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _DYNAMIC_IMPORTERS:
            continue
        literal = (bool(node.args) and isinstance(node.args[0], ast.Constant)
                   and isinstance(node.args[0].value, str))
        if not literal:
            yield f"{path.name}:{node.lineno}: {ast.unparse(node)}"


def import_graph() -> dict[str, set[str]]:
    """safepip module -> the safepip modules it imports at run time."""
    names = _module_names()
    graph: dict[str, set[str]] = {}
    for module, path in names.items():
        targets = set()
        for target in _imported(module, path, names):
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target not in {module, "safepip"}:
                targets.add(target)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def tier_of(room: str) -> int:
    for number, rooms in enumerate(TIERS):
        if room in rooms:
            return number
    raise AssertionError(f"room {room!r} is in no tier of the layout: add it to TIERS")


def test_no_module_import_cycle() -> None:
    assert _cycles(import_graph()) == []


def test_no_room_import_cycle() -> None:
    rooms: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        rooms.setdefault(room_of(module), set()).update(
            room_of(target) for target in targets if room_of(target) != room_of(module))
    assert _cycles(rooms) == []


def test_arrows_run_down_the_layout() -> None:
    wrong = []
    for module, targets in sorted(import_graph().items()):
        source = room_of(module)
        for target in sorted(targets):
            goal = room_of(target)
            if goal == source:
                continue
            if tier_of(goal) <= tier_of(source):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_hides_its_module_in_a_variable() -> None:
    hidden = [f"{path.parent.relative_to(PACKAGE.parent)}/{call}"
              for path in sorted(PACKAGE.rglob("*.py")) for call in _dynamic_imports(path)]
    assert hidden == []


def test_a_dynamic_import_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("import importlib\nfrom importlib import import_module\n"
                      "NAMES = ('safepip.checks',)\n"
                      "importlib.import_module('safepip.findings')\n"
                      "for name in NAMES:\n    importlib.import_module(name)\n"
                      "import_module(NAMES[0])\n__import__(f'safepip.{NAMES}')\n"
                      "x = '__import__(name)'\n", encoding="utf-8")
    found = list(_dynamic_imports(source))
    assert sorted(line.split(":")[1] for line in found) == ["6", "7", "8"]


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_lazy_imports_count_and_annotation_imports_do_not(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    from safepip.a import A\n"
                      "def later() -> None:\n    from safepip.b import B\n"
                      "from safepip import c\n", encoding="utf-8")
    names = {name: source for name in ("safepip.a", "safepip.b", "safepip.c")}
    assert set(_imported("safepip.example", source, names)) == {"typing", "safepip.b", "safepip.c"}
