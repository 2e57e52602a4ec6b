"""Literal `install_requires` / `extras_require` / `python_requires` from a setup.py, via `ast`.

The file is parsed, never compiled to bytecode nor run. A value counts as static only when it is
built from literals: strings, lists/tuples/dicts of them, `+` between them, and module-level
names bound exactly once (by a top-level `NAME = <literal>`) and never mutated, aliased, imported
or rebound anywhere in the file. Anything else (calls, comprehensions, conditionals, `open()` of
requirements.txt, several `setup()` calls, a home-made `setup`) raises `NotStatic` with the reason.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from typing import Any

WANTED = ("install_requires", "extras_require", "python_requires")
MAX_ELEMENTS = 10_000
"""Literal elements evaluated before giving up (`a = b + b; b = c + c; ...` doubles each step)."""
_SETUP_MODULES = {"setuptools", "distutils.core"}
_DYNAMIC_CALLS = {"exec", "eval", "execfile", "globals", "locals", "vars", "setattr", "__import__"}
"""Calls that can rebind any name (even `setup`) at run time: nothing in the file is then static."""


class NotStatic(Exception):
    """setup.py does not state its dependencies as literals; the message says why."""


@dataclass(frozen=True)
class SetupArgs:
    """The wanted `setup()` keywords, as plain data; None where setup() does not pass them."""

    install_requires: str | list[Any] | tuple[Any, ...] | None
    """As written: a string (one requirement per line) or a list/tuple of strings."""
    extras_require: dict[Any, Any] | None
    """As written: extra (optionally `extra:marker`) -> string or list of strings."""
    python_requires: Any
    """As written (a string when well formed)."""


def _binder_names(node: ast.AST) -> list[str]:
    """Names that `node` binds or declares (any scope), for the bound-exactly-once rule."""
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [(node.asname or node.name).split(".")[0]]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names)
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    return []


def _tainted_name(node: ast.AST) -> str | None:
    """A name `node` may mutate or alias: `x.append(...)`, `x[0] = ...`, `y = x`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id
    if (isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)):
        return node.value.id
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and isinstance(
            node.value, ast.Name):
        return node.value.id
    return None


class _Scope:
    """Module-level names bound once to an expression, and the evaluator over them."""

    def __init__(self, tree: ast.Module) -> None:
        self.binds: Counter[str] = Counter()
        self.tainted: set[str] = set()
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in _DYNAMIC_CALLS):
                raise NotStatic(f"line {node.lineno}: it calls {node.func.id}(), which can "
                                "rebind any name at run time")
            self.binds.update(_binder_names(node))
            name = _tainted_name(node)
            if name is not None:
                self.tainted.add(name)
        self.defs: dict[str, ast.expr] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if isinstance(target, ast.Name):
                self.defs[target.id] = value
        self.elements = 0

    def value(self, node: ast.expr, depth: int = 0) -> Any:
        """The literal value of `node`, or `NotStatic` naming the first non-literal part."""
        self.elements += 1
        if depth > 50 or self.elements > MAX_ELEMENTS:
            raise NotStatic(f"line {node.lineno}: literal too deeply nested or too large")
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
            return node.value
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.value(element, depth + 1) for element in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            return self._dict(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._add(node, depth)
        if isinstance(node, ast.Name):
            return self.value(self._definition(node), depth + 1)
        raise NotStatic(f"line {node.lineno}: {type(node).__name__} expression is computed")

    def _dict(self, node: ast.Dict, depth: int) -> dict[Any, Any]:
        if any(key is None for key in node.keys):
            raise NotStatic(f"line {node.lineno}: dict unpacking (**) is computed")
        return {self.value(k, depth + 1): self.value(v, depth + 1)  # type: ignore[arg-type]
                for k, v in zip(node.keys, node.values, strict=True)}

    def _add(self, node: ast.BinOp, depth: int) -> Any:
        left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
        if type(left) is not type(right) or not isinstance(left, list | tuple | str):
            raise NotStatic(f"line {node.lineno}: '+' of {type(left).__name__} and "
                            f"{type(right).__name__}")
        return left + right

    def _definition(self, node: ast.Name) -> ast.expr:
        name = node.id
        if name not in self.defs or self.binds[name] != 1 or name in self.tainted:
            raise NotStatic(f"line {node.lineno}: {name!r} is not a module-level name bound "
                            "once to a literal")
        return self.defs[name]


def _is_setup_callee(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "setup"
    return isinstance(func, ast.Attribute) and func.attr == "setup" and (
        ast.unparse(func.value) in _SETUP_MODULES)


def _check_setup_binding(tree: ast.Module, scope: _Scope) -> None:
    """`setup` must be imported from setuptools / distutils.core and bound nowhere else."""
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and node.module in _SETUP_MODULES
               and any(alias.name == "setup" and alias.asname is None for alias in node.names)]
    if scope.binds["setup"] != len(imports) or not imports:
        raise NotStatic("'setup' is not simply imported from setuptools (it is rebound or "
                        "wrapped)")


def _setup_call(tree: ast.Module, scope: _Scope) -> ast.Call:
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and _is_setup_callee(node.func)]
    if len(calls) != 1:
        raise NotStatic(f"{'no' if not calls else len(calls)} setup() calls found; need one")
    if isinstance(calls[0].func, ast.Name):
        _check_setup_binding(tree, scope)
    return calls[0]


def read_setup_py(source: bytes, filename: str) -> SetupArgs:
    """The literal dependency keywords of the one `setup()` call in `source`."""
    try:
        tree = ast.parse(source, filename=filename)  # parse only: no bytecode, nothing run
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise NotStatic(f"it does not parse as Python ({type(exc).__name__})") from None
    scope = _Scope(tree)
    call = _setup_call(tree, scope)
    found: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            splat = scope.value(keyword.value)
            if not isinstance(splat, dict):
                raise NotStatic(f"line {keyword.value.lineno}: setup(**...) is not a dict")
            found.update({k: v for k, v in splat.items() if k in WANTED})
        elif keyword.arg in WANTED:
            found[keyword.arg] = scope.value(keyword.value)
    return SetupArgs(found.get("install_requires"), found.get("extras_require"),
                     found.get("python_requires"))
