"""walk.scope_nodes against the plain walk it replaced (ast.iter_child_nodes, last child first):
same events and binding nodes, in the same order, on real sources (parts of the stdlib)."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import inspect
import json
import typing
from types import ModuleType

import pytest

from safepip.checks.hooks import walk

_EVENTS = (ast.Call, ast.Import, ast.ImportFrom, ast.For, ast.comprehension, *walk.SCOPES)
_BINDERS = (
    ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor,
    ast.comprehension, ast.withitem,
)


def _reference(scope: ast.AST) -> tuple[list[ast.AST], list[ast.AST]]:
    """The former traversal: every child through ast.iter_child_nodes, docstrings skipped."""
    events: list[ast.AST] = []
    binders: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, _BINDERS):
            binders.append(node)
        if isinstance(node, _EVENTS) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            events.append(node)
        if isinstance(node, walk.SCOPES):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return events, binders


@pytest.mark.parametrize("module", [ast, asyncio.base_events, dataclasses, inspect, json, typing])
def test_scope_nodes_match_the_former_walk(module: ModuleType) -> None:
    tree = ast.parse(inspect.getsource(module))
    scopes = walk.file_scopes(tree)
    every_scope = [tree, *(n for n in ast.walk(tree) if isinstance(n, walk.SCOPES))]
    assert len(scopes) == len(every_scope)
    for scope in every_scope:
        found = scopes[id(scope)]
        events, binders = _reference(scope)
        assert found.events == events
        assert found.binders == binders


def test_docstrings_and_names_are_not_events() -> None:
    tree = ast.parse('"""doc"""\ndef f(a: int = g()) -> "x":\n    "doc"\n    return h(a)\n')
    scopes = walk.file_scopes(tree)
    function = tree.body[1]
    assert [type(n).__name__ for n in scopes[id(tree)].events] == ["FunctionDef"]
    events = [ast.unparse(n) for n in scopes[id(function)].events]
    assert events == ["'x'", "h(a)", "g()"]  # last field first: returns, body, args
