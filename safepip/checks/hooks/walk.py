"""One pass over a scope's part of a tree: the nodes the rules look at, and the bindings.

`ast.iter_child_nodes` inspects every field of every node (names, contexts, operators) and the
scanner used to walk each scope twice (once for the rules, once for the tracer's bindings).
Here each node's children come from a per-type table of the fields that can hold code (no
contexts, operators, identifiers or import aliases), and leaves stop the descent. The visiting
order is that of the former walk (a stack: last child first), so the order of hits and of
tracer queries is unchanged (tests/checks/test_walk.py compares the two on stdlib sources).
"""

from __future__ import annotations

import ast
import operator
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
"""Nodes that open a scope of their own (their children belong to it, decorators included)."""

_NOT_CODE = frozenset(
    {
        "ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "kind",
        "conversion", "is_async", "type_comment", "type_ignores", "simple", "tag", "lineno",
        "kwd_attrs", "rest", "name", "names", "n", "s",
    }
)
"""Fields that hold names, flags, contexts or operators: nothing a rule or a binding reads.
(`names` of Import are aliases, handled by the import event; `name` is a string in 3.11.)"""

_BINDERS = (
    ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor,
    ast.comprehension, ast.withitem,
)
"""Nodes that bind a name in their scope (flow.Scope reads them on demand)."""

_EVENTS = (ast.Call, ast.Import, ast.ImportFrom, ast.For, ast.comprehension)
"""Nodes a rule looks at (string literals are decided one by one)."""

_LEAVES = (ast.Name, ast.Constant, ast.Import, ast.ImportFrom, ast.Pass, ast.Break, ast.Continue)
"""Nodes whose children (if any) nothing reads."""

EVENT, BINDER, LEAF, SCOPE = 1, 2, 4, 8
SCOPE_TYPES = frozenset(SCOPES)
"""SCOPES, to ask `type(node) in SCOPE_TYPES` (ast's node classes have no subclasses)."""


def _all_node_types() -> list[type[ast.AST]]:
    found: list[type[ast.AST]] = []
    pending: list[type[ast.AST]] = [ast.AST]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def _code_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    if issubclass(kind, _LEAVES) or kind is ast.MatchSingleton:
        return ()
    return tuple(name for name in kind._fields if name not in _NOT_CODE)


def _role(kind: type[ast.AST]) -> int:
    role = EVENT if issubclass(kind, _EVENTS) else 0
    role |= BINDER if issubclass(kind, _BINDERS) else 0
    role |= LEAF if issubclass(kind, _LEAVES) else 0
    return role | (SCOPE if issubclass(kind, SCOPES) else 0)


_TYPES = _all_node_types()
CODE_FIELDS: dict[type, tuple[str, ...]] = {kind: _code_fields(kind) for kind in _TYPES}
"""Per node type, the fields that may hold child nodes, in `_fields` order."""
CODE_FIELDS[type(None)] = ()  # Dict.keys and arguments.kw_defaults hold None for gaps
ROLES: dict[type, int] = {kind: role for kind in _TYPES if (role := _role(kind))}
CODE_PLANS: dict[type, tuple[Callable[[ast.AST], Any] | None, bool]] = {
    kind: (operator.attrgetter(*fields) if fields else None, len(fields) > 1)
    for kind, fields in CODE_FIELDS.items()
}
"""Per node type, one getter of all its CODE_FIELDS at once (a tuple when there are several,
else the one value; None for none), and whether there are several: one C call instead of a
getattr per field."""
_PLANS: dict[type, tuple[int, Callable[[ast.AST], Any] | None, bool]] = {
    kind: (ROLES.get(kind, 0), fetch, several) for kind, (fetch, several) in CODE_PLANS.items()
}
"""CODE_PLANS with each type's role, for scope_nodes."""


@dataclass
class ScopeNodes:
    """What one scope holds, in visiting order, nested scopes not entered."""

    events: list[ast.AST] = field(default_factory=list)
    """Calls, imports, loops, interesting string literals and nested scope nodes."""
    binders: list[ast.AST] = field(default_factory=list)
    """Assignments and other binding nodes, for flow.Scope."""


def file_scopes(tree: ast.Module) -> dict[int, ScopeNodes]:
    """`scope_nodes` of the module and of every scope nested in it, by id() of the scope node
    (the tree, which the caller holds, keeps those ids valid)."""
    found: dict[int, ScopeNodes] = {}
    pending: list[ast.AST] = [tree]
    while pending:
        scope = pending.pop()
        nodes = found[id(scope)] = scope_nodes(scope)
        pending.extend(node for node in nodes.events if type(node) in SCOPE_TYPES)
    return found


def calls_under(scopes: dict[int, ScopeNodes], node: ast.AST) -> list[ast.Call]:
    """The calls among `code_walk(node)`'s nodes, in no particular order, for a scope node of
    `scopes`: its events and those of the scopes nested in it hold every call beneath it (a
    docstring or a leaf holds none), so no walk over all of its nodes is needed."""
    found: list[ast.Call] = []
    pending: list[ast.AST] = [node]
    while pending:
        for event in scopes[id(pending.pop())].events:
            kind = type(event)
            if kind is ast.Call:
                found.append(event)  # type: ignore[arg-type]
            elif kind in SCOPE_TYPES:
                pending.append(event)
    return found


def literal_texts(scopes: dict[int, ScopeNodes]) -> list[str]:
    """The string literals among the events, in no particular order (every literal among
    them is a string: scope_nodes keeps no other)."""
    constant = ast.Constant
    return [
        node.value  # type: ignore[misc]
        for nodes in scopes.values()
        for node in nodes.events
        if type(node) is constant
    ]


def scope_nodes(scope: ast.AST) -> ScopeNodes:
    """The events (every string literal among them) and binders under `scope`."""
    found = ScopeNodes()
    events, binders = found.events, found.binders
    stack: list[ast.AST] = [scope]
    # The hot loop of the scanner: locals instead of globals, children pushed inline, the
    # most common nodes (names, attributes, literals) decided first.
    pop, push, push_all = stack.pop, stack.append, stack.extend
    plans = _PLANS
    name, attribute, constant, expression = ast.Name, ast.Attribute, ast.Constant, ast.Expr
    while stack:
        node = pop()
        kind = type(node)
        if kind is name:
            continue  # a leaf
        if kind is attribute:
            push(node.value)  # type: ignore[attr-defined]  # its one code field
            continue
        if kind is constant:
            if type(node.value) is str:  # type: ignore[attr-defined]
                events.append(node)
            continue
        role, fetch, several = plans[kind]
        if role and node is not scope:
            if role & (EVENT | SCOPE):
                events.append(node)
            if role & BINDER:
                binders.append(node)
            if role & (LEAF | SCOPE):
                continue
        elif kind is expression and type(node.value) is constant:  # type: ignore[attr-defined]
            continue  # docstrings are prose, not code
        if several:
            for child in fetch(node):  # type: ignore[misc]
                if type(child) is list:
                    push_all(child)
                elif child is not None:
                    push(child)
        elif fetch is not None:
            child = fetch(node)
            if type(child) is list:
                push_all(child)
            elif child is not None:
                push(child)
    return found


def walked_calls(node: ast.AST) -> list[ast.Call]:
    """The calls among `code_walk(node)`'s nodes: `calls_under` for a node outside the
    scopes already collected."""
    return [sub for sub in code_walk(node) if isinstance(sub, ast.Call)]


def code_children(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.iter_child_nodes` without the nodes that hold no code (contexts, operators, import
    aliases): the same children, in the same order, for every reader of code nodes."""
    for name in CODE_FIELDS[type(node)]:
        child = getattr(node, name)
        if type(child) is list:
            yield from (item for item in child if item is not None)
        elif child is not None:
            yield child


def code_walk(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk` (breadth first, same order) over the code nodes only: a rule that looks for
    calls, names, assignments or statements sees exactly what `ast.walk` would show it, at a
    fraction of the cost (every Name's Load context, every operator, is skipped)."""
    todo = deque([node])
    pop, push, push_all = todo.popleft, todo.append, todo.extend
    fields_of = CODE_FIELDS
    while todo:
        node = pop()
        if node is None:  # a gap in Dict.keys or arguments.kw_defaults
            continue
        for name in fields_of[type(node)]:
            child = getattr(node, name)
            if type(child) is list:
                push_all(child)
            elif child is not None:
                push(child)
        yield node
