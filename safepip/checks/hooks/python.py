"""One Python file, read with `ast` only: the calls, literals and classes the rules judge.

The file is parsed, never imported, compiled to bytecode or run. `PythonScan.hits` are
install-time judgements; the caller lowers them for import-time code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from safepip.checks.hooks import judge
from safepip.checks.hooks.calls import (
    DECODERS,
    EXEC_BUILTINS,
    Aliases,
    is_network,
    is_process,
    literal_str,
)
from safepip.checks.hooks.flow import Origin, Scope, Tracer
from safepip.checks.hooks.patterns import (
    SENSITIVE_PATH,
    SHELL_DOWNLOADER,
    SHELL_HOSTILE,
    WEBHOOK,
    has_literal_hints,
    looks_encoded,
)
from safepip.checks.hooks.rules import RULES
from safepip.checks.hooks.walk import SCOPES, file_scopes, literal_texts
from safepip.findings import Severity

_LONG_LINE = 2000
_OWN_NAME = frozenset({"socket.gethostname", "socket.getfqdn", "platform.node"})
"""Calls that name this machine: as a connection's address, they point back at it."""
_SHORTEST_WEBHOOK = 7
"""No WEBHOOK match is shorter ("oast.me"; tests/checks/test_python_scan.py checks the pattern)."""
_SENDS = frozenset({"send", "sendall", "sendto", "post", "put", "request", "urlopen", "open"})
_DUMPERS = frozenset({"dict", "str", "repr", "list", "sorted", "json.dumps", "pprint.pformat"})
_COMMAND_BASES = frozenset(
    {
        "install",
        "develop",
        "egg_info",
        "build_py",
        "build_ext",
        "build",
        "sdist",
        "bdist_wheel",
        "bdist_egg",
        "install_lib",
        "install_scripts",
        "install_data",
        "build_clib",
        "easy_install",
    }
)


@dataclass(frozen=True)
class Hit:
    """A rule that fired in one file, before package and path are attached."""

    rule: str
    """Rule id."""
    severity: Severity
    """Install-time severity."""
    line: int | None
    """1-based line."""
    message: str
    """One sentence: what was seen."""
    evidence: str | None = None
    """The offending source line, shortened."""


@dataclass
class _Facts:
    """What one scope does, for rules that need several things together."""

    network: list[ast.Call] = field(default_factory=list)
    process: list[ast.Call] = field(default_factory=list)
    write: list[ast.Call] = field(default_factory=list)
    environment: list[ast.AST] = field(default_factory=list)


class PythonScan:
    """Scans one parsed module; results in `hits`, `imports` and `console_scripts`."""

    def __init__(self, source: str, tree: ast.Module) -> None:
        self.lines = source.splitlines()
        self.aliases = Aliases(tree)
        self.tracer = Tracer(self.aliases)
        self.hits: list[Hit] = []
        self.imports: set[str] = set()
        self.console_scripts: list[tuple[str, int]] = []
        # Literal values, not the source, are asked about hints: `"~/\\x2essh"` hides its hint
        # from the source text but not from the parser.
        self._scopes = file_scopes(tree)
        self._hinted = _hinted_texts(literal_texts(self._scopes))
        self._local_defs = {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        self._commands: list[tuple[ast.ClassDef, str]] = []
        self._classes: dict[str, ast.ClassDef] = {}
        self._cmdclass: dict[str, str] = {}
        self._visit_scope(tree, None)
        self._file_rules()

    def evidence(self, node: ast.AST) -> str | None:
        line: int | None = getattr(node, "lineno", None)
        if line is None or not 0 < line <= len(self.lines):
            return None
        text = self.lines[line - 1].strip()
        return text if len(text) <= 200 else text[:197] + "..."

    def hit(self, rule: str, node: ast.AST, message: str, severity: Severity | None = None) -> None:
        chosen = RULES[rule].severity if severity is None else severity
        self.hits.append(
            Hit(rule, chosen, getattr(node, "lineno", None), message, self.evidence(node))
        )

    def _visit_scope(self, node: ast.AST, parent: Scope | None) -> None:
        found = self._scopes[id(node)]
        scope = Scope(node, parent, found.binders)
        facts = _Facts()
        for child in found.events:
            if isinstance(child, SCOPES):
                # Decorators, defaults and bases run at definition time; the inner visit covers
                # them (every child of the scope node).
                self._on_scope_node(child)
                self._visit_scope(child, scope)
            else:
                self._on_node(child, scope, facts)
        judge.scope_rules(self, facts.network, facts.process, facts.write)
        if facts.network and facts.environment:
            self.hit(
                "hook/env-exfiltration",
                facts.environment[0],
                "reads the whole environment in a function that also uses the network",
                Severity.MEDIUM,
            )

    def _on_scope_node(self, node: ast.AST) -> None:
        self._decorators(node)
        if isinstance(node, ast.ClassDef):
            self._classes[node.name] = node
            for base in node.bases:
                name = (self.aliases.qualify(base) or "").rsplit(".", 1)[-1].lstrip("_")
                if name in _COMMAND_BASES:
                    self._commands.append((node, name))
                    break

    def _decorators(self, node: ast.AST) -> None:
        """`@exec` over `@zlib.decompress`: decorators are calls too, applied inside out."""
        names = [self.aliases.qualify(d) or "" for d in getattr(node, "decorator_list", [])]
        for index, name in enumerate(names):
            if name in EXEC_BUILTINS:
                inner = names[index + 1 :]
                if any(n in DECODERS for n in inner):
                    self.hit("hook/exec-obfuscated", node, "runs decoded data through decorators")
                else:
                    self.hit("hook/dynamic-exec", node, "runs a definition through a decorator")

    def _on_node(self, node: ast.AST, scope: Scope, facts: _Facts) -> None:
        """One event of walk.scope_nodes."""
        if isinstance(node, ast.Call):
            self._on_call(node, scope, facts)
        elif isinstance(node, ast.Constant):
            self._on_literal(node)
        elif isinstance(node, ast.Import):
            self.imports.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            self.imports.add(node.module)
            self.imports.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.For | ast.comprehension) and self._is_environ(node.iter):
            facts.environment.append(node.iter)

    def _on_call(self, node: ast.Call, scope: Scope, facts: _Facts) -> None:
        name = self._callee(node.func, scope)
        if name in EXEC_BUILTINS and name in self._local_defs:
            name = f"<local>.{name}"  # a module's own compile(), not the builtin
        if name == "execfile" and node.args:
            judge.exec_call(self, node, Origin.FILE)  # runs a file by name
        elif name in EXEC_BUILTINS and node.args:
            judge.exec_call(self, node, self.tracer.origin(node.args[0], scope))
        elif is_process(name):
            facts.process.append(node)
            judge.process_call(self, node, name, self._command_origin(node, scope))
        elif is_network(name):
            facts.network.append(node)
            judge.network_call(
                self,
                node,
                name,
                self.tracer.origin(node, scope) | self._sent_origin(node, scope),
            )
        else:
            self._on_other_call(node, name, facts)
            self._socket_send(node, scope)
        if name.endswith("setup"):
            self._setup_call(node)
        if self._dumps_environment(node, name):
            facts.environment.append(node)

    def _callee(self, func: ast.expr, scope: Scope) -> str:
        """Qualified name of the called function, also through a local variable that holds a
        dangerous callable (`run = getattr(builtins, "exec")`, `go = subprocess.call`)."""
        name = self.aliases.qualify(func) or ""
        if isinstance(func, ast.Name) and name == func.id and name not in EXEC_BUILTINS:
            for value in scope.lookup(func.id) or []:
                target = self.aliases.qualify(value) or ""
                if target in EXEC_BUILTINS or is_process(target) or is_network(target):
                    return target
        return name

    def _socket_send(self, node: ast.Call, scope: Scope) -> None:
        """`conn.sendall(data)` on a connection: what is sent matters (host data, environment)."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _SENDS):
            return
        if not self.tracer.origin(func.value, scope) & Origin.NETWORK:
            return
        if self._arguments_origin(node, scope) & (Origin.ENV | Origin.HOST):
            self.hit("hook/env-exfiltration", node,
                     f"{func.attr} sends environment or host data over a connection",
                     Severity.CRITICAL)

    def _on_other_call(self, node: ast.Call, name: str, facts: _Facts) -> None:
        if (name == "open" and _opens_for_writing(node)) or name.endswith(
            (".write_bytes", ".write_text", "chmod", "copyfileobj")
        ):
            facts.write.append(node)
        elif name.endswith("dup2"):
            facts.process.append(node)
        elif name in {"__import__", "importlib.import_module", "getattr"} and node.args:
            judge.indirection(self, node, name)

    def _command_origin(self, node: ast.Call, scope: Scope) -> Origin:
        first = (
            node.args[0]
            if node.args
            else next((k.value for k in node.keywords if k.arg in {"args", "cmd", "command"}), None)
        )
        return self.tracer.origin(first, scope) if first is not None else Origin.NONE

    def _sent_origin(self, node: ast.Call, scope: Scope) -> Origin:
        """What flows into a network call. The machine's own name as the address is where the
        call goes, not what it sends (tensorboard connects to its own fqdn to check its URL);
        a name built around it (`f"{gethostname()}.attacker.example"`) is still a channel."""
        if node.args and self._is_own_address(node.args[0], scope):
            values = [*node.args[1:], *(k.value for k in node.keywords)]
            result = Origin.NONE
            for value in values:
                result |= self.tracer.origin(value, scope)
            return result
        return self._arguments_origin(node, scope)

    def _is_own_address(self, node: ast.expr, scope: Scope) -> bool:
        if isinstance(node, ast.Tuple) and node.elts:
            node = node.elts[0]  # (host, port)
        if isinstance(node, ast.Name):
            # Every value the name may hold is the machine's own name or carries no host data.
            bound = scope.lookup(node.id)
            return bool(bound) and any(self._is_own_name_call(v) for v in bound or []) and all(
                self._is_own_name_call(v) or not self.tracer.origin(v, scope) & Origin.HOST
                for v in bound or []
            )
        return self._is_own_name_call(node)

    def _is_own_name_call(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Call)
            and not node.args
            and not node.keywords
            and self.aliases.qualify(node.func) in _OWN_NAME
        )

    def _arguments_origin(self, node: ast.Call, scope: Scope) -> Origin:
        values = [*node.args, *(k.value for k in node.keywords)]
        result = Origin.NONE
        for value in values:
            result |= self.tracer.origin(value, scope)
        return result

    def _on_literal(self, node: ast.Constant) -> None:
        text = str(node.value)
        if (
            len(text) > 3
            and text in self._hinted
            and SENSITIVE_PATH.search(text)
        ):
            # A block of text written over several source lines (a shell template, docs) that
            # neither downloads nor pipes anything mentions the location; a path the code opens
            # is one literal on one line: a warning, not a block (nodeenv's activate scripts).
            spans_lines = (getattr(node, "end_lineno", None) or 0) > node.lineno
            document = spans_lines and text.count("\n") >= 2 and not (
                SHELL_DOWNLOADER.search(text) or SHELL_HOSTILE.search(text)
            )
            self.hit("hook/sensitive-read", node, f"names a secret's location: {text[:80]!r}",
                     Severity.MEDIUM if document else None)
        if self._may_name_webhook(text) and WEBHOOK.search(text):
            self.hit("hook/webhook", node, f"names an exfiltration endpoint: {text[:80]!r}")
        if looks_encoded(text):
            self.hit(
                "hook/obfuscation",
                node,
                f"a {len(text)}-character string literal looks like an encoded blob",
            )

    def _may_name_webhook(self, text: str) -> bool:
        """On ASCII text every WEBHOOK match holds one of the literal hints (tests check each
        alternative of the pattern), so only hinted or non-ASCII literals are searched."""
        return len(text) >= _SHORTEST_WEBHOOK and (text in self._hinted or not text.isascii())

    def _dumps_environment(self, node: ast.Call, name: str) -> bool:
        """dict(os.environ), os.environ.copy(), json.dumps(os.environ) and the like."""
        if name in _DUMPERS and node.args and self._is_environ(node.args[0]):
            return True
        func = node.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in {"copy", "items", "keys", "values"}
            and self._is_environ(func.value)
        )

    def _is_environ(self, node: ast.expr) -> bool:
        return self.aliases.qualify(node) == "os.environ"

    def _setup_call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "entry_points" and isinstance(keyword.value, ast.Dict):
                judge.collect_scripts(self, keyword.value)
            if keyword.arg == "cmdclass" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    command = literal_str(key) if key is not None else None
                    if command and isinstance(value, ast.Name):
                        self._cmdclass[value.id] = command

    def _file_rules(self) -> None:
        long_lines = max(map(len, self.lines), default=0) > _LONG_LINE
        for line_number, line in enumerate(self.lines if long_lines else [], 1):
            if len(line) > _LONG_LINE:
                self.hits.append(
                    Hit(
                        "hook/obfuscation",
                        Severity.LOW,
                        line_number,
                        f"a {len(line)}-character line",
                        line[:120] + "...",
                    )
                )
                break
        known = {node.name for node, _ in self._commands}
        self._commands.extend(
            (self._classes[name], command)
            for name, command in self._cmdclass.items()
            if name in self._classes and name not in known
        )
        judge.command_classes(self, self._commands)


def _hinted_texts(texts: list[str]) -> set[str]:
    """The texts for which has_literal_hints holds, asking about halves of the list joined:
    a hint is a substring holding no NUL, so a joined group has one exactly when one of its
    members has. Few literals have hints, so few of the ~2 * log2(len(texts)) groups on
    their way are asked about, instead of every literal."""
    found: set[str] = set()
    pending = [texts] if texts else []
    while pending:
        group = pending.pop()
        if not has_literal_hints("\x00".join(group)):
            continue
        if len(group) == 1:
            found.add(group[0])
        else:
            middle = len(group) // 2
            pending += [group[:middle], group[middle:]]
    return found


def _opens_for_writing(node: ast.Call) -> bool:
    mode = (
        node.args[1]
        if len(node.args) > 1
        else next((k.value for k in node.keywords if k.arg == "mode"), None)
    )
    text = literal_str(mode) if mode is not None else None
    return text is not None and any(flag in text for flag in "wax+")
