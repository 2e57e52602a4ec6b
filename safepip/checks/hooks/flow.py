"""Where a value comes from: a small, intra-file taint analysis over `ast`.

Each function (and the module) is a scope holding every expression assigned to each name in
it. The origin of an expression is the union of the origins of what it is built from, looked up
through those bindings (bounded depth, cycles cut). Precise enough to see
`data = b64decode(...); exec of data`, cheap enough to run on every install-time file.
"""

from __future__ import annotations

import ast
import enum

from safepip.checks.hooks.calls import (
    DECODER_SUFFIXES,
    DECODERS,
    DECODING_CODECS,
    FILE_OPEN,
    HOST_INFO,
    Aliases,
    is_network,
    literal_str,
)

_MAX_DEPTH = 8
KEEPS_NOTHING = frozenset(
    {
        "get",
        "setdefault",
        "pop",
        "startswith",
        "endswith",
        "count",
        "find",
        "index",
        "exists",
        "isfile",
        "isdir",
        "__contains__",
    }
)
"""Methods whose result says nothing about the receiver's content (os.environ.get, ...)."""


class Origin(enum.Flag):
    NONE = 0
    LITERAL = enum.auto()
    """Built from string literals."""
    OPAQUE = enum.auto()
    """Depends on something the analysis cannot see (a parameter, an unknown call)."""
    DECODED = enum.auto()
    """Passed through base64/zlib/marshal/codecs/fromhex, reversal or a chr() chain."""
    NETWORK = enum.auto()
    """Came from a network call."""
    FILE = enum.auto()
    """Read from a file."""
    ENV = enum.auto()
    """The whole environment (os.environ as a mapping)."""
    HOST = enum.auto()
    """Host identity: user name, host name, MAC address."""


class Scope:
    """Bindings of one function, class body or module."""

    def __init__(self, node: ast.AST, parent: Scope | None, binders: list[ast.AST]) -> None:
        self.node = node
        self.parent = parent
        self._binders = binders
        """The scope's binding nodes in visiting order (walk.scope_nodes collects them)."""
        self._bindings: dict[str, list[ast.expr]] | None = None
        self.memo: dict[str, Origin] = {}
        """Origins of names already traced from this scope. Kept on the scope, not keyed by
        id(scope) in the tracer: a finished scope's id is reused by the next one."""

    @property
    def bindings(self) -> dict[str, list[ast.expr]]:
        """Built on first use: most scopes never need them."""
        if self._bindings is None:
            self._bindings = {}
            for child in self._binders:
                self._bind(child)
        return self._bindings

    def lookup(self, name: str) -> list[ast.expr] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return None

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._target(target, node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
            self._target(node.target, node.value)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self._target(node.target, node.iter)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._target(node.optional_vars, node.context_expr)

    def _target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element, value)


class Tracer:
    """Computes the `Origin` of expressions in one file."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self._active: set[tuple[int, str]] = set()

    def origin(self, node: ast.expr, scope: Scope, depth: int = 0) -> Origin:
        if depth > _MAX_DEPTH:
            return Origin.OPAQUE
        if isinstance(node, ast.Constant):
            return Origin.LITERAL if isinstance(node.value, str | bytes) else Origin.NONE
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            if self.aliases.qualify(node) == "os.environ":
                return Origin.ENV
            return self.origin(node.value, scope, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        if isinstance(node, ast.BinOp):
            return self._binop(node, scope, depth)
        return self._children(node, scope, depth)

    def _binop(self, node: ast.BinOp, scope: Scope, depth: int) -> Origin:
        # Flatten a + b + c once: nested BinOps would otherwise be walked again at each level.
        leaves: list[ast.expr] = []
        stack: list[ast.expr] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, ast.BinOp):
                stack.extend((item.left, item.right))
            else:
                leaves.append(item)
        if sum(1 for leaf in leaves if _is_chr(leaf)) >= 3:
            return Origin.DECODED  # chr(105) + chr(109) + ... spells code one letter at a time
        result = Origin.NONE
        for leaf in leaves:
            result |= self.origin(leaf, scope, depth + 1)
        return result

    def _children(self, node: ast.AST, scope: Scope, depth: int) -> Origin:
        result = Origin.NONE
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                result |= self.origin(child, scope, depth + 1)
            elif isinstance(child, ast.keyword | ast.comprehension):
                result |= self._children(child, scope, depth + 1)
        return result

    def _name(self, name: str, scope: Scope, depth: int) -> Origin:
        values = scope.lookup(name)
        if values is None:
            return Origin.OPAQUE
        if name in scope.memo:
            return scope.memo[name]
        key = (id(scope), name)  # scope is alive (on the call stack) while key is active
        if key in self._active:
            return Origin.NONE
        self._active.add(key)
        try:
            result = Origin.NONE
            for value in values:
                result |= self.origin(value, scope, depth + 1)
        finally:
            self._active.discard(key)
        scope.memo[name] = result
        return result

    def _subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Origin:
        if self.aliases.qualify(node.value) == "os.environ":
            return Origin.NONE  # one named variable, not the whole environment
        result = self.origin(node.value, scope, depth + 1)
        step = node.slice.step if isinstance(node.slice, ast.Slice) else None
        if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub) and (
            result & Origin.LITERAL
        ):
            # "..."[::-1]: literal text stored reversed hides what it says. Reversing data the
            # code computed (IPython's completer joins reversed tokens) hides nothing.
            result |= Origin.DECODED
        return result

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> Origin:
        name = self.aliases.qualify(node.func) or ""
        known = _known_call(name, node)
        if known is not None:
            return known
        if name in {"compile", "str", "bytes"} and node.args:
            return self.origin(node.args[0], scope, depth + 1)  # the source, not the file name
        if isinstance(node.func, ast.Attribute):
            if node.func.attr in KEEPS_NOTHING:
                return Origin.NONE
            if node.func.attr == "join" and node.args and _joins_chr(node.args[0]):
                return Origin.DECODED
            receiver = self.origin(node.func.value, scope, depth + 1)
            return receiver | self._children_of_call(node, scope, depth)
        arguments = self._children_of_call(node, scope, depth)
        return arguments or Origin.OPAQUE

    def _children_of_call(self, node: ast.Call, scope: Scope, depth: int) -> Origin:
        result = Origin.NONE
        for argument in node.args:
            result |= self.origin(argument, scope, depth + 1)
        for keyword in node.keywords:
            result |= self.origin(keyword.value, scope, depth + 1)
        return result


def _known_call(name: str, node: ast.Call) -> Origin | None:
    if name in DECODERS or name.endswith(DECODER_SUFFIXES):
        return Origin.DECODED
    if name.endswith(".decode") and node.args:
        codec = literal_str(node.args[0])
        if codec and codec.lower().replace("-", "_") in DECODING_CODECS:
            return Origin.DECODED
    if is_network(name):
        return Origin.NETWORK
    if name in HOST_INFO:
        return Origin.HOST
    if name in FILE_OPEN or name.endswith((".read_text", ".read_bytes")):
        return Origin.FILE
    if name in {"bytes", "bytearray"} and node.args and _int_list(node.args[0]) >= 16:
        return Origin.DECODED
    return None


def _is_chr(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "chr"


def _chr_calls(node: ast.AST) -> int:
    return sum(1 for sub in ast.walk(node) if _is_chr(sub))


def _joins_chr(argument: ast.expr) -> bool:
    if isinstance(argument, ast.GeneratorExp | ast.ListComp):
        return _chr_calls(argument.elt) > 0
    if isinstance(argument, ast.Call) and isinstance(argument.func, ast.Name):
        return (
            argument.func.id == "map"
            and bool(argument.args)
            and (isinstance(argument.args[0], ast.Name) and argument.args[0].id == "chr")
        )
    return False


def _int_list(node: ast.expr) -> int:
    if isinstance(node, ast.List | ast.Tuple):
        return sum(1 for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, int))
    return 0
