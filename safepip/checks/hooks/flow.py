"""Where a value comes from: a small, intra-file taint analysis over `ast`.

Each function (and the module) is a scope holding every expression assigned to each name in
it. The origin of an expression is the union of the origins of what it is built from, looked up
through those bindings (bounded depth, cycles cut). Precise enough to see
`data = b64decode(...); exec of data`, cheap enough to run on every install-time file.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Callable, Iterable

from safepip.checks.hooks import places
from safepip.checks.hooks.calls import (
    ADDRESS_LOOKUPS,
    DECODER_SUFFIXES,
    DECODERS,
    DECODING_CODECS,
    FILE_OPEN,
    HOST_INFO,
    Aliases,
    is_network,
    is_process,
    literal_str,
)
from safepip.checks.hooks.walk import code_children, code_walk, walked_calls

_MAX_DEPTH = 24
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
        "getsockname",
        "getpeername",
        "fileno",
        "gettimeout",
        "getsockopt",
        "getcode",
        "geturl",
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
    SECRET = enum.auto()
    """An environment variable named like a secret (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN)."""
    HOST = enum.auto()
    """Host identity: user name, host name, MAC address."""
    OUTPUT = enum.auto()
    """What a process printed (`os.popen('env').read()`, `check_output(['whoami'])`): a
    description of the host."""
    OUTSIDE = enum.auto()
    """A place outside the source tree where droppers put things: the user's home, temp and
    application-data folders (os.path.expanduser, tempfile.gettempdir, %APPDATA%, ...)."""


_PARAMETER = ast.Name(id="<parameter>")
"""What a parameter is bound to: a name no scope binds, so its origin is opaque."""


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
        self._lookups: dict[str, list[ast.expr] | None] = {}
        """lookup() by name: the rules ask about the same names call after call. Valid as
        bindings, this scope's and its parents', never change once built."""
        self.callees: dict[str, str] = {}
        """What a call of a bare name here calls (PythonScan._name_callee), by the name: it
        depends only on the name and on what lookup() answers for it, fixed per scope."""

    @property
    def bindings(self) -> dict[str, list[ast.expr]]:
        """Built on first use: most scopes never need them."""
        if self._bindings is None:
            bindings: dict[str, list[ast.expr]] = {}
            self._bindings = bindings
            arguments = getattr(self.node, "args", None)
            if type(arguments) is ast.arguments:
                # A parameter is whatever the caller passes: it hides a same-named global.
                for group in (arguments.posonlyargs, arguments.args, arguments.kwonlyargs):
                    for argument in group:
                        bindings[argument.arg] = [_PARAMETER]
                for extra in (arguments.vararg, arguments.kwarg):
                    if extra is not None:
                        bindings[extra.arg] = [_PARAMETER]
                # A default is what the parameter holds unless a caller says otherwise:
                # `def f(run=os.system)` makes `run` os.system.
                if arguments.defaults:
                    positional = [*arguments.posonlyargs, *arguments.args]
                    for argument, default in zip(
                        positional[len(positional) - len(arguments.defaults):],
                        arguments.defaults, strict=True,
                    ):
                        bindings[argument.arg] = [_PARAMETER, default]
                for argument, given in zip(arguments.kwonlyargs, arguments.kw_defaults,
                                           strict=True):
                    if given is not None:
                        bindings[argument.arg] = [_PARAMETER, given]
            for child in self._binders:
                self._bind(bindings, child)
        return self._bindings

    def lookup(self, name: str) -> list[ast.expr] | None:
        known = self._lookups
        if name in known:
            return known[name]
        found = None
        scope: Scope | None = self
        while scope is not None:
            bindings = scope.bindings
            if name in bindings:
                found = bindings[name]
                break
            scope = scope.parent
        known[name] = found
        return found

    def _bind(self, bindings: dict[str, list[ast.expr]], node: ast.AST) -> None:
        kind = type(node)  # ast's node classes have no subclasses
        if kind is ast.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                self._target(bindings, target, node.value)  # type: ignore[attr-defined]
        elif kind in _VALUE_BINDERS and node.value:  # type: ignore[attr-defined]
            self._target(bindings, node.target, node.value)  # type: ignore[attr-defined]
        elif kind in _LOOP_BINDERS:
            self._target(bindings, node.target, node.iter)  # type: ignore[attr-defined]
        elif kind is ast.withitem and node.optional_vars is not None:  # type: ignore[attr-defined]
            self._target(bindings, node.optional_vars, node.context_expr)  # type: ignore[attr-defined]

    def _target(
        self, bindings: dict[str, list[ast.expr]], target: ast.expr, value: ast.expr
    ) -> None:
        kind = type(target)
        if kind is ast.Name:
            bindings.setdefault(target.id, []).append(value)  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List:
            elements = target.elts  # type: ignore[attr-defined]
            paired = type(value) in _SEQUENCE_TYPES and len(value.elts) == len(elements)  # type: ignore[attr-defined]
            for index, element in enumerate(elements):
                # `run, x = os.system, 1`: each name gets its own value when they pair up
                self._target(bindings, element, value.elts[index] if paired else value)  # type: ignore[attr-defined]


_VALUE_BINDERS = frozenset({ast.AnnAssign, ast.AugAssign, ast.NamedExpr})
_LOOP_BINDERS = frozenset({ast.For, ast.AsyncFor, ast.comprehension})
_SEQUENCE_TYPES = frozenset({ast.Tuple, ast.List})


_DETACHED = Scope(ast.Module(body=[], type_ignores=[]), None, [])
"""A scope binding nothing: values stored on `self` are traced without their method's names."""


class Tracer:
    """Computes the `Origin` of expressions in one file."""

    def __init__(
        self,
        aliases: Aliases,
        helpers: dict[str, ast.FunctionDef] | None = None,
        assignments: Callable[[], Iterable[ast.AST]] | None = None,
        binders_of: Callable[[ast.AST], Iterable[ast.AST]] | None = None,
        calls_of: Callable[[ast.AST], Iterable[ast.Call]] | None = None,
    ) -> None:
        self.aliases = aliases
        self._active: set[tuple[int, str]] = set()
        self._helpers = helpers or {}
        """The module's own functions by name: a call of one has the origin of what its
        body decodes or fetches (`def b64(s): return b64decode(s)`)."""
        self._helper_origins: dict[str, Origin] = {}
        self._senders: dict[str, bool] = {}
        self._writers: dict[str, bool] = {}
        self._assignments = assignments or (lambda: ())
        """Every binding node of the file (walk.file_scopes collects them in one pass)."""
        self._binders_of = binders_of or (lambda _node: ())
        """The binding nodes of one function (walk.file_scopes has them per scope)."""
        self._calls_of = calls_of or walked_calls
        """The calls in one function, in any order (walk.calls_under has them without a walk)."""
        self._members: dict[str, list[ast.expr]] | None = None
        self._member_origins: dict[str, Origin] = {}
        self.network_classes: frozenset[str] = frozenset()
        """The module's own classes derived from a network client (`class O(OpenerDirector)`):
        an instance is that client."""

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
            if node.attr in _PLATFORM_FIELDS and self._is_uname(node.value, scope):
                return Origin.NONE
            result = self.origin(node.value, scope, depth + 1)
            if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                result |= self._member(node.attr, depth)
            return result
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        if isinstance(node, ast.BinOp):
            return self._binop(node, scope, depth)
        if isinstance(node, ast.ListComp | ast.GeneratorExp) and (
            _xors(node.elt) or self._shifts(node, scope)
        ):
            return Origin.DECODED  # bytes(b ^ key for b in blob): an XOR loop decrypts
        return self._children(node, scope, depth)

    def _is_uname(self, node: ast.expr, scope: Scope) -> bool:
        """`platform.uname()` / `os.uname()`, directly or through a name bound once to it."""
        if isinstance(node, ast.Name):
            values = scope.lookup(node.id) or []
            node = values[0] if len(values) == 1 and isinstance(values[0], ast.expr) else node
        return isinstance(node, ast.Call) and self.aliases.qualify(node.func) in _UNAME_CALLS

    def text(self, node: ast.expr | None, scope: Scope, depth: int = 0) -> str:
        """The string `node` evaluates to as far as literals show it (a small constant
        propagation through names bound once, f-strings, `+`, `%`, joins, `.format` and
        os.path.join); an unknown part reads as `?`, `sys.executable` as `python`."""
        if node is None or depth > _MAX_DEPTH:
            return "?"
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bytes):
                return value.decode("utf-8", "replace")
            return value if isinstance(value, str) else str(value)
        qualified = self.aliases.qualify(node)
        if qualified == "sys.executable":
            return "python"
        if qualified in {"os.sep", "os.path.sep", "posixpath.sep"}:
            return "/"
        if isinstance(node, ast.Name):
            values = scope.lookup(node.id)
            key = (id(scope), "text:" + node.id)
            if not values or len(values) > 1 or key in self._active:
                return "?"
            self._active.add(key)
            try:
                return self.text(values[0], scope, depth + 1)
            finally:
                self._active.discard(key)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.text(v, scope, depth + 1) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.text(node.value, scope, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # Path / "name"
            return self.text(node.left, scope, depth + 1) + "/" + self.text(
                node.right, scope, depth + 1
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._percent_text(node, scope, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            # argv lists added up are words: `[python, "run.py"] + extra` is "python run.py ?"
            words = isinstance(node.left, ast.List | ast.Tuple) or isinstance(
                node.right, ast.List | ast.Tuple)
            return (self.text(node.left, scope, depth + 1) + (" " if words else "")
                    + self.text(node.right, scope, depth + 1))
        if isinstance(node, ast.List | ast.Tuple):
            return " ".join(self.text(e, scope, depth + 1) for e in node.elts)
        if isinstance(node, ast.Call):
            return self._call_text(node, scope, depth)
        if isinstance(node, ast.IfExp):  # `command if command else DEFAULT`
            return self._either(node.body, node.orelse, scope, depth)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            return self._either(node.values[0], node.values[1], scope, depth)  # `command or X`
        return "?"

    def _either(self, one: ast.expr, other: ast.expr, scope: Scope, depth: int) -> str:
        """A value chosen at run time between two: the one literals show when the other is
        unknown (a parameter and its default spelt in the body), else unknown."""
        texts = [self.text(one, scope, depth + 1), self.text(other, scope, depth + 1)]
        known = [text for text in texts if "?" not in text]
        return known[0] if len(known) == 1 else "?"

    def _call_text(self, node: ast.Call, scope: Scope, depth: int) -> str:
        func = node.func
        name = self.aliases.qualify(func) or ""
        parts = [self.text(a, scope, depth + 1) for a in node.args]
        if name in {"os.path.join", "posixpath.join", "ntpath.join"} or (
            name in {"pathlib.Path", "Path", "pathlib.PurePath", "PurePath"} and parts
        ):
            return "/".join(parts)
        if name in _SAME_TEXT and parts:
            return parts[0]
        if isinstance(func, ast.Attribute):
            receiver = self.text(func.value, scope, depth + 1)
            if func.attr == "join" and len(node.args) == 1:
                return receiver.join(parts[0].split(" ")) if parts[0] != "?" else "?"
            if func.attr == "format" and "{" in receiver:
                named = {k.arg: self.text(k.value, scope, depth + 1)
                         for k in node.keywords if k.arg}
                return _format_text(receiver, parts, named)
            if func.attr in {"substitute", "safe_substitute"} and isinstance(
                func.value, ast.Call
            ) and (self.aliases.qualify(func.value.func) or "") == "string.Template":
                template = self.text(func.value.args[0], scope, depth + 1) if (
                    func.value.args) else "?"
                named = {k.arg: self.text(k.value, scope, depth + 1)
                         for k in node.keywords if k.arg}
                return _TEMPLATE_FIELD.sub(
                    lambda m: named.get(m.group(1) or m.group(2), "?"), template)
            if func.attr in {"format", "strip", "lower", "replace", "encode", "decode"}:
                return receiver
            folded = places.path_method(receiver, func.attr, parts)
            if folded is not None:
                return folded
        return "?"

    def _percent_text(self, node: ast.BinOp, scope: Scope, depth: int) -> str:
        """`"%s %s" % (a, b)`: the fields filled with what the values spell (`?` unknown)."""
        template = self.text(node.left, scope, depth + 1)
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        texts = iter([self.text(v, scope, depth + 1) for v in values])
        return _PERCENT_FIELD.sub(
            lambda m: "%" if m.group(0) == "%%" else next(texts, "?"), template)

    def _member(self, attr: str, depth: int) -> Origin:
        """`self.attr`: what any method of the file stored there (`self.key = getenv(...)` in
        __init__, sent by another method). Names in those values are not followed (their
        scope is another method's), so each attribute is traced once per file."""
        if attr in self._member_origins:
            return self._member_origins[attr]
        self._member_origins[attr] = Origin.NONE  # a cycle through attributes adds nothing
        result = Origin.NONE
        for value in self.member_values(attr):
            result |= self.origin(value, _DETACHED, depth + 1)
        self._member_origins[attr] = result
        return result

    def member_values(self, attr: str) -> list[ast.expr]:
        """What any method of the file stores in `self.attr` (or `obj.attr`)."""
        if self._members is None:
            self._members = {}
            for node in self._assignments():
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                            self._members.setdefault(target.attr, []).append(node.value)
        return self._members.get(attr, [])

    def sends(self, name: str) -> bool:
        """Whether the module's own function `name` makes a network call (what it is given
        may go out)."""
        function = self._helpers.get(name)
        if function is None:
            return False
        if name not in self._senders:
            self._senders[name] = any(
                is_network(self.aliases.qualify(call.func) or "")
                for call in self._calls_of(function)
            )
        return self._senders[name]

    def writes(self, name: str) -> bool:
        """Whether the module's own function `name` writes files (what it is given may be a
        module it then imports or runs)."""
        function = self._helpers.get(name)
        if function is None:
            return False
        if name not in self._writers:
            self._writers[name] = any(
                isinstance(call.func, ast.Attribute)
                and call.func.attr in {"write", "write_bytes", "write_text"}
                for call in self._calls_of(function)
            )
        return self._writers[name]

    def helper(self, name: str) -> Origin:
        """What a call of the module's own function `name` returns: the origin of its return
        values in its own scope (parameters and globals are not followed)."""
        if name not in self._helper_origins:
            self._helper_origins[name] = Origin.NONE  # a recursive helper: cut the cycle
            function = self._helpers[name]
            scope = Scope(function, None, list(self._binders_of(function)))
            result = Origin.NONE
            for value in own_returns(function):
                result |= self.origin(value, scope)
            self._helper_origins[name] = result & ~Origin.OPAQUE
        return self._helper_origins[name]

    def _binop(self, node: ast.BinOp, scope: Scope, depth: int) -> Origin:
        # Flatten a + b + c once: nested BinOps would otherwise be walked again at each level.
        leaves: list[ast.expr] = []
        stack: list[ast.expr] = [node]
        xor = False
        while stack:
            item = stack.pop()
            if isinstance(item, ast.BinOp):
                stack.extend((item.left, item.right))
                xor = xor or isinstance(item.op, ast.BitXor)
            else:
                leaves.append(item)
        if xor:
            return Origin.DECODED  # data XOR-ed with a key: decryption one item at a time
        if sum(1 for leaf in leaves if _is_chr(leaf)) >= 3:
            return Origin.DECODED  # chr(105) + chr(109) + ... spells code one letter at a time
        result = Origin.NONE
        for leaf in leaves:
            result |= self.origin(leaf, scope, depth + 1)
        return result

    def _children(self, node: ast.AST, scope: Scope, depth: int) -> Origin:
        result = Origin.NONE
        for child in code_children(node):
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
            # one named variable, not the whole environment; a home or temp folder is a place
            return _env_variable(node.slice)
        result = self.origin(node.value, scope, depth + 1)
        step = node.slice.step if isinstance(node.slice, ast.Slice) else None
        if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub) and (
            result & Origin.LITERAL and _is_text(node.value, scope)
        ):
            # "..."[::-1]: literal text stored reversed hides what it says. Reversing data the
            # code computed (IPython's completer joins reversed tokens) or a list of names
            # (sympy's namespaces, searched last to first) hides nothing.
            result |= Origin.DECODED
        return result

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> Origin:
        name = self.aliases.qualify(node.func) or ""
        known = _known_call(name, node)
        if known is not None:
            return known
        if isinstance(node.func, ast.Name) and node.func.id in self.network_classes:
            return Origin.NETWORK
        if isinstance(node.func, ast.Name) and node.func.id in self._helpers:
            inner = self.helper(node.func.id)
            if inner:
                given = self._children_of_call(node, scope, depth)
                if inner & Origin.NETWORK:
                    # A fetcher returns the response: what it was given went into the request,
                    # and is judged where the helper is called as a sender (lxml's API token).
                    given &= ~(Origin.SECRET | Origin.ENV | Origin.HOST)
                return inner | given
        if isinstance(node.func, ast.Name):
            bound = scope.lookup(node.func.id) or []
            lambdas = [value for value in bound if isinstance(value, ast.Lambda)]
            if lambdas:  # f = lambda xs: "".join(map(chr, xs)): what its body makes
                result = self._children_of_call(node, scope, depth)
                for function in lambdas:
                    result |= self.origin(function.body, scope, depth + 1)
                return result
        if isinstance(node.func, ast.Attribute) and f".{node.func.attr}" in DECODER_SUFFIXES:
            return Origin.DECODED  # Fernet(key).decrypt(...), any cipher's decrypt
        if self._packs_text(node, name, scope):
            return Origin.DECODED
        if name in {"compile", "str", "bytes"} and node.args:
            return self.origin(node.args[0], scope, depth + 1)  # the source, not the file name
        if isinstance(node.func, ast.Attribute):
            if node.func.attr in CREDENTIAL_READS:
                return Origin.SECRET  # boto3.Session().get_credentials(): the keys themselves
            if node.func.attr in KEEPS_NOTHING:
                return Origin.NONE
            if node.func.attr in FILE_READS or (
                node.func.attr == "open" and names_a_path(node.func.value, scope, self.aliases)
            ):
                return Origin.FILE  # (root / "version.py").read_text(), tar.extractfile(m)
            if node.func.attr == "join" and node.args and _joins_chr(node.args[0]):
                return Origin.DECODED
            receiver = self.origin(node.func.value, scope, depth + 1)
            return receiver | self._children_of_call(node, scope, depth)
        # An unknown function of literals (`decode("...")`) makes something else of them.
        return self._children_of_call(node, scope, depth) | Origin.OPAQUE

    def _shifts(self, node: ast.ListComp | ast.GeneratorExp, scope: Scope) -> bool:
        """`bytes(b - 3 for b in blob)`: arithmetic on each item of literal text or of a
        literal list of numbers is a Caesar-style decoder."""
        if len(node.generators) != 1 or not isinstance(node.generators[0].target, ast.Name):
            return False
        loop = node.generators[0]
        variable = loop.target.id  # type: ignore[attr-defined]
        if not any(
            isinstance(sub, ast.BinOp)
            and isinstance(sub.op, ast.Add | ast.Sub | ast.Mod | ast.Mult | ast.FloorDiv)
            and any(isinstance(n, ast.Name) and n.id == variable for n in (sub.left, sub.right))
            for sub in code_walk(node.elt)
        ):
            return False
        source = _bound_once(loop.iter, scope)
        if isinstance(source, ast.Constant):
            return isinstance(source.value, str | bytes) and len(source.value) >= _SHORTEST_TEXT
        return _int_list(source) >= 16

    def _packs_text(self, node: ast.Call, name: str, scope: Scope) -> bool:
        """Text built from numbers or a substitution table rather than written: every number
        of a list packed at once (`struct.pack(fmt, *numbers)`), an integer too large to be a
        field turned into bytes, and `str.translate` through a table of many letters (a
        cipher; a normalisation maps a few characters)."""
        if name == "struct.pack" and any(isinstance(a, ast.Starred) for a in node.args):
            return True
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "to_bytes":
            number = func.value.value if isinstance(func.value, ast.Constant) else None
            return isinstance(number, int) and number >= 2**64
        if func.attr != "translate" or len(node.args) != 1:
            return False
        table = _bound_once(node.args[0], scope)
        if not (isinstance(table, ast.Call) and isinstance(table.func, ast.Attribute)
                and table.func.attr == "maketrans" and table.args):
            return False
        letters = table.args[0]
        size = len(letters.keys) if isinstance(letters, ast.Dict) else len(
            letters.value) if isinstance(letters, ast.Constant) and isinstance(
            letters.value, str | bytes) else 0
        return size >= _CIPHER_LETTERS

    def _children_of_call(self, node: ast.Call, scope: Scope, depth: int) -> Origin:
        result = Origin.NONE
        for argument in node.args:
            result |= self.origin(argument, scope, depth + 1)
        for keyword in node.keywords:
            result |= self.origin(keyword.value, scope, depth + 1)
        return result


_UNAME_CALLS = frozenset({"platform.uname", "os.uname"})
_PLATFORM_FIELDS = frozenset({"system", "sysname", "release", "version", "machine", "processor"})
"""Fields of a uname() result that describe the platform (what pip's own User-Agent tells
every index), not who or which machine it is: `node`/`nodename` keep their host origin."""

FILE_READS = frozenset({"read_text", "read_bytes", "extractfile"})
"""Methods that return a file's contents (pathlib, an archive's member) whatever the receiver."""


_PATH_TYPES = frozenset({"pathlib.Path", "Path", "pathlib.PurePath", "PurePath"})
_PATH_STEPS = frozenset({"joinpath", "with_name", "with_suffix", "with_stem", "resolve",
                         "absolute", "expanduser"})


def names_a_path(node: ast.expr, scope: Scope, aliases: Aliases, depth: int = 0) -> bool:
    """`node` is a pathlib path (`root / "about.py"`, `Path(x)`, `p.with_suffix(".py")`,
    `p.parent`, or a name bound once to one): its `.open()` opens a file."""
    if isinstance(node, ast.Name) and depth < 3:
        bound = scope.lookup(node.id) or []
        return len(bound) == 1 and isinstance(bound[0], ast.expr) and names_a_path(
            bound[0], scope, aliases, depth + 1)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div)
    if isinstance(node, ast.Attribute):
        return node.attr == "parent"
    if isinstance(node, ast.Call):
        func = node.func
        return aliases.qualify(func) in _PATH_TYPES or (
            isinstance(func, ast.Attribute) and func.attr in _PATH_STEPS)
    return False


def _known_call(name: str, node: ast.Call) -> Origin | None:
    if name in DECODERS or name.endswith(DECODER_SUFFIXES):
        return Origin.DECODED
    if name in OUTSIDE_CALLS:
        return Origin.OUTSIDE
    if name in _LOOKUPS:
        return Origin.NONE  # a program found on PATH: installed software, not a payload
    if name in ENV_READS and node.args:
        return _env_variable(node.args[0])
    if name.endswith(".decode") and node.args:
        codec = literal_str(node.args[0])
        if codec and codec.lower().replace("-", "_") in DECODING_CODECS:
            return Origin.DECODED
    if name in ADDRESS_LOOKUPS:
        return Origin.NONE  # the system resolver answers with addresses, never with content
    if is_network(name):
        return Origin.NETWORK
    if is_process(name):
        return Origin.OUTPUT
    if name in HOST_INFO:
        return Origin.HOST
    if name in FILE_OPEN or name.endswith((".read_text", ".read_bytes")):
        return Origin.FILE
    if name in {"bytes", "bytearray"} and node.args and _int_list(node.args[0]) >= 16:
        return Origin.DECODED
    return None


_LOOKUPS = frozenset(
    {"shutil.which", "distutils.spawn.find_executable", "which", "find_executable"}
)
_SAME_TEXT = frozenset(
    {"str", "shlex.join", "os.path.expanduser", "os.path.expandvars", "os.path.abspath",
     "os.path.realpath", "os.path.normpath", "pathlib.Path", "Path", "os.fspath",
     "shutil.which", "distutils.spawn.find_executable"}
)
"""Calls whose result spells the same path or text as their first argument (a program found
on PATH is that program)."""

OUTSIDE_CALLS = frozenset(
    {
        "os.path.expanduser",
        "os.path.expandvars",
        "pathlib.Path.home",
        "Path.home",
        "tempfile.gettempdir",
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
        "site.getsitepackages",
        "site.getusersitepackages",
        "distutils.sysconfig.get_python_lib",
    }
)
"""Calls that name a folder outside the source tree (the user's, or a shared temp folder)."""
ENV_READS = frozenset({"os.environ.get", "os.getenv", "os.environ.__getitem__"})
_OUTSIDE_VARIABLES = frozenset(
    {"temp", "tmp", "tmpdir", "appdata", "localappdata", "userprofile", "home", "homepath",
     "programdata", "public", "startup"}
)


CREDENTIAL_READS = frozenset({"get_credentials", "get_frozen_credentials"})
"""Methods of cloud SDK sessions (boto3, botocore) that return the credentials they found in
the environment or the user's config: as secret as the variables they come from."""
_SECRET_VARIABLE = re.compile(
    r"KEY|SECRET|TOKEN|PASSW|PASSWD|CREDENTIAL|AUTH|SESSION|COOKIE|WEBHOOK", re.IGNORECASE
)
"""Names of environment variables that hold secrets (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN)."""


def _env_variable(node: ast.expr) -> Origin:
    """One environment variable: a place (a home or temp folder), a secret, or neither."""
    if _names_outside(node):
        return Origin.OUTSIDE
    text = literal_str(node)
    return Origin.SECRET if text is not None and _SECRET_VARIABLE.search(text) else Origin.NONE


def _names_outside(node: ast.expr) -> bool:
    text = literal_str(node)
    return text is not None and text.lower() in _OUTSIDE_VARIABLES


_PERCENT_FIELD = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdirfxXoc]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
_TEMPLATE_FIELD = re.compile(r"\$(?:(\w+)|\{(\w+)\})")


def _format_text(template: str, positional: list[str], named: dict[str, str]) -> str:
    """`"{} {}".format(a, b)`, `"{0}"`, `"{name}"`: the fields filled (`?` unknown)."""
    counter = iter(range(len(positional) + 64))

    def field(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in {"{{", "}}"}:
            return whole[0]
        key = match.group(1) or ""
        if not key:
            index = next(counter)
            return positional[index] if index < len(positional) else "?"
        if key.isdigit():
            return positional[int(key)] if int(key) < len(positional) else "?"
        return named.get(key, "?")

    return _FORMAT_FIELD.sub(field, template)


_SHORTEST_TEXT = 8
"""Shorter literal text shifted item by item is not hiding a command or code."""
_CIPHER_LETTERS = 10
"""A translate table mapping this many characters substitutes an alphabet."""


def _bound_once(node: ast.expr, scope: Scope) -> ast.expr:
    """The value a name is bound to when it is bound once, else the node itself."""
    if isinstance(node, ast.Name):
        values = scope.lookup(node.id) or []
        if len(values) == 1:
            return values[0]
    return node


def _xors(node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.BitXor) for sub in code_walk(node)
    )


def _is_text(node: ast.expr, scope: Scope) -> bool:
    """`node` is a string: a str/bytes literal, an f-string or a `+` of them, directly or
    through a name bound once."""
    for _ in range(4):
        if isinstance(node, ast.Name):
            values = scope.lookup(node.id) or []
            if len(values) != 1:
                return False
            node = values[0]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            node = node.left
        else:
            break
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    return isinstance(node, ast.JoinedStr)


def own_returns(function: ast.FunctionDef) -> list[ast.expr]:
    """The values `function` itself returns (not those of functions defined inside it)."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            found.append(node.value)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                            | ast.Lambda):
            stack.extend(code_children(node))
    return found


def _is_chr(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "chr"


def _chr_calls(node: ast.AST) -> int:
    return sum(1 for sub in code_walk(node) if _is_chr(sub))


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
