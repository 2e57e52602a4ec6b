"""One Python file, read with `ast` only: the calls, literals and classes the rules judge.

The file is parsed, never imported, compiled to bytecode or run. `PythonScan.hits` are
install-time judgements; the caller lowers them for import-time code.
"""

from __future__ import annotations

import ast
import base64
import binascii
import functools
import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field

from safepip.checks.hooks import judge, places
from safepip.checks.hooks.calls import (
    BUILTINS_NAMES,
    CAPABILITIES,
    CODE_RUNNERS,
    DECODERS,
    EXEC_BUILTINS,
    FILE_OPEN,
    HOST_INFO,
    NATIVE_INJECTION,
    NATIVE_LOADERS,
    NATIVE_RUNNERS,
    Aliases,
    is_network,
    is_process,
    literal_str,
    outgoing_arguments,
)
from safepip.checks.hooks.flow import (
    _PARAMETER,
    Origin,
    Scope,
    Tracer,
    names_a_path,
    own_returns,
)
from safepip.checks.hooks.patterns import (
    INTERPRETERS,
    PERSISTENCE,
    SENSITIVE_PATH,
    SHELL_DOWNLOADER,
    SHELL_HOSTILE,
    STARTUP_CODE,
    WEBHOOK,
    has_literal_hints,
    looks_encoded,
)
from safepip.checks.hooks.rules import RULES
from safepip.checks.hooks.walk import (
    CODE_FIELDS,
    CODE_PLANS,
    SCOPE_TYPES,
    ScopeNodes,
    calls_under,
    code_walk,
    file_scopes,
    literal_texts,
    walked_calls,
)
from safepip.findings import Severity

HOST_IDENTITY = HOST_INFO - {"platform.uname", "os.uname", "os.getuid"}
"""Who and which machine this is (not which OS: build code asks that all the time)."""
_FILE_RUNNERS = frozenset(
    {"runpy.run_path", "zipimport.zipimporter", "importlib.machinery.SourcelessFileLoader",
     "setuptools.sandbox.run_setup", "distutils.core.run_setup",
     "setuptools._distutils.core.run_setup"}
)
"""Calls that run or import a file named by path."""
_FILE_LOADERS = {
    "execfile": (0, "filename"),
    "runpy.run_path": (0, "path_name"),
    "setuptools.sandbox.run_setup": (0, "setup_script"),
    "distutils.core.run_setup": (0, "script_name"),
    "setuptools._distutils.core.run_setup": (0, "script_name"),
    "zipimport.zipimporter": (0, "path"),
    "importlib.util.spec_from_file_location": (1, "location"),
    "importlib.machinery.SourceFileLoader": (1, "path"),
    "imp.load_source": (1, "pathname"),
}
"""Calls that run or import a file named by path: (argument position, keyword) of the path."""


@dataclass(frozen=True)
class RunFile:
    """A file some code runs by path: its folded name (`?` for unknown parts)."""

    path: str
    kind: str
    """"source" (its text runs as Python) or "archive" (modules are imported from it)."""
    line: int


_CODE_BUILDERS = frozenset({"types.FunctionType", "types.CodeType"})
"""Calls that turn bytecode into something callable."""
_UNPICKLERS = frozenset(
    {"pickle.loads", "_pickle.loads", "cPickle.loads", "dill.loads", "cloudpickle.loads",
     "pickle.load", "joblib.load"}
)
_CLONES = frozenset({"git.Repo.clone_from", "dulwich.porcelain.clone", "pygit2.clone_repository"})
_SCRIPT_HOSTS = frozenset({"wscript.shell", "shell.application", "schedule.service"})
_CLIPBOARD_METHODS = frozenset({"to_clipboard", "clipboard_get", "read_clipboard"})
_CAPABILITY_OF = {
    name: kind for kind, calls in reversed(CAPABILITIES.items()) for name in calls
}
"""CAPABILITIES by call, the first kind naming it winning (later kinds are written first):
one lookup per call instead of a scan of every kind."""
_SEQUENCES = (ast.List, ast.Tuple)
_SEQUENCE_TYPES = frozenset(_SEQUENCES)
_REFERENCES = (ast.Name, ast.Attribute)
_REFERENCE_TYPES = frozenset(_REFERENCES)
"""Node types tested in hot loops (a tuple is built once; `A | B` makes a union each time)."""
_UNREADABLE_RUNTIMES = ("pyarmor_runtime", "pytransform")
"""Modules that load code shipped encrypted (PyArmor): what runs cannot be read."""
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
_SHORTEST_CODE = 64
"""Literals shorter than this are not read as code written to disk (version files, flags)."""
_HIDING_RUN = 120
_OFF_SCREEN = re.compile(rf"\S[ \t]{{{_HIDING_RUN},}}\S|^[ \t]{{{_HIDING_RUN},}}\S")
_LOOKALIKE_NAME = re.compile(
    "[\U0001D400-\U0001D7FF\uFF21-\uFF3A\uFF41-\uFF5A\u2070-\u209F]"
)
"""Mathematical alphanumerics, fullwidth and super/subscript letters: NFKC makes them ASCII
in identifiers, so exec spelt in mathematical monospace letters runs exec while no reader or
text search sees the word."""
_ARMOR_NAMES = re.compile(
    r"\b(?:__pyarmor(?:_enter|_exit)?__|__armor_(?:enter|exit|wrap)__|pyarmor_runtime\w*"
    r"|(?:check|assert)_armored)\b"
)
"""Names PyArmor's runtime defines in the code it protects."""
_RESOLVER_METHODS = frozenset({"query", "resolve", "gethostbyname", "getaddrinfo"})
_RAW_ADDRESS = re.compile(
    r"^[a-z][a-z0-9+.-]*://(?:[^/@\s]+@|(?!(?:127\.|0\.0\.0\.0|\[::1?\]))"
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?:[:/]|$))",
    re.IGNORECASE,
)
"""A URL naming its server by IP address (not loopback) or carrying a user name: how droppers
and beacons point at a server without a domain anyone could look up."""
_PAYLOADS = frozenset({"data", "json", "files", "params", "body", "content", "message"})
"""Keywords of a request that carry data out."""
_LONG_LINE = 2000
_OWN_NAME = frozenset({"socket.gethostname", "socket.getfqdn", "platform.node"})
"""Calls that name this machine: as a connection's address, they point back at it."""
_SHORTEST_WEBHOOK = 7
"""No WEBHOOK match is shorter ("oast.me"; tests/checks/test_python_scan.py checks the pattern)."""
_DATA_PARSERS = frozenset(
    {"json.load", "json.loads", "tomllib.load", "tomllib.loads", "tomli.load", "tomli.loads",
     "toml.load", "toml.loads", "yaml.safe_load", "yaml.load", "yaml.full_load",
     "configparser.ConfigParser", "configparser.RawConfigParser",
     "configparser.SafeConfigParser", "ConfigParser.ConfigParser", "ConfigParser.RawConfigParser",
     "plistlib.load", "plistlib.loads", "csv.reader", "csv.DictReader"}
)
"""Calls that turn a file's text into data: what comes out is data, not code."""
_TEXT_READS = frozenset({"read", "readline", "readlines", "read_text"})
_RUNNER_METHODS = frozenset(name.rsplit(".", 1)[-1] for name in CODE_RUNNERS)
_REBINDABLE_LOOKUPS = frozenset(
    {"__import__", "importlib.import_module", "importlib.__import__", "getattr",
     "pkgutil.resolve_name"}
)
_CODE_PARTS = frozenset({"co_code", "co_consts", "co_names", "co_varnames"})
"""Parts of a code object that decide what it does (code.replace keywords)."""
_HOST_GETTERS = re.compile(r"get(?:env|user|hostname|fqdn|login|node|uid)")
_NODE_WORD = re.compile(r"node\b")


def _has_host_words(source: str) -> bool:
    """Whether `source` holds a word without which no ENV or HOST origin can arise (flow.py,
    HOST_INFO): environ, getenv, getuser, gethostname, getfqdn, getlogin, getnode, uname,
    getuid, node. Substring tests first: one regex of all ten words costs more, trying each
    at every position of the file."""
    return (
        "environ" in source
        or "uname" in source
        or ("get" in source and _HOST_GETTERS.search(source) is not None)
        or _NODE_WORD.search(source) is not None
    )


_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_SENDS = frozenset({"send", "sendall", "sendto", "post", "put", "request", "urlopen", "open"})
_DUMPERS = frozenset({"dict", "str", "repr", "list", "sorted", "json.dumps", "pprint.pformat"})
_ENVIRON_VIEWS = frozenset({"copy", "items", "keys", "values"})
"""Methods of os.environ that hand over all of it."""
_CONNECTING = frozenset({"connect", "connect_ex", "sendto", "create_connection"})
"""Methods that connect to (or send to) an address they are given."""
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
class Handed:
    """Literal texts install code gives a function it does not define (`self.sh("...")`
    of a base class from another module, `tools.run("...")`): judged where that function
    turns them into a command or a path."""

    args: tuple[str | None, ...]
    keywords: tuple[tuple[str, str], ...] = ()


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
    deferred: bool = False
    """Inside a function that importing the file does not run (judged as import-time code)."""
    import_drop: int | None = None
    """Levels lost at import time when not the rule's own (rules about a whole file's steps
    together are weaker evidence in a large library than in an install hook)."""
    on_import: bool = False
    """In code that importing the file runs (its top level, the functions that names, a
    thread's target), for a high hit of a rule with a `run_drop` (rules.py): the import runs
    it as surely as setup.py runs an install hook."""


@dataclass
class _Facts:
    """What one scope does, for rules that need several things together."""

    network: list[ast.Call] = field(default_factory=list)
    process: list[ast.Call] = field(default_factory=list)
    write: list[ast.Call] = field(default_factory=list)
    environment: list[ast.AST] = field(default_factory=list)


@dataclass
class _FileFacts:
    """What the whole file does, for rules about steps spread over helper functions."""

    network: list[ast.Call] = field(default_factory=list)
    programs: list[ast.Call] = field(default_factory=list)
    """Process starts that are not build tools."""
    helper_programs: list[tuple[ast.Call, str]] = field(default_factory=list)
    """Process starts of a module function's parameter (`def run(cmd): call(cmd)`), with the
    function's name: what they start is what its callers hand it."""
    handed: dict[str, list[tuple[Severity, str]]] = field(default_factory=dict)
    """By helper name: each direct call's command, judged and folded (see helper_programs)."""
    payload_writes: list[ast.Call] = field(default_factory=list)
    """Writes of decoded or downloaded data."""
    verified_writes: list[ast.Call] = field(default_factory=list)
    """Writes of downloaded bytes checked against an expected digest first."""
    place_writes: list[ast.Call] = field(default_factory=list)
    """Writes into a home or temp folder (with a process start and data that is neither
    decoded, downloaded nor carried, as compiler probes and f2py's scratch sources: a warning)."""
    carried_writes: list[ast.Call] = field(default_factory=list)
    """Writes of a literal the package carries (an embedded script or blob)."""
    host: list[ast.Call] = field(default_factory=list)
    """Reads of the host's identity (user, host name, MAC)."""
    endpoints: list[ast.AST] = field(default_factory=list)
    """Literals naming an exfiltration endpoint without its key (`api.telegram.org/bot`)."""
    bot_tokens: list[ast.AST] = field(default_factory=list)
    """Literals shaped like a Telegram bot token (`123456789:AA...`)."""
    raw_servers: list[ast.AST] = field(default_factory=list)
    """Servers named by a public IP address (a URL, a socket's (address, port))."""
    own_address: set[int] = field(default_factory=set)
    """ids of `host` reads used only as the address of a connection: the machine talking to
    itself sends nothing (tensorboard connects to its own fqdn)."""
    dropped: list[str] = field(default_factory=list)
    """Names of files written with decoded or downloaded data."""
    commands: list[tuple[ast.Call, str]] = field(default_factory=list)
    """Process calls and their commands as far as literals show them."""


class PythonScan:
    """Scans one parsed module; results in `hits`, `imports` and `console_scripts`."""

    def __init__(
        self,
        source: str,
        tree: ast.Module,
        *,
        depth: int = 0,
        entry: bool = True,
        awake: frozenset[str] | None = None,
        handed: dict[str, list[Handed]] | None = None,
        collect: bool = False,
    ) -> None:
        self.depth = depth
        self._handed_in = handed or {}
        self.handed: dict[str, list[Handed]] = {}
        """Literal texts this file gives functions it does not define, by function name
        (collected when `collect`: install hooks)."""
        self._collect = collect
        self._tree = tree
        self._awake = awake or frozenset()
        self._dormant_lines: frozenset[int] | None = frozenset() if entry else None
        self._idle_lines: frozenset[int] | None = None
        """Lines of functions that importing this module does not call: a module imported by
        setup.py runs its top level, not every function it defines."""
        """How deep in code run by exec/`python -c` this scan is (0: the file itself)."""
        self.lines = source.splitlines()
        self._source_ascii = source.isascii()
        self._host_words = _has_host_words(source)
        """Whether the file can read the environment or host identity at all (what a
        client's methods are watched for)."""
        self._armored = "armor" in source and _ARMOR_NAMES.search(source) is not None
        self.aliases = Aliases(tree)
        helpers = {
            node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
        }
        self._scopes = file_scopes(tree)
        scopes = self._scopes
        self._calls: dict[int, list[ast.Call]] = {}
        """Per function (by id: the tree keeps it alive), the calls in it (_calls_in)."""
        # What the tracer is given must not hold `self`: a cycle would leave the scan and
        # its tree to the garbage collector instead of freeing them when the scan is done.
        self.tracer = Tracer(
            self.aliases,
            helpers,
            lambda: (node for found in scopes.values() for node in found.binders),
            lambda function: scopes[id(function)].binders if id(function) in scopes else (),
            functools.partial(_calls_in, scopes, self._calls),
        )
        self.file = _FileFacts()
        self.hits: list[Hit] = []
        self.imports: set[str] = set()
        self.path_dirs: list[str] = []
        """Folders of the tree put on sys.path (`sys.path.insert(0, "src")`): imports after
        it load from there."""
        self.console_scripts: list[tuple[str, int]] = []
        self.run_files: list[RunFile] = []
        """Files whose text this code runs (exec of a file's text read by open, runpy.run_path,
        spec_from_file_location, zipimporter): install-time code when this file is."""
        # Literal values, not the source, are asked about hints: `"~/\\x2essh"` hides its hint
        # from the source text but not from the parser.
        self._hinted = _hinted_texts(literal_texts(self._scopes))
        self._local_defs = {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        self._functions = {
            node.name: node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self._methods = {
            item.name: item
            for node in tree.body if isinstance(node, ast.ClassDef)
            for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self._classes_by_name = {
            node.name: node for node in tree.body if isinstance(node, ast.ClassDef)
        }
        self.tracer.network_classes = frozenset(
            name for name, node in self._classes_by_name.items()
            if any(is_network(self.aliases.qualify(base) or "") for base in node.bases)
        )
        self._network_loggers: set[str] | None = None
        """Loggers given a handler that posts records to a server (`addHandler(HTTPHandler(
        ...))`): what they log is sent. Found on first need."""
        self._module_scope: Scope | None = None
        self._runners: dict[str, dict[str, str]] | None = None
        self._sinks: dict[int, dict[str, str]] = {}
        """Per own function: its parameters that reach a write's path or a command."""
        self._commands: list[tuple[ast.ClassDef, str]] = []
        self._classes: dict[str, ast.ClassDef] = {}
        self._cmdclass: dict[str, str] = {}
        self._visit_scope(tree, None)
        self._judge_handed(tree)
        self._file_rules()

    def evidence(self, node: ast.AST) -> str | None:
        line: int | None = getattr(node, "lineno", None)
        if line is None or not 0 < line <= len(self.lines):
            return None
        text = self.lines[line - 1].strip()
        return text if len(text) <= 200 else text[:197] + "..."

    @property
    def _dormant(self) -> frozenset[int]:
        """Built on the first hit: most files of a closure have none."""
        if self._dormant_lines is None:
            self._dormant_lines = dormant_lines(self._tree, self._awake)
        return self._dormant_lines

    def hit(
        self,
        rule: str,
        node: ast.AST,
        message: str,
        severity: Severity | None = None,
        import_drop: int | None = None,
        together: tuple[list[ast.Call], ...] = (),
    ) -> None:
        """`together`: for a judgement of steps spread over the file, the other steps; the
        import runs the whole only when it runs one call of each."""
        chosen = RULES[rule].severity if severity is None else severity
        line = getattr(node, "lineno", None)
        on_import = (
            line is not None and chosen >= Severity.HIGH and RULES[rule].run_drop is not None
            and line not in self._idle
            and all(any(self._runs_on_import(call) for call in calls) for calls in together)
        )
        self.hits.append(
            Hit(rule, chosen, line, message, self.evidence(node),
                deferred=line is not None and line in self._dormant, import_drop=import_drop,
                on_import=on_import)
        )

    def _runs_on_import(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", None)
        return line is not None and line not in self._idle

    @property
    def _idle(self) -> frozenset[int]:
        """Built on the first high hit: lines importing the file does not run."""
        if self._idle_lines is None:
            self._idle_lines = idle_lines(self._tree)
        return self._idle_lines

    def _visit_scope(self, node: ast.AST, parent: Scope | None) -> None:
        found = self._scopes[id(node)]
        scope = Scope(node, parent, found.binders)
        if parent is None:
            self._module_scope = scope
        facts = _Facts()
        for child in found.events:
            kind = type(child)
            if kind is ast.Call:
                self._on_call(child, scope, facts)  # type: ignore[arg-type]  # most events
            elif kind is ast.Constant:
                self._on_literal(child)  # type: ignore[arg-type]  # the next most common
            elif kind in SCOPE_TYPES:
                # Decorators, defaults and bases run at definition time; the inner visit covers
                # them (every child of the scope node).
                self._on_scope_node(child)
                self._visit_scope(child, scope)
            else:
                self._on_node(child, scope, facts)
        if facts.network:  # scope_rules' own first test
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
        if "atexit.register" in names:
            self._deferred_to_exit(node)
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
            if any(a.name.startswith(_UNREADABLE_RUNTIMES) for a in node.names):
                self.hit("hook/capability", node, "loads code protected against reading")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.startswith(_UNREADABLE_RUNTIMES):
                self.hit("hook/capability", node, "loads code protected against reading")
            self.imports.add(node.module)
            self.imports.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # `from . import x`, `from .mod import y`: the file's own package, leading dots
            # kept so the caller resolves them against the importing file's folder.
            base = "." * node.level + (node.module or "")
            self.imports.add(base)
            sep = "" if base.endswith(".") else "."
            self.imports.update(f"{base}{sep}{alias.name}" for alias in node.names)
        elif isinstance(node, ast.For | ast.comprehension) and self._is_environ(node.iter):
            facts.environment.append(node.iter)

    def _on_call(self, node: ast.Call, scope: Scope, facts: _Facts) -> None:
        # Most calls match no rule: a rule whose first test the call fails is not asked
        # (each `if` before a rule below is that test, or a looser one; the rule repeats it).
        func = node.func
        kind = type(func)
        attr = func.attr if type(func) is ast.Attribute else ""
        if kind is ast.Call and self._method_caller(node, scope):
            return
        name = self._callee(func, scope)
        self._capability(node, name, attr, scope)
        process = is_process(name)
        hidden = self._hidden_reach(func, name, scope) if process or name in EXEC_BUILTINS else ""
        if name == "eval":
            self._evaluated_name(node, name)
        verdict = Severity.LOW  # a process call's verdict, when it is one
        if kind is ast.Call and self._computed_lookup(func):
            self._hidden_call(node, "calls a function of a module both named at run time")
        if name in EXEC_BUILTINS and name in self._local_defs:
            name = f"<local>.{name}"  # a module's own compile(), not the builtin
            process = is_process(name)
        if attr in _RUNNER_METHODS and name not in CODE_RUNNERS:
            name = self._code_runner_method(func, scope) or name  # type: ignore[arg-type]
            process = is_process(name)
        # `name` is final from here on: whether it starts a process is asked once.
        runs = process or name in EXEC_BUILTINS
        own_function = kind is ast.Name and func.id in self._functions  # type: ignore[attr-defined]
        if name == "execfile" and node.args:
            judge.exec_call(self, node, Origin.FILE)  # runs a file by name
        elif (name in EXEC_BUILTINS or name in CODE_RUNNERS) and node.args:
            self._escaped_code(node.args[0])
            origin = self.tracer.origin(node.args[0], scope)
            parsed = self._parsed_data(node.args[0], scope, 0)
            if parsed and not origin & (Origin.DECODED | Origin.NETWORK):
                # Fail closed: code kept in a data file's field is not scanned.
                self.hit("hook/dynamic-exec", node, f"runs code taken out of {parsed} (it is "
                         "not scanned)", Severity.HIGH, import_drop=4)
            else:
                judge.exec_call(
                    self,
                    node,
                    origin,
                    self.tracer.text(node.args[0], scope),
                    source_file=self._opened_name(node.args[0], scope),
                )
        elif name in _FILE_RUNNERS and node.args:
            path = self.tracer.text(node.args[0], scope)
            if name.startswith("zipimport"):
                self.hit("hook/dynamic-exec", node,
                         f"imports code from the archive {path!r}, which is not scanned")
            else:
                judge.exec_call(self, node, Origin.FILE, source_file=path)
        elif process:
            facts.process.append(node)
            severity = verdict = judge.process_call(
                self,
                node,
                name,
                self._command_origin(node, scope),
                self._command_text(node, scope),
                *self._program_origin(node, scope),
            )
            if severity < Severity.HIGH and self._command_from_data(node, scope):
                self.hit("hook/process-exec", node, "runs a command read from a data file: "
                         "what it runs is not in the code", Severity.HIGH, import_drop=4)
                severity = verdict = Severity.HIGH
            if severity > Severity.INFO:
                helper = self._parameter_command(node, scope)
                if helper is None:
                    self.file.programs.append(node)
                else:
                    self.file.helper_programs.append((node, helper))
            if severity < Severity.HIGH:
                self._command_place(node, scope)
            self.file.commands.append((node, self._command_text(node, scope)))
            self._runs_module(node, scope)
        elif is_network(name):
            facts.network.append(node)
            self.file.network.append(node)
            judge.dns_lookup(self, node, name, self._arguments_origin(node, scope))
            own = [self._own_address(v, scope) for v in node.args]
            sent = [v for v, hosts in zip(node.args, own, strict=True)
                    if not hosts and v in outgoing_arguments(node, name)]
            self.file.own_address.update(id(h) for hosts in own for h in hosts)
            origin = self.tracer.origin(node.func, scope)
            for value in [*sent, *(k.value for k in node.keywords
                                   if k.value in outgoing_arguments(node, name))]:
                origin |= self.tracer.origin(value, scope)
            judge.network_call(self, node, name, origin)
            self._network_details(node, name, scope)
            if self._arguments_origin(node, scope) & Origin.OUTPUT:
                self._sent(node, name, Origin.OUTPUT)
        # The tracer's helpers are among the module's own functions (its first test).
        elif own_function and self.tracer.sends(func.id):  # type: ignore[attr-defined]
            self.file.network.append(node)
            self._sent(node, node.func.id, self._arguments_origin(node, scope))  # type: ignore[attr-defined]
        elif own_function and self.tracer.writes(func.id):  # type: ignore[attr-defined]
            for argument in node.args:
                self._written_code(argument, node, scope)
        else:
            self._on_other_call(node, name, facts)
            if attr in _SENDS or (attr and self._host_words):
                self._socket_send(node, scope)
            if _may_write(name, attr):
                self._payload_write(node, name, scope)
            if node.args and type(node.args[0]) in _SEQUENCE_TYPES:
                self._argv_passed(node, name, scope)
            self._callables_passed(node, name, scope)
            if name in _UNPICKLERS or name in _CODE_BUILDERS:
                self._loads_code(node, name, scope)
        if runs and self._lookup_computed(func, name, scope):
            # The callee's name is built, not written: hiding it is the evasion, whatever
            # the command or code it is given.
            self._hidden_call(node, f"reaches {name} by a lookup of a name built at run time")
        elif hidden and (name in EXEC_BUILTINS or verdict > Severity.INFO):
            # exec of an inert literal reached by lookup (six's and psutil's py2/3 `exec_` of
            # a `raise ... from` definition) hides the call, not the code: a warning. A literal
            # that calls or imports anything still blocks.
            shown = name in EXEC_BUILTINS and bool(node.args) and (
                _inert_code(node.args[0]) or self._inert_template(node.args[0], scope))
            self._hidden_call(node, f"reaches {name} {hidden} instead of by name",
                              Severity.MEDIUM if shown else Severity.HIGH)
        if own_function or attr in self._methods:
            self._handed_to_helper(node, scope)
        if name in _BOT_CLIENTS:
            self.file.endpoints.append(node)  # the bot API's address, inside the library
        if self._collect:
            self._hand_out(node)
        if name == "breakpoint" and (node.args or node.keywords):
            # pdb's hook takes no arguments: given some, the hook was swapped for another
            # function (PYTHONBREAKPOINT="os.system", sys.breakpointhook = ...)
            self._hidden_call(node, "calls breakpoint() with arguments, so its hook was "
                              "replaced by another function")
        if attr == "replace":
            self._rewrites_code(node)
        if name in EXEC_BUILTINS or name in _FILE_LOADERS:
            self._runs_file(node, name, scope)
        if attr in _CONNECTING:
            self._raw_server(node)
        if name in HOST_IDENTITY:
            self.file.host.append(node)
        if name.endswith("setup"):
            self._setup_call(node, scope)
        if name in {"sys.path.insert", "sys.path.append", "site.addsitedir"} and node.args:
            folder = self.tracer.text(node.args[-1], scope).replace("\\", "/")
            folder = folder.rsplit("?/", 1)[-1].strip("./")
            if folder != "?" and "?" not in folder and ".." not in folder:
                self.path_dirs.append(folder)
            if folder.lower().endswith(_IMPORTABLE_ARCHIVES):
                self.hit("hook/dynamic-exec", node, f"puts the archive {folder!r} on the "
                         "import path; code imported from it is not scanned", Severity.HIGH,
                         import_drop=4)
        elif name in {"__import__", "importlib.import_module", "runpy.run_module"} and node.args:
            module = self.tracer.text(node.args[0], scope)
            if "?" not in module:
                self.imports.add(module)
        if (name in _DUMPERS or attr in _ENVIRON_VIEWS) and self._dumps_environment(node, name):
            facts.environment.append(node)

    def _parsed_data(
        self, value: ast.expr, scope: Scope, depth: int, *, text: bool = False
    ) -> str:
        """A value taken out of parsed data (a field of json.load(...), a ConfigParser's
        option, a YAML or TOML document): the parser's name, else "". Such a value is data of
        a file, never a version file's code. `text`: a file's text itself counts too (a line
        of open(...).read()); a value some other object made of a file (an ELF reader's
        interpreter path) does not."""
        for _ in range(8):
            if isinstance(value, ast.Name):
                values = scope.lookup(value.id) or []
                if len(values) != 1:
                    return ""
                value = values[0]
            elif isinstance(value, ast.Subscript | ast.Attribute):
                value = value.value
            elif isinstance(value, ast.Call):
                name = self.aliases.qualify(value.func) or ""
                if name in _DATA_PARSERS:
                    return f"data parsed by {name}"
                if text and (name in FILE_OPEN or (
                    isinstance(value.func, ast.Attribute) and value.func.attr in _TEXT_READS
                    and name not in FILE_OPEN and self._opened_text(value.func.value, scope)
                )):
                    return "a file's text"
                if not isinstance(value.func, ast.Attribute):
                    return ""
                value = value.func.value  # cfg.get("x"), text.strip()
            else:
                return ""
        return ""

    def _command_from_data(self, node: ast.Call, scope: Scope) -> bool:
        """The program a process call starts, or its whole shell command, is read from a data
        file (a line of a text file, a field of parsed data): the command is hidden from the
        code. Arguments read from files (requirements to install, sources to compile) are
        not."""
        whole = judge.command_argument(node)
        if isinstance(whole, ast.Name):
            values = scope.lookup(whole.id) or []
            whole = values[0] if len(values) == 1 else whole
        head = whole.elts[0] if isinstance(whole, ast.List | ast.Tuple) and whole.elts else whole
        if head is None:
            return False
        return bool(self._parsed_data(head, scope, 0, text=True))

    def _opened_text(self, handle: ast.expr, scope: Scope) -> bool:
        """`handle` is a file opened by open() (directly, or a name bound to it, as by `with
        open(p) as f`), or a path whose read_text() this is."""
        if isinstance(handle, ast.Name):
            values = scope.lookup(handle.id) or []
            handle = values[0] if len(values) == 1 else handle
        if isinstance(handle, ast.Call):
            return (self.aliases.qualify(handle.func) or "") in FILE_OPEN | {
                "pathlib.Path", "Path"}
        return False

    def _runner_named(self, node: ast.Constant) -> None:
        """A process or exec function named as text (`dictConfig({"()": "os.system", ...})`,
        `resolve("subprocess:call")`): only resolving it by name at run time uses such a
        string, which is how the call is kept out of sight. Install time only."""
        text = node.value
        if not isinstance(text, str) or len(text) > 64 or not (
            "." in text or ":" in text
        ) or " " in text:
            return
        target = text.replace(":", ".")
        head, _, rest = target.partition(".")
        target = rest if head in BUILTINS_NAMES and rest else target
        if target in EXEC_BUILTINS or (is_process(target) and "." in target):
            self._hidden_call(node, f"names {target} as text, to be resolved and called at "
                              "run time")

    def _hand_out(self, node: ast.Call) -> None:
        """Record literal texts given to a function this file does not define."""
        func = node.func
        if isinstance(func, ast.Attribute):
            callee = func.attr
        elif isinstance(func, ast.Name) and func.id not in self._local_defs:
            callee = func.id
        else:
            return
        args = tuple(_literal_text(a) for a in node.args)
        keywords = tuple((k.arg, t) for k in node.keywords
                         if k.arg and (t := _literal_text(k.value)) is not None)
        if any(a is not None for a in args) or keywords:
            self.handed.setdefault(callee, []).append(Handed(args, keywords))

    def _judge_handed(self, tree: ast.Module) -> None:
        """This module's functions and methods that install code calls with literal texts:
        a text that reaches a command or a written path here is judged here, at install time
        (the call that hands it is install time whatever this module's top level does)."""
        if not self._handed_in:
            return
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        methods = [item for n in tree.body if isinstance(n, ast.ClassDef) for item in n.body
                   if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
        for function in [*functions, *methods]:
            given = self._handed_in.get(function.name)
            if not given:
                continue
            sinks = self._helper_sinks(function)
            names = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
            if function in methods and names and names[0] in {"self", "cls"}:
                names = names[1:]
            for parameter, kind in sinks.items():
                for handed in given:
                    text = dict(handed.keywords).get(parameter)
                    if text is None and parameter in names:
                        position = names.index(parameter)
                        text = handed.args[position] if position < len(handed.args) else None
                    if text is not None:
                        self._judge_handed_text(function, kind, text)

    def _judge_handed_text(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, kind: str, text: str
    ) -> None:
        sink = next((c for c in code_walk(function) if isinstance(c, ast.Call) and (
            is_process(self.aliases.qualify(c.func) or "") if kind == "command"
            else _write_target(c, self.aliases.qualify(c.func) or "") is not None)), None)
        if sink is None:
            return
        if kind == "command":
            rule, severity, message = judge.command_verdict(
                self, sink, function.name, Origin.LITERAL, text)
            message = f"runs a command install code hands {function.name}, which {message}"
        elif PERSISTENCE.search(text) or STARTUP_CODE.search(text):
            rule, severity = "hook/persistence", Severity.HIGH
            message = f"writes where install code tells {function.name}, where it runs again"
        else:
            place = self._outside(ast.Constant(value=text), self._module_scope or Scope(
                self._tree, None, []))
            if place is None:
                return
            rule, severity = "hook/outside-write", Severity.HIGH
            message = f"changes a file install code names, in {place}"
        if severity >= Severity.HIGH:
            self.hits.append(Hit(rule, severity, sink.lineno, message, self.evidence(sink)))

    def _rewrites_code(self, node: ast.Call) -> None:
        """`f.__code__.replace(co_consts=...)`: a function whose bytecode, constants or names
        are swapped at run time runs something other than the source shows (renaming one,
        co_name/co_filename, is what decorators do)."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "replace" and any(
            k.arg in _CODE_PARTS for k in node.keywords
        ):
            self.hit("hook/obfuscation", node, "rewrites a function's bytecode or constants, "
                     "so what runs is not what the source shows", Severity.HIGH, import_drop=4)

    def _code_runner_method(self, func: ast.Attribute, scope: Scope) -> str:
        """`code.InteractiveInterpreter().runsource(...)`, also through a name bound once to
        the instance: the runner's qualified name, else ""."""
        receiver: ast.expr | None = func.value
        if isinstance(receiver, ast.Name) and receiver.id not in self.aliases.names:
            values = scope.lookup(receiver.id) or []
            receiver = values[0] if len(values) == 1 else None
        if not isinstance(receiver, ast.Call):
            return ""
        method = f"{self.aliases.qualify(receiver.func) or ''}.{func.attr}"
        return method if method in CODE_RUNNERS else ""

    def _inert_template(self, value: ast.expr, scope: Scope) -> bool:
        """`'def adapter{}: pass'.format(signature)` (wrapt): a literal template of inert code
        filled in with values that carry nothing of the package's own (no literal, decoded,
        downloaded or file data), so no payload can be spliced into it."""
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "format" and not value.keywords):
            return False
        template = literal_str(value.func.value)
        if template is None or any(isinstance(a, ast.Starred) for a in value.args):
            return False
        carried = Origin.LITERAL | Origin.DECODED | Origin.NETWORK | Origin.FILE
        if any(self.tracer.origin(a, scope) & carried for a in value.args):
            return False
        filled = _FORMAT_FIELD.sub("()", template)
        return _inert_code(ast.Constant(filled))

    def _evaluated_name(self, node: ast.Call, name: str) -> None:
        """The builtin that evaluates expressions given the string "eval" or "exec" (often in
        octal escapes): a runner or a lookup reached by evaluating its own name, so that the
        name never appears as a call (BlankOBF's first line). No code needs it; high in any
        code."""
        if name != "eval" or not node.args:
            return
        named = literal_str(node.args[0])
        if named is not None and named.strip() in _EVALUATED_RUNNERS:
            self.hit("hook/obfuscation", node, f"evaluates the string {named.strip()!r} to "
                     "reach that function without naming it", Severity.HIGH, import_drop=0)

    def _hidden_reach(self, func: ast.expr, name: str, scope: Scope) -> str:
        """How a call reaches exec or a process function other than by its name, or "" when
        it is named: build code names what it runs; a lookup (`sys.modules[...]`,
        `getattr(...)`, attrgetter, a dict of callables), a star import or a native library's
        `system` exists to keep the call out of sight."""
        if not (name in EXEC_BUILTINS or is_process(name)):
            return ""
        if isinstance(func, ast.Attribute) and func.attr == "__call__":
            return "through its __call__"
        if isinstance(func, ast.Subscript | ast.Call):
            return "through a namespace lookup"
        if self._class_member(func, scope):
            return "through a class attribute"
        if self._bound_module_member(func, scope):
            return "through a module bound to a lookup"
        if isinstance(func, ast.Attribute) and (self.aliases.qualify(func) or "") != name:
            return "through a native library"
        if isinstance(func, ast.Name) and func.id not in self.aliases.names and name != func.id:
            values = scope.lookup(func.id) or []
            if any(isinstance(v, ast.Subscript | ast.Call) for v in values):
                return "through a name bound to a lookup"
            if not values and self.aliases.stars:
                return "through a star import"
            if values and values[0] is _PARAMETER:
                return "through a parameter's default"
        return ""

    def _lookup_computed(self, func: ast.expr, name: str, scope: Scope) -> bool:
        """A runner (exec, a process starter) reached by a lookup whose name is folded from
        pieces (`getattr(os, "sys" + "tem")`, `importlib.import_module("o" + "s").system`)."""
        if not (name in EXEC_BUILTINS or is_process(name)):
            return False
        if isinstance(func, ast.Name):  # `run = getattr(os, "sy" + "stem")`, then run(...)
            values = scope.lookup(func.id) or []
            return any(isinstance(v, ast.Call | ast.Subscript) and self.aliases.computed(v)
                       for v in values)
        bound = self._bound_module(func.value, scope) if isinstance(func, ast.Attribute) else None
        return self.aliases.computed(func) or (bound is not None and self.aliases.computed(bound))

    def _class_member(self, func: ast.expr, scope: Scope) -> str:
        """`K.run(...)` or `self.run(...)` where a class of this file binds `run = os.system`
        in its body: the dangerous callable it names, else ""."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return ""
        runners = self._class_runners()
        if not runners:
            return ""
        owner = func.value.id
        if owner in {"self", "cls"}:
            found = [by_attr[func.attr] for by_attr in runners.values() if func.attr in by_attr]
            return found[0] if found else ""
        if owner not in runners or owner in self.aliases.names or scope.lookup(owner):
            return ""  # not one of the file's classes, or the name was rebound
        return runners[owner].get(func.attr, "")

    def _class_runners(self) -> dict[str, dict[str, str]]:
        """Per class of the file, its body's attributes bound to exec or a process starter
        (built once, on first use; most files have none)."""
        if self._runners is None:
            self._runners = {}
            for cls in self._classes_by_name.values():
                for statement in cls.body:
                    if not isinstance(statement, ast.Assign):
                        continue
                    target = self.aliases.qualify(statement.value) or ""
                    if not (target in EXEC_BUILTINS or is_process(target)):
                        continue
                    for name in statement.targets:
                        if isinstance(name, ast.Name):
                            self._runners.setdefault(cls.name, {})[name.id] = target
        return self._runners

    def _computed_lookup(self, func: ast.expr) -> bool:
        """`getattr(__import__(computed), computed)(...)`: neither the module nor the function
        a reader could see; build code names what it calls."""
        if not (isinstance(func, ast.Call) and len(func.args) >= 2):
            return False
        if self.aliases.qualify(func.func) != "getattr" or literal_str(func.args[1]) is not None:
            return False
        base = func.args[0]
        return (
            isinstance(base, ast.Call)
            and self.aliases.qualify(base.func) in {"__import__", "importlib.import_module"}
            and bool(base.args)
            and literal_str(base.args[0]) is None
        )

    def _deferred_to_exit(self, function: ast.AST) -> None:
        """A function left to run at interpreter exit, after the build has reported back,
        that starts a process or runs code: the payload waits for nobody to look."""
        for sub in code_walk(function):
            if sub is function or not isinstance(sub, ast.Call):
                continue
            name = self.aliases.qualify(sub.func) or ""
            if name in EXEC_BUILTINS or is_process(name):
                self._hidden_call(function, f"leaves {name} to run at interpreter exit")
                return

    def _hidden_call(
        self, node: ast.AST, message: str, severity: Severity = Severity.HIGH
    ) -> None:
        # Install-time only (import_drop 4): libraries do pass callables around.
        self.hit("hook/obfuscation", node, message, severity, import_drop=4)

    def _callee(self, func: ast.expr, scope: Scope) -> str:
        """Qualified name of the called function, also through a local variable that holds a
        dangerous callable (`run = getattr(builtins, "exec")`, `go = subprocess.call`)."""
        kind = type(func)
        if kind is ast.Name:
            return self._name_callee(func, scope)  # type: ignore[arg-type]  # the most common
        name = self.aliases.qualify(func) or ""
        if isinstance(func, ast.Attribute) and func.attr in NATIVE_RUNNERS and any(
            isinstance(sub, ast.Name | ast.Attribute)
            and (sub.id if isinstance(sub, ast.Name) else sub.attr) in NATIVE_LOADERS
            for sub in code_walk(func.value)
        ):
            return "os.system"  # ctypes.CDLL(None).system(...): libc's system, same thing
        if not name and isinstance(func, ast.Subscript) and self._from_container(func, scope):
            return self._from_container(func, scope)
        # Both members are of an attribute of a bare name (their own first test).
        if kind is ast.Attribute and type(func.value) is ast.Name:  # type: ignore[attr-defined]
            member = self._class_member(func, scope) or self._bound_module_member(func, scope)
            if member:
                return member  # `class K: run = os.system` ... `K.run(...)`
        if not name and isinstance(func, ast.Subscript | ast.Call):
            chosen = self._literal_container(func)
            if chosen:
                return chosen  # `[os.system][0](...)`, `{"a": os.system}.get("a")(...)`
        if not name and isinstance(func, ast.Call):
            return self._getattr_bound_name(func, scope)
        if not name:
            rebound = self._rebound_lookup(func, scope) or self._namespace_pick(func)
            if rebound:
                return rebound
        return name

    def _name_callee(self, func: ast.Name, scope: Scope) -> str:
        """`_callee` of a bare name: a name is qualified to something non-empty, which no
        class or bound module member is, so only the values bound to it can change it."""
        known_here = scope.callees.get(func.id)
        if known_here is not None:
            return known_here
        callee = scope.callees[func.id] = self._bound_callee(func, scope)
        return callee

    def _bound_callee(self, func: ast.Name, scope: Scope) -> str:
        name = self.aliases.qualify(func) or ""
        if name != func.id or name in EXEC_BUILTINS:
            return name  # an imported name or exec itself: what it is bound to is not asked
        for value in scope.lookup(func.id) or []:
            target = self.aliases.qualify(value) or ""
            if (target in EXEC_BUILTINS or is_process(target) or is_network(target)
                    or target in _WRITERS):
                return target  # `run = subprocess.call`, `o = open`
        return name

    def _namespace_pick(self, func: ast.expr) -> str:
        """`[f for n, f in vars(os).items() if n == "system"][0]`, `next(f for n, f in
        inspect.getmembers(os) if n == "system")`: a function picked out of a module's
        namespace by comparing names, qualified as `os.system`."""
        picked = func.value if isinstance(func, ast.Subscript) else (
            func.args[0] if isinstance(func, ast.Call) and func.args
            and (self.aliases.qualify(func.func) or "") == "next" else None)
        if not isinstance(picked, ast.ListComp | ast.GeneratorExp) or len(
            picked.generators) != 1:
            return ""
        loop = picked.generators[0]
        source = loop.iter
        module: str | None = None
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and (
            source.func.attr == "items"
        ):
            owner = self.aliases.qualify(source.func.value) or ""
            module = owner.removesuffix(".__dict__") if owner.endswith(".__dict__") else None
        elif isinstance(source, ast.Call) and source.args and (
            self.aliases.qualify(source.func) or "") == "inspect.getmembers":
            module = self.aliases.qualify(source.args[0])
        if not module:
            return ""
        for test in loop.ifs:
            for sub in ast.walk(test):
                text = literal_str(sub) if isinstance(sub, ast.Constant) else None
                target = f"{module}.{text}" if text else ""
                if target and (target in EXEC_BUILTINS or is_process(target)):
                    return target
        return ""

    def _rebound_lookup(self, func: ast.expr, scope: Scope) -> str:
        """`im = importlib.import_module; im("os").system(...)`, `g = getattr; g(os, "system")`:
        a lookup function under a name bound once, qualified as if written in place."""
        call = func.value if isinstance(func, ast.Attribute) else func
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            return ""
        values = scope.lookup(call.func.id) or []
        if len(values) != 1 or not isinstance(values[0], ast.Name | ast.Attribute):
            return ""
        if (self.aliases.qualify(values[0]) or "") not in _REBINDABLE_LOOKUPS:
            return ""
        spelled: ast.expr = ast.Call(func=values[0], args=call.args, keywords=call.keywords)
        if isinstance(func, ast.Attribute):
            spelled = ast.Attribute(value=spelled, attr=func.attr, ctx=ast.Load())
        return self.aliases.qualify(spelled) or ""

    def _bound_module(self, value: ast.expr, scope: Scope) -> ast.expr | None:
        """The lookup a local name is bound to once (`m = importlib.import_module(...)`)."""
        if not isinstance(value, ast.Name) or value.id in self.aliases.names:
            return None
        values = scope.lookup(value.id) or []
        if len(values) == 1 and isinstance(values[0], ast.Call | ast.Subscript):
            return values[0]
        return None

    def _bound_module_member(self, func: ast.expr, scope: Scope) -> str:
        """`m = importlib.import_module("o" + "s"); m.system(...)`: the runner named, else ""."""
        if not isinstance(func, ast.Attribute):
            return ""
        bound = self._bound_module(func.value, scope)
        module = self.aliases.qualify(bound) if bound is not None else None
        if not module:
            return ""
        target = f"{module}.{func.attr}"
        return target if target in EXEC_BUILTINS or is_process(target) else ""

    def _literal_container(self, func: ast.Subscript | ast.Call) -> str:
        """A runner picked out of a list, tuple or dict written in place: `[os.system][0]`,
        `{"a": os.system}["a"]`, `{"a": os.system}.get("a")`; else ""."""
        if isinstance(func, ast.Subscript):
            container, key = func.value, func.slice
        elif (isinstance(func.func, ast.Attribute) and func.func.attr == "get"
              and len(func.args) >= 1):
            container, key = func.func.value, func.args[0]
        else:
            return ""
        chosen: ast.expr | None = None
        index = key.value if isinstance(key, ast.Constant) else None
        if isinstance(container, ast.List | ast.Tuple) and isinstance(index, int):
            if -len(container.elts) <= index < len(container.elts):
                chosen = container.elts[index]
        elif isinstance(container, ast.Dict) and index is not None:
            for k, v in zip(container.keys, container.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == index:
                    chosen = v
        target = (self.aliases.qualify(chosen) or "") if chosen is not None else ""
        return target if target in EXEC_BUILTINS or is_process(target) else ""

    def _getattr_bound_name(self, func: ast.Call, scope: Scope) -> str:
        """`n = "sys" + "tem"; getattr(os, n)(...)`: the attribute named by a variable bound
        once to text the scan can fold; only a runner counts (else "")."""
        if self.aliases.qualify(func.func) != "getattr" or len(func.args) < 2:
            return ""
        base, key = self.aliases.qualify(func.args[0]), func.args[1]
        values = scope.lookup(key.id) if isinstance(key, ast.Name) else None
        if not base or not values or len(values) != 1:
            return ""
        attr = self.aliases.fold(values[0])
        target = (attr if base in BUILTINS_NAMES else f"{base}.{attr}") if attr else ""
        return target if target in EXEC_BUILTINS or is_process(target) else ""

    def _from_container(self, func: ast.Subscript, scope: Scope) -> str:
        """`ACTIONS["x"](...)` where ACTIONS is a dict literal of callables: the one chosen."""
        key = func.slice.value if isinstance(func.slice, ast.Constant) else None
        if not isinstance(func.value, ast.Name) or key is None:
            return ""
        for value in scope.lookup(func.value.id) or []:
            if isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == key:
                        return self.aliases.qualify(v) or ""
        return ""

    def _program_origin(self, node: ast.Call, scope: Scope) -> tuple[Origin, Origin]:
        """Where the program a process call starts comes from (its command's first word),
        and where its first argument does (the script an interpreter runs)."""
        first = judge.command_argument(node)
        if isinstance(first, ast.Name):
            values = scope.lookup(first.id)
            first = values[0] if values and len(values) == 1 else first
        script = Origin.NONE
        if isinstance(first, ast.List | ast.Tuple) and len(first.elts) > 1:
            script = self.tracer.origin(first.elts[1], scope)
        elif first is not None:
            script = self.tracer.origin(first, scope)
        return self._head_origin(first, scope), script

    def _head_origin(self, head: ast.expr | None, scope: Scope) -> Origin:
        for _ in range(4):
            if isinstance(head, ast.Name):
                values = scope.lookup(head.id)
                head = values[0] if values and len(values) == 1 else None
            elif isinstance(head, ast.List | ast.Tuple):
                head = head.elts[0] if head.elts else None
            elif isinstance(head, ast.BinOp):
                head = head.left
            elif isinstance(head, ast.JoinedStr):
                head = head.values[0] if head.values else None
            elif isinstance(head, ast.FormattedValue):
                head = head.value
            else:
                break
        return self.tracer.origin(head, scope) if head is not None else Origin.NONE

    def _opened_name(self, value: ast.expr, scope: Scope) -> str | None:
        """The name of the file `value` was read from (`open(name).read()`, a variable bound
        to that, `Path(name).read_text()`), when literals show it."""
        for _ in range(3):
            if isinstance(value, ast.Name):
                bound = scope.lookup(value.id) or []
                if len(bound) != 1:
                    return None
                value = bound[0]
        for sub in code_walk(value):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                if sub.func.attr == "extractfile":
                    return "an archive's member"  # not a file of the tree: never scanned
                if sub.func.attr in {"read_text", "read_bytes"} or (
                    sub.func.attr == "open" and names_a_path(sub.func.value, scope, self.aliases)
                ):
                    return self.tracer.text(sub.func.value, scope)
            if isinstance(sub, ast.Call) and sub.args and (
                self.aliases.qualify(sub.func) or ""
            ) in FILE_OPEN | {"pathlib.Path", "Path", "io.open", "codecs.open"}:
                return self.tracer.text(sub.args[0], scope)
        return None

    def _runs_file(self, node: ast.Call, name: str, scope: Scope) -> None:
        """Record a file of the tree this call runs or imports by path (see `run_files`)."""
        path: str | None = None
        argument = _FILE_LOADERS.get(name)
        if name in EXEC_BUILTINS and name != "execfile" and node.args:
            path = self._opened_name(node.args[0], scope)
            handle = node.args[0].func if isinstance(node.args[0], ast.Call) else None
            if path is None and isinstance(handle, ast.Attribute) and handle.attr == "read":
                path = self._opened_name(handle.value, scope)  # a handle from `with open(n) as f`
        elif argument is not None:
            position, keyword = argument
            given = node.args[position] if len(node.args) > position else next(
                (k.value for k in node.keywords if k.arg == keyword), None)
            path = self.tracer.text(given, scope) if given is not None else None
        # A function that importing this module does not call runs nothing at install time.
        if path is not None and path != "an archive's member" and node.lineno not in self._dormant:
            kind = "archive" if name == "zipimport.zipimporter" else "source"
            self.run_files.append(RunFile(path.replace("\\", "/"), kind, node.lineno))

    def _escaped_code(self, argument: ast.expr) -> None:
        """Code given to exec/eval spelt in escapes (`"\\x69\\x6d..."`): written not to be read."""
        if not isinstance(argument, ast.Constant) or argument.lineno != argument.end_lineno:
            return
        line = self.lines[argument.lineno - 1] if argument.lineno <= len(self.lines) else ""
        written = line[argument.col_offset:argument.end_col_offset]
        escaped = sum(len(m) for m in _ESCAPE.findall(written))
        if len(written) >= 12 and escaped * 2 >= len(written):
            self.hit("hook/obfuscation", argument, "runs code written in escape sequences")

    def _method_caller(self, node: ast.Call, scope: Scope) -> bool:
        """`operator.methodcaller("system", cmd)(os)` calls os.system with cmd: judged so."""
        maker = node.func
        if not (isinstance(maker, ast.Call) and maker.args and node.args):
            return False
        if self.aliases.qualify(maker.func) != "operator.methodcaller":
            return False
        method = literal_str(maker.args[0])
        base = self.aliases.qualify(node.args[0])
        name = f"{base}.{method}" if base and method else ""
        rest = maker.args[1:]
        origin = Origin.NONE
        for value in rest:
            origin |= self.tracer.origin(value, scope)
        if name in EXEC_BUILTINS:
            judge.exec_call(self, node, origin, "?", indirect=True)
        elif is_process(name):
            text = " ".join(self.tracer.text(value, scope) for value in rest)
            if judge.process_call(self, node, name, origin, text, indirect=True) == Severity.INFO:
                return True
        else:
            return False
        self._hidden_call(node, f"reaches {name} through operator.methodcaller")
        return True

    def _callables_passed(self, node: ast.Call, name: str, scope: Scope) -> None:
        """exec or os.system handed to something that calls it later (Process(target=...),
        atexit.register, an executor's submit, map, Thread): judged as if called here with
        the other arguments."""
        args, keywords = node.args, node.keywords
        if not args and not keywords:
            return  # nothing handed over
        values = [*args, *[k.value for k in keywords]] if keywords else args
        # a runner inside a list or tuple handed over (`reduce(apply, [exec], code)`)
        inner = [e for v in values if type(v) in _SEQUENCE_TYPES
                 for e in v.elts if type(e) in _REFERENCE_TYPES]  # type: ignore[attr-defined]
        if inner:
            values = [*values, *inner]
        for index, value in enumerate(values):
            kind = type(value)
            if kind is ast.Name:
                passed = self._name_callee(value, scope)  # type: ignore[arg-type]
            elif kind is ast.Attribute:
                passed = self.aliases.qualify(value) or ""
            else:
                continue
            if name == "atexit.register" and isinstance(value, ast.Name) and index == 0:
                definition = self._functions.get(value.id)
                if definition is not None:
                    self._deferred_to_exit(definition)
            writer = passed in _WRITERS
            if not writer and passed not in EXEC_BUILTINS and not is_process(passed):
                continue
            rest = [v for i, v in enumerate(values) if i != index]
            if writer:
                self._writer_passed(node, passed, rest, scope)
                return
            origin = Origin.NONE
            for other in rest:
                origin |= self.tracer.origin(other, scope)
            text = " ".join(self.tracer.text(other, scope) for other in rest)
            caller = name or "a call"
            if passed in EXEC_BUILTINS:
                judge.exec_call(self, node, origin, "?", indirect=True)
                verdict = Severity.LOW
            else:
                verdict = judge.process_call(self, node, f"{caller} with {passed}", origin, text,
                                             indirect=True)
            if verdict > Severity.INFO:  # a build tool handed to a pool is ordinary
                self._hidden_call(node, f"hands {passed} to {caller}, which calls it later")
            return

    def _writer_passed(
        self, node: ast.Call, passed: str, rest: list[ast.expr], scope: Scope
    ) -> None:
        """`Thread(target=shutil.copy, args=(src, "/etc/x"))`: a writer called later with
        these arguments writes where they say."""
        values: list[ast.expr] = []
        for value in rest:
            values.extend(value.elts if isinstance(value, ast.Tuple | ast.List) else [value])
        for value in values:
            place = self._outside(value, scope)
            if place is not None:
                self.hit("hook/outside-write", node,
                         f"hands {passed} a path in {place}, to be written later")
                return

    def _loads_code(self, node: ast.Call, name: str, scope: Scope) -> None:
        """Unpickling embedded data runs whatever its pickle says; a function built from a
        marshalled code object runs hidden bytecode."""
        if not node.args or (name not in _UNPICKLERS and name not in _CODE_BUILDERS):
            return  # most calls: tracing the argument's origin is the expensive part
        origin = self.tracer.origin(node.args[0], scope)
        if name in _UNPICKLERS and origin & (Origin.LITERAL | Origin.DECODED):
            self.hit("hook/exec-obfuscated", node, f"{name} unpickles embedded data, which runs "
                     "code", Severity.CRITICAL, import_drop=4)
        elif name in _UNPICKLERS and self._opened_name(node.args[0], scope) is not None:
            # A pickle shipped as a file runs whatever it holds, and the scan cannot read it.
            self.hit("hook/dynamic-exec", node, f"{name} unpickles a file at install time, "
                     "which runs whatever it holds", Severity.HIGH, import_drop=4)
        elif name in _CODE_BUILDERS and origin & Origin.DECODED:
            self.hit("hook/exec-obfuscated", node, "builds a function from decoded bytecode",
                     Severity.CRITICAL, import_drop=4)

    def _argv_passed(self, node: ast.Call, name: str, scope: Scope) -> None:
        """An interpreter's command line (`["python", "-c", code]`) handed to any runner (a
        wrapper, an executor) is judged like a process call."""
        for argument in node.args[:1]:
            if not isinstance(argument, ast.List | ast.Tuple) or len(argument.elts) < 3:
                continue
            head = literal_str(argument.elts[0]) or ""
            if head.rsplit("/", 1)[-1] in INTERPRETERS and literal_str(argument.elts[1]) in {
                "-c", "/c", "-Command", "-e"
            }:
                origin = self.tracer.origin(argument, scope)
                text = self.tracer.text(argument, scope)
                judge.process_call(self, node, name or "a runner", origin, text, indirect=True)

    def _capability(self, node: ast.Call, name: str, attr: str, scope: Scope) -> None:
        """Screen, clipboard, keystrokes, the registry, other processes' memory, unreadable
        (PyArmor) code, name lookups through a resolver object: nothing a build does.
        `attr`: the method called ("" when the callee is not an attribute)."""
        last = name[name.rfind(".") + 1 :]  # the last part of a dotted name, or all of it
        kind = _CAPABILITY_OF.get(name)
        if kind is None and attr:
            kind = "the clipboard" if attr in _CLIPBOARD_METHODS else None
        if kind is None and last in NATIVE_INJECTION:
            kind = "other processes' memory"
        if kind is None and last == "__pyarmor__":
            kind = "code protected against reading (PyArmor)"
        if kind is not None:
            self.hit("hook/capability", node, f"uses {kind}")
            return
        if name in _CLONES or (name.startswith("git.") and last in {"clone", "clone_from"}):
            self.hit("hook/download-exec", node, f"{name} clones a repository at install time",
                     Severity.HIGH, import_drop=3)
        elif name.endswith("Dispatch") and node.args and (
            literal_str(node.args[0]) or ""
        ).lower() in _SCRIPT_HOSTS:
            self.hit("hook/process-exec", node, "drives the Windows shell through COM",
                     Severity.HIGH, import_drop=3)
        elif name in {"pip.main", "pip._internal.main", "pip._internal.cli.main.main"}:
            self.hit("hook/process-exec", node,
                     "installs packages with pip, past the resolver that vetted this one",
                     Severity.MEDIUM, import_drop=3)
        func = node.func
        if (
            attr in _RESOLVER_METHODS
            and isinstance(func, ast.Attribute)
            and self.tracer.origin(func.value, scope) & Origin.NETWORK
        ):
            origin = self._arguments_origin(node, scope)
            judge.dns_lookup(self, node, "socket.gethostbyname", origin)

    def _own_address(self, value: ast.expr, scope: Scope) -> list[ast.Call]:
        """`(socket.getfqdn(), port)` as the address to connect to: the machine talking to
        itself, not its name sent out. The host reads it is made of; empty when it is not."""
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        candidates = (scope.lookup(value.id) or []) if isinstance(value, ast.Name) else [value]
        hosts = [
            v for v in candidates
            if isinstance(v, ast.Call) and self.aliases.qualify(v.func) in HOST_INFO
        ]
        others = [v for v in candidates if v not in hosts]
        # a name bound to the host's name, or to fallbacks that carry no host data
        if any(self.tracer.origin(v, scope) & Origin.HOST for v in others):
            return []
        return hosts

    def _network_details(self, node: ast.Call, name: str, scope: Scope) -> None:
        """Where a request goes (an address decoded at run time, or a webhook spelled in
        pieces) and what it carries (file contents). Import-time code of clients does such
        things when used, so these stay below low there."""
        url = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in {"url", "host", "address"}), None
        )
        if url is not None and not isinstance(url, ast.Constant):
            if self.tracer.origin(url, scope) & Origin.DECODED:
                self.hit("hook/network-fetch", node,
                         f"{name} contacts an address that is decoded at run time",
                         Severity.HIGH, import_drop=3)
            elif WEBHOOK.search(self.tracer.text(url, scope)):
                self.hit("hook/webhook", node,
                         f"{name} contacts an exfiltration endpoint built from pieces",
                         Severity.HIGH, import_drop=3)
        carried = Origin.NONE
        outgoing = outgoing_arguments(node, name)
        for value in [*node.args[1:], *(k.value for k in node.keywords if k.arg in _PAYLOADS)]:
            if value not in outgoing:
                continue
            carried |= self.tracer.origin(value, scope)
        if carried & Origin.FILE:
            self._sent(node, name, Origin.FILE)
        if url is not None:
            carried |= self.tracer.origin(url, scope)
        if carried & Origin.SECRET:
            # In the address or the body, not in an Authorization header: a token sent to the
            # service it is for (a build reading GitHub's API) is not carried out.
            self.hit("hook/env-exfiltration", node,
                     f"{name} sends a secret read from the environment over the network",
                     Severity.CRITICAL, import_drop=4)

    def _sent(self, node: ast.Call, name: str, carried: Origin) -> None:
        """`carried` goes out over the network through `name` (a client, or the module's own
        helper that posts what it is given)."""
        if carried & (Origin.ENV | Origin.HOST | Origin.OUTPUT):
            self.hit("hook/env-exfiltration", node,
                     f"{name} sends environment or host data over the network",
                     Severity.CRITICAL, import_drop=4)
        elif carried & Origin.FILE:
            self.hit("hook/env-exfiltration", node,
                     f"{name} sends the contents of files over the network",
                     Severity.HIGH, import_drop=3)

    def _command_text(self, node: ast.Call, scope: Scope) -> str:
        whole = judge.command_argument(node)
        return "" if whole is None else self.tracer.text(whole, scope)

    def _runs_module(self, node: ast.Call, scope: Scope) -> None:
        """`python -m pkg` / `python tool.py` run the tree's own code: scan it as install-time
        code too (the caller follows `imports`)."""
        words = self._command_text(node, scope).split()
        if len(words) < 2 or not words[0].rsplit("/", 1)[-1].lower().startswith("python"):
            return
        if words[1] == "-m" and len(words) > 2 and words[2].replace(".", "").isidentifier():
            self.imports.add(words[2])
        elif words[1].endswith(".py") and "/" not in words[1].strip("./"):
            self.imports.add(words[1].strip("./").removesuffix(".py"))

    def _payload_write(self, node: ast.Call, name: str, scope: Scope) -> None:
        """`f.write(data)`, `path.write_bytes(data)`, `shutil.copyfileobj(resp, f)`: a write
        of decoded or downloaded data, or into a home/temp folder, is how droppers work.
        (Asked only when `_may_write`: keep the two in step.)"""
        func = node.func
        changed = _changed_path(node, name)
        opened = self._opened_for_writing(node, name, scope)
        if opened is not None or (
            name.startswith(("shutil.copy", "shutil.move", "os.rename")) and len(node.args) > 1
        ):
            target = opened if opened is not None else node.args[1]
            if self.tracer.origin(target, scope) & Origin.OUTSIDE:
                self.file.place_writes.append(node)
            if not self._persistent_write(node, target, scope):
                self._outside_write(node, target, scope)
            return
        if changed is not None:
            self._outside_write(node, changed, scope)
        elif (
            isinstance(func, ast.Attribute)
            and name not in FILE_OPEN
            and (func.attr in _PATHLIB_WRITES
                 or (func.attr == "open" and _opens_for_writing(node, 0)))
            and not self._persistent_write(node, func.value, scope)  # pathlib: the object
        ):
            self._outside_write(node, func.value, scope)
        if not isinstance(func, ast.Attribute) or not node.args:
            return
        if func.attr in {"write", "write_bytes", "write_text", "writelines"}:
            self._written_code(node.args[0], node, scope)
            data = self.tracer.origin(node.args[0], scope)
            if data & Origin.NETWORK and not data & Origin.DECODED and self._verified(
                node.args[0], scope
            ):
                self.file.verified_writes.append(node)
                self._dropped(func.value, scope)  # running that very file still blocks
            elif data & (Origin.DECODED | Origin.NETWORK):
                self.file.payload_writes.append(node)
                self._dropped(func.value, scope)
            elif self._carried(node.args[0], scope):
                self.file.carried_writes.append(node)
                self._dropped(func.value, scope)  # blocks when a command then runs that file
        elif name.endswith("copyfileobj") and (
            self.tracer.origin(node.args[0], scope) & Origin.NETWORK
        ):
            self.file.payload_writes.append(node)

    def _verified(self, data: ast.expr, scope: Scope) -> bool:
        """Downloaded bytes checked against an expected digest before use: in the writing
        function, `if digest(data) != expected: raise` (or return, or an assert), the digest
        also through a name bound to it. The release then fixes which bytes are built, as if
        they were in the archive (matplotlib 3.8's freetype and qhull)."""
        if not isinstance(data, ast.Name):
            return False
        for node in code_walk(scope.node):
            if (isinstance(node, ast.If) and any(
                isinstance(step, ast.Raise | ast.Return) for step in node.body
            )) or isinstance(node, ast.Assert):
                test = node.test
                if isinstance(test, ast.Compare) and any(
                    self._digest_of(side, data.id, scope)
                    for side in [test.left, *test.comparators]
                ):
                    return True
        return False

    def _digest_of(self, value: ast.expr, name: str, scope: Scope) -> bool:
        """Whether `value` is a digest (sha*/md5/blake/hash/digest call) of the name `name`."""
        candidates = [value]
        if isinstance(value, ast.Name):
            candidates += [v for v in scope.lookup(value.id) or [] if isinstance(v, ast.expr)]
        for candidate in candidates:
            for sub in code_walk(candidate):
                if not isinstance(sub, ast.Call):
                    continue
                called = (self.aliases.qualify(sub.func) or "").lower()
                if _DIGEST_NAME.search(called) and any(
                    isinstance(n, ast.Name) and n.id == name for n in code_walk(sub)
                ):
                    return True
        return False

    def _opened_for_writing(self, node: ast.Call, name: str, scope: Scope) -> ast.expr | None:
        """The path open()/io.open/codecs.open opens for writing (the mode followed through
        names), or None."""
        if name not in _OPENERS:
            return None
        path = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "file"), None)
        mode = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "mode"), None)
        if path is None or mode is None:
            return None
        return path if any(flag in self.tracer.text(mode, scope) for flag in "wax+") else None

    def _command_place(self, node: ast.Call, scope: Scope) -> None:
        """`["cp", src, site.getsitepackages()[0]]`: a file-changing program given a folder
        outside the tree that literals do not spell."""
        command = judge.command_argument(node)
        if isinstance(command, ast.Name):
            bound = scope.lookup(command.id) or []
            command = bound[0] if len(bound) == 1 else command
        if not isinstance(command, ast.List | ast.Tuple) or len(command.elts) < 2:
            return
        program = self.tracer.text(command.elts[0], scope).replace("\\", "/").rsplit("/", 1)[-1]
        arguments = [self.tracer.text(element, scope) for element in command.elts[1:]]
        for index in places.written_operands(program.lower(), arguments):
            place = self._outside(command.elts[1 + index], scope)
            if place is not None:
                self.hit("hook/outside-write", node, f"has {program} change a file in {place}",
                         import_drop=4)
                return

    def _persistent_write(self, node: ast.Call, target: ast.expr, scope: Scope) -> bool:
        """A write to a shell profile, cron, a startup folder, or a .pth/sitecustomize in
        site-packages (named by any of the calls that give its folder)."""
        place = self.tracer.origin(target, scope) & Origin.OUTSIDE
        path = self.tracer.text(target, scope).replace("\\", "/")
        if PERSISTENCE.search(path) or (
            STARTUP_CODE.search(path)
            and (place or "-packages/" in path or self._names_site_folder(target, scope, 2))
        ):
            self.hit("hook/persistence", node,
                     "writes where the system or the shell runs it again later")
            return True
        return False

    def _outside_write(self, node: ast.Call, target: ast.expr, scope: Scope) -> None:
        """A file created, changed, copied, linked or made executable outside the source
        tree and the build's scratch folders: a side effect no build needs."""
        place = self._outside(target, scope)
        if place is not None:
            self.hit("hook/outside-write", node, f"changes a file in {place}")

    def _raw_server(self, node: ast.Call) -> None:
        """`sock.connect(("203.0.113.7", 9090))`: a connection to a server with no name."""
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else ""
        if name not in _CONNECTING:
            return
        for argument in node.args:
            if (isinstance(argument, ast.Tuple) and argument.elts
                    and _public_address(literal_str(argument.elts[0]) or "")):
                self.file.raw_servers.append(argument)

    def _handed_to_helper(self, node: ast.Call, scope: Scope) -> None:
        """`write(path, data)`, `self.run(cmd)`: the module's own function writes to a path or
        runs a command it is given, so what it is given here is judged here."""
        func, offset = node.func, 0
        function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
        if isinstance(func, ast.Name):
            function = self._functions.get(func.id)
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and func.value.id in {"self", "cls"}):
            function, offset = self._methods.get(func.attr), 1
        if function is None or function is scope.node:
            return
        sinks = self._helper_sinks(function)
        if not sinks:
            return
        names = [a.arg for a in [*function.args.posonlyargs, *function.args.args]][offset:]
        for parameter, kind in sinks.items():
            given = next((k.value for k in node.keywords if k.arg == parameter), None)
            if given is None and parameter in names and names.index(parameter) < len(node.args):
                given = node.args[names.index(parameter)]
            if given is None or isinstance(given, ast.Starred):
                continue
            if kind == "path":
                self._handed_path(node, given, scope, function.name)
            else:
                self._handed_command(node, given, scope, function.name)

    def _handed_path(self, node: ast.Call, given: ast.expr, scope: Scope, helper: str) -> None:
        path = self.tracer.text(given, scope).replace("\\", "/")
        if PERSISTENCE.search(path) or (STARTUP_CODE.search(path) and "-packages/" in path):
            self.hit("hook/persistence", node, f"has {helper} write where the system or the "
                     "shell runs it again later")
            return
        place = self._outside(given, scope)
        if place is not None:
            self.hit("hook/outside-write", node, f"has {helper} change a file in {place}")

    def _handed_command(self, node: ast.Call, given: ast.expr, scope: Scope, helper: str) -> None:
        text = self.tracer.text(given, scope)
        rule, severity, message = judge.command_verdict(
            self, node, helper, self.tracer.origin(given, scope), text
        )
        if isinstance(node.func, ast.Name):
            self.file.handed.setdefault(helper, []).append((severity, text))
        if severity >= Severity.HIGH:
            self.hit(rule, node, f"has {helper} run a command that {message}", severity,
                     import_drop=4)

    def _helper_sinks(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
        """Parameters of `function` that become the path of a write ("path") or a command it
        starts ("command"), directly or through one local assignment."""
        if id(function) in self._sinks:
            return self._sinks[id(function)]
        self._sinks[id(function)] = {}
        # _may_write holds of every call _write_target names a path of (its looser test).
        if not any(
            is_process(name := self.aliases.qualify(call.func) or "")
            or (_may_write(name, call.func.attr if type(call.func) is ast.Attribute else "")
                and _write_target(call, name) is not None)
            for call in _calls_in(self._scopes, self._calls, function)
        ):
            return self._sinks[id(function)]  # no call can be a sink: the walk would find none
        arguments = function.args
        parameters = {a.arg for a in [*arguments.posonlyargs, *arguments.args,
                                      *arguments.kwonlyargs]}
        local: dict[str, list[ast.expr]] = {}
        calls: list[ast.Call] = []
        for sub in code_walk(function):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(
                sub.targets[0], ast.Name
            ):
                local.setdefault(sub.targets[0].id, []).append(sub.value)
            elif isinstance(sub, ast.withitem) and isinstance(sub.optional_vars, ast.Name):
                local.setdefault(sub.optional_vars.id, []).append(sub.context_expr)
            elif isinstance(sub, ast.Call):
                calls.append(sub)

        def reached(value: ast.expr | None) -> set[str]:
            if value is None:
                return set()
            found: set[str] = set()
            for sub in code_walk(value):
                if isinstance(sub, ast.Name):
                    if sub.id in parameters:
                        found.add(sub.id)
                    for bound in local.get(sub.id, []):
                        found.update(n.id for n in code_walk(bound)
                                     if isinstance(n, ast.Name) and n.id in parameters)
            return found

        sinks: dict[str, str] = {}
        for call in calls:
            name = self.aliases.qualify(call.func) or ""
            if is_process(name):
                sinks.update(dict.fromkeys(reached(judge.command_argument(call)), "command"))
            else:
                target = _write_target(call, name)
                sinks.update(dict.fromkeys(reached(target) - sinks.keys(), "path"))
        self._sinks[id(function)] = sinks
        return sinks

    def _outside(self, target: ast.expr, scope: Scope) -> str | None:
        """Why the path `target` is outside the tree (None: in the tree, in a scratch folder
        from tempfile, or unknown)."""
        kinds = self._path_kinds(target, scope)
        if "scratch" in kinds:
            return None
        for text in self._path_texts(target, scope, 2):
            reason = places.outside_text(text)
            if reason is not None:
                return reason
        if self.tracer.origin(target, scope) & Origin.DECODED:
            return "a place decoded at run time"
        if "interpreter" in kinds:
            return "the interpreter's folders"
        if "home" in kinds:
            return "the user's home or the shared temp folder"
        return None

    def _path_texts(self, target: ast.expr, scope: Scope, depth: int) -> list[str]:
        """What a path may spell: its folded text, and where that is unknown, each value a
        name may hold (a parameter's default too), a class constant, a dict literal's entry,
        the default of an environment lookup."""
        texts = [self.tracer.text(target, scope)]
        if depth <= 0 or not texts[0].startswith("?"):
            return texts
        for value in self._alternatives(target, scope):
            texts.extend(self._path_texts(value, scope, depth - 1))
        for value, where in self._returned(target, scope):
            texts.extend(self._path_texts(value, where, depth - 1))
        return texts

    def _returned(self, target: ast.expr, scope: Scope) -> list[tuple[ast.expr, Scope]]:
        """What a call of the module's own function or lambda returns, each value with the
        scope its names are looked up in (`def rc(): return expanduser("~/.bashrc")`)."""
        if not isinstance(target, ast.Call) or not isinstance(target.func, ast.Name):
            return []
        function = self._functions.get(target.func.id)
        if isinstance(function, ast.FunctionDef):
            binders = self._scopes[id(function)].binders if id(function) in self._scopes else []
            where = Scope(function, self._module_scope, binders)
            return [(value, where) for value in own_returns(function)[:6]]
        bound = scope.lookup(target.func.id) or []
        return [(value.body, scope) for value in bound if isinstance(value, ast.Lambda)]

    def _alternatives(self, target: ast.expr, scope: Scope) -> list[ast.expr]:
        if isinstance(target, ast.Name):
            return [v for v in (scope.lookup(target.id) or [])[:6] if isinstance(v, ast.expr)]
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            definition = self._classes_by_name.get(target.value.id)
            if definition is not None:
                return [item.value for item in definition.body if isinstance(item, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == target.attr
                                for t in item.targets)]
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            key = literal_str(target.slice)
            for bound in scope.lookup(target.value.id) or []:
                if isinstance(bound, ast.Dict) and key is not None:
                    return [v for k, v in zip(bound.keys, bound.values, strict=True)
                            if k is not None and literal_str(k) == key]
        if isinstance(target, ast.Call) and len(target.args) > 1 and (
            self.aliases.qualify(target.func) in {"os.environ.get", "os.getenv"}
        ):
            return [target.args[1]]
        if isinstance(target, ast.Call) and target.args and (
            self.aliases.qualify(target.func) in _PATH_SHAPERS
        ):
            return [target.args[0]]
        return []

    def _path_kinds(self, target: ast.expr, scope: Scope, hops: int = 0) -> set[str]:
        """The kinds of folder a path is rooted in, following its leftmost part (the first
        argument of os.path.join/Path/dirname, the left of `+` and `/`, an f-string's head,
        names and `self.x` a few steps): "scratch" (tempfile's private folders), "home" (home,
        the shared temp folder, variables naming them), "interpreter" (sys.prefix,
        site-packages, an installed module's file). A file *name* computed from anything
        (a hash of sys.executable) does not move the file."""
        value: ast.expr | None = target
        for _ in range(12):
            if value is None:
                return set()
            kind = self._path_kind(value)
            if kind is not None:
                return {kind}
            returned = self._returned(value, scope) if hops < 4 else []
            if returned:
                kinds_returned: set[str] = set()
                for item, where in returned:
                    kinds_returned |= self._path_kinds(item, where, hops + 1)
                return kinds_returned
            if isinstance(value, ast.Name | ast.Attribute) and hops < 4:
                if isinstance(value, ast.Name):
                    bound = [v for v in scope.lookup(value.id) or [] if isinstance(v, ast.expr)]
                elif isinstance(value.value, ast.Name) and value.value.id in {"self", "cls"}:
                    bound = self.tracer.member_values(value.attr)
                elif value.attr in {"parent", "parents", "stem", "name"}:
                    value = value.value
                    continue
                else:
                    return set()
                kinds: set[str] = set()
                for item in bound[:8]:
                    kinds |= self._path_kinds(item, scope, hops + 1)
                return kinds
            value = self._path_root(value)
        return set()

    def _path_root(self, value: ast.expr) -> ast.expr | None:
        """The part of a path expression that says where it is (None: nothing more to see)."""
        if isinstance(value, ast.Subscript):
            if self.aliases.qualify(value.value) == "sys.path" and isinstance(
                value.slice, ast.Constant
            ) and value.slice.value == 0:
                return None  # sys.path[0]: the setup script's own folder
            return value.value
        if isinstance(value, ast.BinOp):
            return value.left
        if isinstance(value, ast.ListComp | ast.GeneratorExp):
            return value.generators[0].iter  # [p for p in sys.path if ...][0]
        if isinstance(value, ast.JoinedStr):
            head = value.values[0] if value.values else None
            return head.value if isinstance(head, ast.FormattedValue) else None
        if isinstance(value, ast.BoolOp | ast.IfExp):
            return None if isinstance(value, ast.IfExp) else value.values[-1]
        if isinstance(value, ast.Call):
            name = self.aliases.qualify(value.func) or ""
            func = value.func
            if name in _PATH_SHAPERS and value.args:
                return value.args[0]
            if isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
                return func.value
        return None

    def _path_kind(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call):
            name = self.aliases.qualify(node.func) or ""
            if name in places.SCRATCH_CALLS:
                return "scratch"
            if name in places.INTERPRETER_PLACES:
                return "interpreter"
            if name in places.HOME_CALLS:
                return "home"
            if name in {"os.environ.get", "os.getenv"} and node.args:
                return _outside_variable(node.args[0])
        elif isinstance(node, ast.Attribute):
            name = self.aliases.qualify(node) or ""
            if name in places.INTERPRETER_PLACES or name == "sys.path":
                return "interpreter"
            if node.attr == "__file__" and name.split(".")[0] in places.STANDARD_MODULES:
                return "interpreter"  # os.__file__: where the interpreter's modules live
        elif isinstance(node, ast.Subscript) and self._is_environ(node.value):
            return _outside_variable(node.slice)
        return None

    def _names_site_folder(self, value: ast.expr, scope: Scope, depth: int) -> bool:
        """Whether a path is built from a call that names the interpreter's own folders."""
        for sub in code_walk(value):
            if isinstance(sub, ast.Call) and (self.aliases.qualify(sub.func) or "") in _SITE_DIRS:
                return True
            if isinstance(sub, ast.Name) and depth > 0 and any(
                self._names_site_folder(v, scope, depth - 1) for v in scope.lookup(sub.id) or []
            ):
                return True
        return False

    def _carried(self, data: ast.expr, scope: Scope) -> bool:
        """A payload the package carries: data written out that is a literal of some size
        (an embedded executable, script or blob), not computed from parameters."""
        if self.tracer.origin(data, scope) & Origin.OPAQUE:
            return False
        text = self.tracer.text(data, scope)
        return len(text) >= _SHORTEST_CODE and "?" not in text[:_SHORTEST_CODE]

    def _written_code(self, data: ast.expr, node: ast.Call, scope: Scope) -> None:
        """Python source written out from a literal (a module bundled in a string, a script
        dropped next to the package) is read like the file itself."""
        if self.depth >= 2 or isinstance(data, ast.JoinedStr):
            return
        text = self.tracer.text(data, scope)
        if len(text) >= _SHORTEST_CODE and text != "?" and "\n" in text.strip():
            judge.nested_worst(self, text, node)

    def _dropped(self, handle: ast.expr, scope: Scope) -> None:
        """The file name `handle` (an open file, a Path) was opened with, as far as literals
        show it: a process that names it runs what was just written."""
        target: ast.expr | None = handle
        if isinstance(handle, ast.Name):
            values = scope.lookup(handle.id) or []
            target = values[0] if len(values) == 1 else None
        if isinstance(target, ast.Call) and target.args:
            target = target.args[0]  # open(path, ...), Path(path)
        text = self.tracer.text(target, scope) if target is not None else "?"
        name = text.replace("\\", "/").rsplit("/", 1)[-1]
        if len(name) > 2 and "?" not in name:
            self.file.dropped.append(name)

    def _socket_send(self, node: ast.Call, scope: Scope) -> None:
        """`conn.sendall(data)` on a connection: what is sent matters (host data, environment).
        Any method of a client given such data sends it too (`ftp.storbinary`,
        `smtp.sendmail`, an RPC proxy's methods), and so does a logger whose handler posts
        its records: those block at install time only."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if not node.args and not node.keywords:
            return
        drop: int | None = None if func.attr in _SENDS else 4
        if drop is not None and not self._host_words:
            return  # nothing in the file reads the environment or who the host is
        if drop is not None and not isinstance(func.value, ast.Name | ast.Call) and (
            func.attr not in _LOG_METHODS
        ):
            return  # a client is a name or a call (`ftp.storbinary`, `SMTP(h).sendmail`)
        if drop is not None and func.attr not in _LOG_METHODS and not self._client(
            func.value, scope
        ):
            return
        if not self.tracer.origin(func.value, scope) & Origin.NETWORK and not (
            func.attr in _LOG_METHODS
            and self._arguments_origin(node, scope) & (Origin.ENV | Origin.HOST)
            and ast.dump(func.value) in self._loggers_posting(scope)
        ):
            return
        if self._arguments_origin(node, scope) & (Origin.ENV | Origin.HOST):
            self.hit("hook/env-exfiltration", node,
                     f"{func.attr} sends environment or host data over a connection",
                     Severity.CRITICAL, import_drop=drop)

    def _client(self, value: ast.expr, scope: Scope) -> bool:
        """`value` is a network client made in place or bound once to one (`SMTP(h)`,
        `ftp = FTP(h)`, `r, w = await open_connection(...)`): a cheap test before the full
        origin is traced."""
        if isinstance(value, ast.Name):
            values = scope.lookup(value.id) or []
            if len(values) != 1:
                return False
            value = values[0]
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return False
        if isinstance(value.func, ast.Name) and value.func.id in self.tracer.network_classes:
            return True
        return is_network(self.aliases.qualify(value.func) or "")

    def _loggers_posting(self, scope: Scope) -> set[str]:
        if self._network_loggers is None:
            self._network_loggers = {
                ast.dump(call.func.value) for call in ast.walk(self._tree)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "addHandler" and call.args
                and self.tracer.origin(call.args[0], scope) & Origin.NETWORK
            }
        return self._network_loggers

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
        first = judge.command_argument(node)
        return self.tracer.origin(first, scope) if first is not None else Origin.NONE

    def _arguments_origin(self, node: ast.Call, scope: Scope) -> Origin:
        values = [*node.args, *(k.value for k in node.keywords)]
        result = Origin.NONE
        for value in values:
            result |= self.tracer.origin(value, scope)
        return result

    def _on_literal(self, node: ast.Constant) -> None:
        self._runner_named(node)
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
            if _KEYED_ENDPOINT.search(text):
                # A webhook or bot with its key spelt out is one drop box, not an API a
                # library offers: high wherever it is, also in code run only on import.
                self.hit("hook/webhook", node, "names an exfiltration endpoint with its key: "
                         f"{text[:60]!r}", Severity.HIGH, import_drop=0)
            else:
                self.hit("hook/webhook", node, f"names an exfiltration endpoint: {text[:80]!r}")
                self.file.endpoints.append(node)
        elif len(text) < 64 and ":" in text and _BOT_TOKEN.fullmatch(text):
            self.file.bot_tokens.append(node)
        if "://" in text[:16] and _RAW_ADDRESS.match(text):
            self.hit("hook/webhook", node, f"names a server by raw address: {text[:80]!r}",
                     Severity.MEDIUM, import_drop=3)
            host = text.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
            if _public_address(host.rsplit(":", 1)[0] if host.count(":") == 1 else host):
                self.file.raw_servers.append(node)
        if text.startswith(_BASE64_HTTP):
            self._encoded_url(node, text)
        if len(text) >= 256 and looks_encoded(text):  # its own first test, asked in place
            self.hit(
                "hook/obfuscation",
                node,
                f"a {len(text)}-character string literal looks like an encoded blob",
            )

    def _encoded_url(self, node: ast.Constant, text: str) -> None:
        """A URL spelt in base64 (`aHR0c...` is `http...`): an address kept from readers and
        from text searches, judged as the URL it decodes to."""
        url = _base64_url(text)
        if url is None:
            return
        if WEBHOOK.search(url) and _KEYED_ENDPOINT.search(url):
            self.hit("hook/webhook", node, "names an exfiltration endpoint with its key, spelt "
                     f"in base64: {url[:60]!r}", Severity.HIGH, import_drop=0)
            return
        if WEBHOOK.search(url):
            self.hit("hook/webhook", node, f"names an exfiltration endpoint spelt in base64: "
                     f"{url[:80]!r}")
            self.file.endpoints.append(node)
        self.hit("hook/obfuscation", node, f"spells a URL in base64: {url[:80]!r}")

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
            and func.attr in _ENVIRON_VIEWS
            and self._is_environ(func.value)
        )

    def _is_environ(self, node: ast.expr) -> bool:
        return self.aliases.qualify(node) == "os.environ"

    def _setup_call(self, node: ast.Call, scope: Scope) -> None:
        self._build_fetches(node)
        for keyword in node.keywords:
            if keyword.arg == "entry_points":
                self._entry_points(keyword.value, scope, "", 3)
            if keyword.arg == "scripts":
                # script files are installed into bin/ under their own names
                self.console_scripts += [
                    (text.replace("\\", "/").rsplit("/", 1)[-1], keyword.value.lineno)
                    for text in literal_texts_of(keyword.value) if text.strip()
                ]
            if keyword.arg == "cmdclass" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    command = literal_str(key) if key is not None else None
                    if command and isinstance(value, ast.Name):
                        self._cmdclass[value.id] = command

    def _build_fetches(self, node: ast.Call) -> None:
        """setup(setup_requires=[...]) is installed and run by the build: a requirement
        named by URL, or one looked up in dependency_links, is code from a server nobody
        vetted (setuptools hands those links to pip as --find-links)."""
        given = {k.arg: k.value for k in node.keywords if k.arg}
        requires = given.get("setup_requires")
        if requires is None:
            return
        wanted = [t for t in literal_texts_of(requires) if t.strip()]
        if any(_DIRECT_URL.search(t) for t in wanted):
            self.hit("hook/download-exec", requires, "installs a build requirement from a URL "
                     "(setup_requires): code nobody vetted runs at install", Severity.HIGH,
                     import_drop=4)
        links = given.get("dependency_links")
        if wanted and links is not None and any(
            "://" in t for t in literal_texts_of(links)
        ):
            self.hit("hook/download-exec", links, "looks its build requirements up in "
                     "dependency_links: code from a server nobody vetted runs at install",
                     Severity.HIGH, import_drop=4)

    def _entry_points(self, value: ast.expr, scope: Scope, group: str, depth: int) -> None:
        """Console scripts of setup(entry_points=...) declared any way setuptools accepts: a
        dict literal, dict(...), an INI string, lists and names bound to them."""
        if depth < 0:
            return
        if isinstance(value, ast.Name):
            for bound in scope.lookup(value.id) or []:
                self._entry_points(bound, scope, group, depth - 1)
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                name = self.tracer.text(key, scope) if key is not None else ""
                self._entry_points(item, scope, name, depth)
        elif isinstance(value, ast.Call) and self.aliases.qualify(value.func) == "dict":
            for keyword in value.keywords:
                self._entry_points(keyword.value, scope, keyword.arg or "", depth)
        elif isinstance(value, ast.List | ast.Tuple | ast.Set):
            for item in value.elts:
                self._entry_points(item, scope, group, depth)
        else:
            self._script_specs(self.tracer.text(value, scope), group, value.lineno)

    def _script_specs(self, text: str, group: str, line: int) -> None:
        """`name = module:func` lines of a group, or of an INI text's script sections."""
        for spec in text.splitlines():
            spec = spec.strip()
            if spec.startswith("[") and spec.endswith("]"):
                group = spec[1:-1].strip()
            elif "=" in spec and group in {"console_scripts", "gui_scripts"}:
                self.console_scripts.append((spec.split("=", 1)[0].strip(), line))

    def _file_rules(self) -> None:
        longest = max(map(len, self.lines), default=0)
        self._written_to_hide(longest)
        long_lines = longest > _LONG_LINE
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
        self._steps_together()
        known = {node.name for node, _ in self._commands}
        self._commands.extend(
            (self._classes[name], command)
            for name, command in self._cmdclass.items()
            if name in self._classes and name not in known
        )
        judge.command_classes(self, self._commands)


    def _written_to_hide(self, longest: int) -> None:
        """Code pushed out of sight by a run of blanks, identifiers in look-alike letters
        (the parser reads them as ASCII), PyArmor's runtime names. `longest`: the length of
        the longest line (no line of _HIDING_RUN characters or fewer holds such a run)."""
        for number, line in enumerate(self.lines if longest > _HIDING_RUN else [], 1):
            if len(line) > _HIDING_RUN and _OFF_SCREEN.search(line):
                self.hits.append(Hit("hook/obfuscation", Severity.MEDIUM, number,
                                     "hides code after a long run of blanks", line.strip()[:120]))
                break
        if not self._source_ascii:
            for number, line in enumerate(self.lines, 1):
                code = line.split("#", 1)[0]
                if not code.isascii() and _LOOKALIKE_NAME.search(code):
                    self.hits.append(Hit("hook/obfuscation", Severity.MEDIUM, number,
                                         "writes names in look-alike letters", line.strip()[:120]))
                    break
        if self._armored:
            self.hits.append(Hit("hook/capability", Severity.MEDIUM, None,
                                 "carries PyArmor's runtime names: code protected against reading"))

    def _parameter_command(self, node: ast.Call, scope: Scope) -> str | None:
        """The name of the module function whose parameter `node` starts as a command, or
        None (a method, a lambda, a command of its own)."""
        function = scope.node
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or (
            self._functions.get(function.name) is not function
        ):
            return None
        command = judge.command_argument(node)
        if not isinstance(command, ast.Name):
            return None
        if self._helper_sinks(function).get(command.id) != "command":
            return None
        return function.name

    def _programs(self) -> list[ast.Call]:
        """Process starts for the rules below, which cannot tell what a start runs. A
        helper's start counts unless every use of the helper is a direct call handing it a
        command that literals spell, program and script, and that runs nothing this file
        writes (reportlab's `spCall([sys.executable, "runAll.py"])`): a dropped payload can
        only run through a start whose target is computed."""
        facts = self.file
        found = list(facts.programs)
        if not facts.helper_programs:
            return found
        uses = Counter(node.id for node in code_walk(self._tree) if isinstance(node, ast.Name))
        for node, helper in facts.helper_programs:
            handed = facts.handed.get(helper, [])
            known = bool(handed) and uses[helper] == len(handed) and all(
                severity <= Severity.LOW and _spelled(text)
                and not any(name in text for name in facts.dropped)
                for severity, text in handed
            )
            if not known:
                found.append(node)
        return found

    def _steps_together(self) -> None:
        """Steps a dropper or a beacon spreads over helper functions, judged per file."""
        facts = self.file
        programs = self._programs()
        # A carried literal dropped into a home or temp folder is a payload as much as a
        # downloaded one; a scratch source computed from parameters is a compiler probe.
        dropped = facts.payload_writes or (facts.place_writes and facts.carried_writes)
        if programs and dropped:
            self.hit(
                "hook/download-exec",
                dropped[0],
                "writes decoded or downloaded data and starts a program",
                Severity.HIGH,
                import_drop=3,
                together=(programs,),
            )
        elif programs and facts.verified_writes:
            self.hit(
                "hook/download-exec",
                facts.verified_writes[0],
                "writes downloaded data checked against a pinned digest and starts a program",
                Severity.MEDIUM,
                import_drop=3,
            )
        elif programs and facts.place_writes:
            self.hit(
                "hook/download-exec",
                facts.place_writes[0],
                "writes into a home or temp folder and starts a program",
                Severity.MEDIUM,
                import_drop=3,
            )
        for call, command in facts.commands:
            if any(name in command for name in facts.dropped):
                self.hit(
                    "hook/download-exec",
                    call,
                    "runs a file it wrote from downloaded or decoded data",
                    Severity.HIGH,
                    import_drop=3,
                    together=(facts.payload_writes or facts.carried_writes,),
                )
                break
        if facts.network and facts.raw_servers:
            # A build fetches from named hosts (indexes, release pages); a server with no
            # name, reached while installing, is where beacons and stagers report.
            self.hit("hook/network-fetch", facts.raw_servers[0],
                     "talks to a server named by a public IP address", Severity.HIGH,
                     import_drop=3, together=(facts.network,))
        if facts.endpoints and facts.bot_tokens:
            self.hit("hook/webhook", facts.bot_tokens[0], "carries a bot token for the "
                     "exfiltration endpoint it names", Severity.HIGH, import_drop=0)
        rules = {hit.rule for hit in self.hits if hit.severity >= Severity.HIGH}
        if {"hook/sensitive-read", "hook/webhook"} <= rules:
            first = next(h for h in self.hits if h.rule == "hook/sensitive-read")
            self.hits.append(Hit(
                "hook/env-exfiltration", Severity.CRITICAL, first.line,
                "names both where secrets are kept and where stolen data is sent: a stealer",
                first.evidence, deferred=first.deferred,
            ))
        host = [call for call in facts.host if id(call) not in facts.own_address]
        if facts.network and host:
            self.hit(
                "hook/env-exfiltration",
                host[0],
                "reads the host's identity in code that also uses the network",
                Severity.HIGH,
                import_drop=3,
                together=(facts.network,),
            )


def _calls_in(
    scopes: dict[int, ScopeNodes], known: dict[int, list[ast.Call]], function: ast.AST
) -> list[ast.Call]:
    """The calls in `function` and the scopes nested in it, in no particular order; `known`
    keeps them by id(function) (the caller's tree keeps the function alive)."""
    found = known.get(id(function))
    if found is None:
        collected = id(function) in scopes
        found = calls_under(scopes, function) if collected else walked_calls(function)
        known[id(function)] = found
    return found


def _spelled(command: str) -> bool:
    """Literals spell the program a folded command starts, and for an interpreter the script
    or module it runs (`python runAll.py ?`, `make -j ?`; not `? x`, `python ?`)."""
    words = command.split()
    if not words or "?" in words[0]:
        return False
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program.startswith(("python", "py", "sh", "bash", "cmd", "powershell", "node")):
        return len(words) > 1 and "?" not in words[1] and not words[1].startswith("-")
    return True


def dormant_lines(tree: ast.Module, awake: frozenset[str]) -> frozenset[int]:
    """Lines inside functions and methods that the module's top level never calls (directly
    or through other functions it calls by name), nor an install hook names (`awake`: the
    names setup.py uses, as in `from pkg import run; run()`)."""
    index = _Index(tree)
    if not index.functions:
        return frozenset()
    reached: set[str] = set()
    pending = index.names[0] | awake
    used = set(pending)
    implicit: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    woken: set[int] = set()
    while pending:
        while pending:
            name = pending.pop()
            if name in reached or name not in index.functions:
                continue
            reached.add(name)
            for function in index.functions[name]:
                pending |= index.names[id(function)]
                used |= index.names[id(function)]
        for function in _implicit_calls(index, used):
            if id(function) not in woken:
                woken.add(id(function))
                implicit.append(function)
                pending |= index.names[id(function)]
                used |= index.names[id(function)]
    lines: set[int] = set()
    for name, defs in index.functions.items():
        if name not in reached:
            for function in defs:
                first = function.body[0].lineno if function.body else function.lineno
                lines.update(range(first, (function.end_lineno or first) + 1))
    awake_nodes: list[ast.stmt] = [f for name in reached for f in index.functions[name]]
    awake_nodes += implicit
    awake_nodes += [  # a command class's methods run when setup.py names it; a class that
        # setup.py uses runs its methods when it is instantiated
        node for node in index.classes
        if node.name in awake or any(
            (_base_name(base) or "").lstrip("_") in _COMMAND_BASES | {"Command"}
            for base in node.bases
        )
    ]
    for node in awake_nodes:
        lines.difference_update(range(node.lineno, (node.end_lineno or 0) + 1))
    return frozenset(lines)


def idle_lines(tree: ast.Module) -> frozenset[int]:
    """Lines that importing the module does not run: functions and methods that its top level
    (class bodies included) never calls, directly or through functions it calls, nor hands
    to a thread, a timer or atexit; and the `if __name__ == "__main__":` block, which runs
    only when the file is a script. Stricter than `dormant_lines`: a function only named at
    the top level (registered as a command, listed in a table) is not run by the import."""
    index = _Calls(tree)
    reached: set[str] = set()
    running: set[int] = set()
    pending = set(index.called[0])
    while pending:
        name = pending.pop()
        if name in reached or name not in index.functions:
            continue
        reached.add(name)
        for function in index.functions[name]:
            running.add(id(function))
            pending |= index.called[id(function)]
    lines: set[int] = set(index.main_lines)
    for defs in index.functions.values():
        for function in defs:
            if id(function) not in running:
                first = function.body[0].lineno if function.body else function.lineno
                lines.update(range(first, (function.end_lineno or first) + 1))
    return frozenset(lines)


_RUNS_LATER = frozenset(
    {"Thread", "Timer", "Process", "start_new_thread", "register", "submit",
     "run_in_executor", "call_soon", "call_later", "apply_async", "Greenlet", "spawn"}
)
"""Calls that run the function they are given (now, on another thread, or at exit): the
import runs it as surely as a call."""


def _main_guard(node: ast.If) -> bool:
    """`if __name__ == "__main__":`, either way round, alone or in an `and`."""
    tests = node.test.values if isinstance(node.test, ast.BoolOp) else [node.test]
    for test in tests:
        if not isinstance(test, ast.Compare):
            continue
        sides = [test.left, *test.comparators]
        names = {side.id for side in sides if isinstance(side, ast.Name)}
        texts = {side.value for side in sides if isinstance(side, ast.Constant)}
        if names == {"__name__"} and texts == {"__main__"}:
            return True
    return False


class _Calls:
    """One pass over a module: its functions and methods by name, the names each body calls
    (key: id of the def; 0: the top level and class bodies) or hands to a runner such as
    threading.Thread, and the lines of the top level's `if __name__ == "__main__":` block.
    A class called by name runs its own `__init__`. A method counts when called on `self`, `cls`,
    `super()`, one of the module's classes or an instance the top level makes of one:
    `store.update(...)` on anything else calls someone else's `update`."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.called: dict[int, set[str]] = {0: set()}
        self.main_lines: set[int] = set()
        classes = {node.name for node in code_walk(tree) if type(node) is ast.ClassDef}
        self._owners = classes | {"self", "cls"} | _instances(tree, classes)
        self._classes = classes
        stack: list[tuple[ast.AST, int]] = [(tree, 0)]
        while stack:
            node, owner = stack.pop()
            if isinstance(node, ast.If) and owner == 0 and _main_guard(node):
                last = node.body[-1].end_lineno or node.body[-1].lineno
                self.main_lines.update(range(node.body[0].lineno, last + 1))
                stack.extend((item, 0) for item in node.orelse)  # `else:` runs on import
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, []).append(node)
                self.called[id(node)] = set()
                outer = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
                stack.extend((item, owner) for item in outer if item is not None)
                stack.extend((item, id(node)) for item in node.body)
                continue
            if isinstance(node, ast.Call):
                self._call(node, owner)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:  # also by `Klass.method`: what calling Klass runs
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        self.functions.setdefault(f"{node.name}.{item.name}", []).append(item)
            for name in CODE_FIELDS.get(type(node), ()):
                child = getattr(node, name)
                if type(child) is list:
                    stack.extend((item, owner) for item in child if item is not None)
                elif child is not None and not isinstance(child, str | int):
                    stack.append((child, owner))

    def _call(self, node: ast.Call, owner: int) -> None:
        called = self.called[owner]
        func = node.func
        runner = func.attr if isinstance(func, ast.Attribute) else self._name(func)
        name = self._name(func)
        if name is not None:
            called.add(name)
            if name in self._classes:
                called.add(f"{name}.__init__")
        if runner in _RUNS_LATER:
            given = [*node.args, *(k.value for k in node.keywords)]
        else:
            given = [k.value for k in node.keywords if k.arg == "target"]
        called.update(n for n in map(self._name, given) if n is not None)

    def _name(self, node: ast.expr) -> str | None:
        """The module's own function or method an expression names (`f`, `self.method`,
        `Klass().method`), else None."""
        if isinstance(node, ast.Name):
            return node.id
        if not isinstance(node, ast.Attribute):
            return None
        receiver = node.value
        if isinstance(receiver, ast.Call):
            receiver = receiver.func  # Klass().method, super().method
            if isinstance(receiver, ast.Name) and receiver.id == "super":
                return node.attr
        if isinstance(receiver, ast.Name) and receiver.id in self._owners:
            return node.attr
        return None


def _instances(tree: ast.Module, classes: set[str]) -> set[str]:
    """Names the top level binds to an instance of one of the module's classes."""
    found: set[str] = set()
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Name)
                and statement.value.func.id in classes):
            found.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return found


_IMPLICIT_METHODS = frozenset(
    {"__new__", "__init__", "__init_subclass__", "__set_name__", "__prepare__",
     "__class_getitem__", "__get__", "__set__", "__getattr__", "__getattribute__", "__del__"}
)
"""Special methods that run when a class is defined, subclassed, instantiated, or an
attribute is read through it: naming the class is enough. (`__call__` and the protocol
methods need more than a name, a call or a loop, which the names of the code show.)"""


def _implicit_calls(
    index: _Index, used: set[str]
) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Methods Python calls without their name being written: a used class's special
    methods (a metaclass's `__new__`, a base's `__init_subclass__`, a descriptor's `__get__`
    run when the class is named, subclassed or read through: `_IMPLICIT_METHODS`), and a
    module's own `__getattr__`, which answers `from module import missing`."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        f for f in index.functions.get("__getattr__", []) if f in index.top
    ]
    for node in index.classes:
        if node.name in used:
            found += [
                item for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and item.name in _IMPLICIT_METHODS
            ]
    return found


class _Index:
    """One pass over a module: its functions by name, its classes, and the names each
    function body (key: id of the def; 0: what runs on import) mentions."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.classes: list[ast.ClassDef] = []
        self.top = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        """The module's own functions (not methods): a `__getattr__` here is the module's."""
        self.names: dict[int, set[str]] = {0: set()}
        # Each body is walked apart (what it mentions goes to one set), so no node is paired
        # with its owner; a def met on the way is walked after, its decorators and defaults
        # with the code around it. The sets do not depend on the order of the walk.
        bodies: list[tuple[list[ast.AST], set[str]]] = [([tree], self.names[0])]
        plans = CODE_PLANS
        name_, attribute = ast.Name, ast.Attribute
        while bodies:
            stack, names = bodies.pop()
            pop, push, push_all, add = stack.pop, stack.append, stack.extend, names.add
            while stack:
                node = pop()
                kind = type(node)
                if kind is name_:
                    add(node.id)  # type: ignore[attr-defined]
                    continue
                if kind is attribute:
                    add(node.attr)  # type: ignore[attr-defined]
                    push(node.value)  # type: ignore[attr-defined]
                    continue
                if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                    function: ast.FunctionDef = node  # type: ignore[assignment]
                    self.functions.setdefault(function.name, []).append(function)
                    inside = self.names[id(function)] = set()
                    push_all(function.decorator_list)
                    push_all(function.args.defaults)
                    bodies.append((list(function.body), inside))
                    continue
                if kind is ast.ClassDef:
                    self.classes.append(node)  # type: ignore[arg-type]
                fetch, several = plans.get(kind, _NO_PLAN)
                if several:
                    for child in fetch(node):  # type: ignore[misc]
                        if type(child) is list:
                            push_all(child)  # gaps (None) are popped as nodes of no fields
                        elif child is not None and not isinstance(child, str | int):
                            push(child)
                elif fetch is not None:
                    child = fetch(node)
                    if type(child) is list:
                        push_all(child)
                    elif child is not None and not isinstance(child, str | int):
                        push(child)


_NO_PLAN: tuple[None, bool] = (None, False)


def used_names(tree: ast.Module) -> frozenset[str]:
    """Every name and attribute an install hook mentions (what it may call in modules it
    imports)."""
    index = _Index(tree)
    return frozenset(set().union(*index.names.values()))


_DIRECT_URL = re.compile(r"@\s*[a-z][a-z0-9+.-]*://", re.IGNORECASE)
"""A PEP 508 direct reference (`name @ https://...`)."""


def _literal_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_texts_of(node: ast.expr) -> list[str]:
    """The string literals inside an expression (a list of requirements, one string)."""
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


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


_IMPORTABLE_ARCHIVES = (".zip", ".egg", ".whl", ".pyz")
"""Archives the import system reads modules from when they are on sys.path."""
_SITE_DIRS = frozenset(
    {"sysconfig.get_paths", "sysconfig.get_path", "site.getsitepackages",
     "site.getusersitepackages", "distutils.sysconfig.get_python_lib", "site.getuserbase"}
)
"""Calls naming the interpreter's own folders, where a .pth runs at every start."""


def _opens_for_writing(node: ast.Call, position: int = 1) -> bool:
    """Whether open() (mode at `position`; 0 for Path.open) opens for writing."""
    mode = (
        node.args[position]
        if len(node.args) > position
        else next((k.value for k in node.keywords if k.arg == "mode"), None)
    )
    text = literal_str(mode) if mode is not None else None
    return text is not None and any(flag in text for flag in "wax+")


_EVALUATED_RUNNERS = EXEC_BUILTINS | {"__import__", "getattr", "__builtins__", "globals", "vars"}
"""Names whose evaluation hands back a way to run code or to look functions up by name."""
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
"""A replacement field of str.format (`{}`, `{0}`, `{name!r}`)."""


def _inert_code(value: ast.expr) -> bool:
    """A string literal whose code calls and imports nothing (definitions, raise, assignments
    of literals): running it does nothing a reader cannot see."""
    code = literal_str(value)
    if code is None:
        return False
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return not any(
        isinstance(node, ast.Call | ast.Import | ast.ImportFrom | ast.Attribute)
        for node in code_walk(tree)
    )


_CHANGE_SECOND = frozenset(
    {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move",
     "os.rename", "os.replace", "os.renames", "os.symlink", "os.link", "shutil.unpack_archive",
     "distutils.file_util.copy_file", "distutils.file_util.move_file",
     "distutils.dir_util.copy_tree", "setuptools._distutils.file_util.copy_file",
     "setuptools._distutils.dir_util.copy_tree"}
)
"""Calls that create or replace the file named by their second argument."""
_CHANGE_FIRST = frozenset(
    {"os.chmod", "os.lchmod", "os.chown", "os.lchown", "os.utime", "os.truncate", "os.mkfifo",
     "distutils.file_util.write_file", "setuptools._distutils.file_util.write_file"}
)
"""Calls that change the file named by their first argument."""
_WRITE_FLAGS = frozenset({"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"})


def _changed_path(node: ast.Call, name: str) -> ast.expr | None:
    """The path a call creates or changes, other than open()/pathlib writes: the destination
    of a copy, move or link, the file chmod/utime changes, os.open with write flags."""
    if name in _CHANGE_SECOND and len(node.args) > 1:
        return node.args[1]
    if name in _CHANGE_FIRST and node.args:
        return node.args[0]
    into = _extracted_into(node)
    if into is not None:
        return into
    if name in {"fileinput.input", "fileinput.FileInput"} and any(
        k.arg == "inplace" and not (isinstance(k.value, ast.Constant) and not k.value.value)
        for k in node.keywords
    ):
        # inplace: what the loop prints replaces the file
        return node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "files"), None)
    if name == "os.open" and len(node.args) > 1 and any(
        isinstance(sub, ast.Attribute | ast.Name)
        and (sub.attr if isinstance(sub, ast.Attribute) else sub.id) in _WRITE_FLAGS
        for sub in code_walk(node.args[1])
    ):
        return node.args[0]
    return None


def _outside_variable(node: ast.expr) -> str | None:
    text = literal_str(node)
    return "home" if text is not None and text.lower() in places.OUTSIDE_VARIABLES else None


_KEYED_ENDPOINT = re.compile(
    r"discord(?:app)?\.com/api/webhooks/\d{17,20}/[\w-]{60,}"
    r"|api\.telegram\.org/bot\d{8,10}:AA[\w-]{33}"
    r"|hooks\.slack\.com/services/T\w{8,}/B\w{8,}/\w{24}",
    re.IGNORECASE,
)
"""Webhook and bot URLs with their id and secret: a concrete drop box."""
_BOT_CLIENTS = frozenset(
    {"telebot.TeleBot", "telebot.AsyncTeleBot", "telebot.async_telebot.AsyncTeleBot",
     "telegram.Bot", "telegram.ext.Updater", "telegram.ext.ApplicationBuilder",
     "telegram.ext.Application.builder", "aiogram.Bot", "telethon.TelegramClient"}
)
"""Clients of the Telegram bot API: given a bot token, they are its address."""
_BASE64_HTTP = "aHR0c"
"""How base64 spells `http` at the start of a text (`aHR0cDov` is `http:/`, `aHR0cHM6` is
`https:`)."""
_LONGEST_ENCODED_URL = 4096


def _base64_url(text: str) -> str | None:
    """The URL a base64 literal spells, or None when it is not one (decoding only, bounded)."""
    if len(text) > _LONGEST_ENCODED_URL:
        return None
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    url = decoded.decode("ascii", "replace")
    return url if url.startswith(("http://", "https://")) and url.isprintable() else None


_BOT_TOKEN = re.compile(r"\d{8,10}:AA[\w-]{33}")
_DIGEST_NAME = re.compile(r"sha\d|md5|blake|hash|digest")
"""Names of calls that compute a digest (hashlib's, a module's own `_get_hash`)."""
_OPENERS = (FILE_OPEN - {"os.open"}) | {"io.FileIO", "_io.FileIO", "builtins.open"}
"""Calls that open a file by path with a mode (os.open's flags are judged apart)."""


def _write_target(node: ast.Call, name: str) -> ast.expr | None:
    """The path a call creates or changes, when it is one of the ways files are written."""
    func = node.func
    if name in _OPENERS:
        path = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "file"), None)
        return path if _opens_for_writing(node) else None
    changed = _changed_path(node, name)
    if changed is not None:
        return changed
    if isinstance(func, ast.Attribute) and name not in FILE_OPEN and (
        func.attr in _PATHLIB_WRITES or (func.attr == "open" and _opens_for_writing(node, 0))
    ):
        return func.value
    return None


def _extracted_into(node: ast.Call) -> ast.expr | None:
    """The folder `archive.extractall(path)` / `archive.extract(member, path)` unpacks into."""
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in {"extractall", "extract"}:
        return None
    position = 0 if func.attr == "extractall" else 1
    if len(node.args) > position:
        return node.args[position]
    return next((k.value for k in node.keywords if k.arg == "path"), None)


_PATH_SHAPERS = frozenset(
    {"os.path.join", "posixpath.join", "ntpath.join", "os.path.dirname", "os.path.abspath",
     "os.path.realpath", "os.path.normpath", "os.path.expanduser", "os.path.expandvars",
     "pathlib.Path", "Path", "pathlib.PurePath", "PurePath", "str", "os.fspath", "next",
     "list", "sorted", "min", "max", "reversed"}
)
"""Calls whose first argument says where the path they make is."""
_PATH_METHODS = frozenset(
    {"joinpath", "resolve", "absolute", "expanduser", "with_name", "with_suffix", "format"}
)
_PATHLIB_WRITES = frozenset({"write_text", "write_bytes", "touch", "symlink_to", "hardlink_to"})


def _public_address(text: str) -> bool:
    """A literal IP address on the public internet (not loopback, private or reserved)."""
    try:
        return ipaddress.ip_address(text.strip("[]")).is_global
    except ValueError:
        return False


_WRITERS = _OPENERS | _CHANGE_SECOND | _CHANGE_FIRST
"""Calls that create or change a file named by an argument."""


_WRITE_NAMES = _WRITERS | {"fileinput.input", "fileinput.FileInput", "os.open"}
_WRITE_METHODS = _PATHLIB_WRITES | {
    "open", "extractall", "extract", "write", "write_bytes", "write_text", "writelines"}


def _may_write(name: str, attr: str) -> bool:
    """Whether `PythonScan._payload_write` can act on a call of `name` (`attr`: the method
    called, "" for none): the names and methods it, `_changed_path` and
    `_opened_for_writing` act on (most calls are none of them)."""
    return (
        name in _WRITE_NAMES
        or attr in _WRITE_METHODS
        or name.startswith(("shutil.copy", "shutil.move", "os.rename"))
        or name.endswith("copyfileobj")
    )
