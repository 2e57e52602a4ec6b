"""Who is being called: qualified names through import aliases, and the catalogues of calls
the rules care about (process, network, decoding, host identity)."""

from __future__ import annotations

import ast
import base64
import codecs

EXEC_BUILTINS = frozenset({"exec", "eval", "compile", "execfile"})
"""Builtins that run a string as code (named without call parentheses on purpose)."""

CODE_RUNNERS = frozenset(
    {
        "timeit.timeit",
        "timeit.repeat",
        "timeit.Timer",
        "cProfile.run",
        "cProfile.runctx",
        "cProfile.Profile.run",
        "cProfile.Profile.runctx",
        "profile.run",
        "profile.runctx",
        "profile.Profile.run",
        "profile.Profile.runctx",
        "pdb.run",
        "pdb.runeval",
        "pdb.runctx",
        "pdb.Pdb.run",
        "bdb.Bdb.run",
        "trace.Trace.run",
        "trace.Trace.runctx",
        "code.InteractiveInterpreter.runsource",
        "code.InteractiveInterpreter.runcode",
        "code.InteractiveConsole.runsource",
        "code.InteractiveConsole.runcode",
        "code.InteractiveConsole.push",
        "ctypes.pythonapi.PyRun_SimpleString",
        "ctypes.pythonapi.PyRun_SimpleStringFlags",
        "ctypes.pythonapi.PyRun_String",
    }
)
"""Standard-library calls that compile and run a string as Python like exec does (a timer's
statement, a profiler's command, an interpreter's source line): exec under another name."""

PROCESS = frozenset(
    {
        "subprocess.Popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "os.popen4",
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.startfile",
        "os.execl",
        "win32api.ShellExecute",
        "ctypes.windll.shell32.ShellExecuteW",
        "ctypes.windll.shell32.ShellExecuteA",
        "pty.spawn",
        "commands.getoutput",
        "commands.getstatusoutput",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "platform.popen",
        # The same starters under other names: os's C module (`posix`/`nt`), distutils' and
        # setuptools' spawn, pexpect, and Windows' CreateProcess.
        "posix.system",
        "posix.popen",
        "posix.posix_spawn",
        "posix.posix_spawnp",
        "nt.system",
        "nt.startfile",
        "distutils.spawn.spawn",
        "setuptools._distutils.spawn.spawn",
        "setuptools.distutils.spawn.spawn",
        "pexpect.spawn",
        "pexpect.run",
        "pexpect.popen_spawn.PopenSpawn",
        "ptyprocess.PtyProcess.spawn",
        "_winapi.CreateProcess",
        "win32process.CreateProcess",
        "_posixsubprocess.fork_exec",
        # pip's own entry points, run in-process: the arguments are a pip command line
        "pip.main",
        "pip._internal.main",
        "pip._internal.cli.main.main",
    }
)
PROCESS_PREFIXES = ("os.exec", "os.spawn", "posix.exec", "nt.exec", "nt.spawn")

NETWORK = frozenset(
    {
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.request.build_opener",
        "urllib.urlopen",
        "urllib.urlretrieve",
        "urllib2.urlopen",
        "urlopen",
        "urlretrieve",
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.patch",
        "requests.delete",
        "requests.head",
        "requests.request",
        "requests.Session",
        "requests.session",
        "urllib3.PoolManager",
        "urllib3.request",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "httplib.HTTPConnection",
        "httplib.HTTPSConnection",
        "socket.socket",
        "socket.create_connection",
        "ftplib.FTP",
        "ftplib.FTP_TLS",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "telnetlib.Telnet",
        "aiohttp.ClientSession",
        "aiodns.DNSResolver",
        "aiohttp.request",
        "websocket.create_connection",
        "paramiko.SSHClient",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.getaddrinfo",
        "dns.resolver.resolve",
        "dns.resolver.query",
        "dns.resolver.Resolver",
        "git.Repo.clone_from",
        "git.Git",
        # Standard clients that send what their methods are given: an RPC proxy (any method
        # call is a request), urllib's opener class, mail and log handlers that post records.
        "asyncio.open_connection",
        "xmlrpc.client.ServerProxy",
        "xmlrpclib.ServerProxy",
        "urllib.request.OpenerDirector",
        "imaplib.IMAP4",
        "imaplib.IMAP4_SSL",
        "poplib.POP3",
        "poplib.POP3_SSL",
        "logging.handlers.HTTPHandler",
        "logging.handlers.SocketHandler",
        "logging.handlers.DatagramHandler",
        "logging.handlers.SMTPHandler",
    }
)
NETWORK_PREFIXES = ("httpx.", "pycurl.Curl")
NETWORK_SUFFIXES = (".urlopen", ".urlretrieve")
"""Any module's urlopen/urlretrieve (six.moves.urllib.request.urlopen, ...)."""

_LOCAL_ARGUMENTS: dict[str, tuple[frozenset[int], frozenset[str]]] = {
    "urlretrieve": (frozenset({1, 2}), frozenset({"filename", "reporthook"})),
}
"""Arguments of a network call that stay on this machine, by the call's last name: the file
urlretrieve saves to and its progress hook (it sends the URL and `data`)."""


def outgoing_arguments(node: ast.Call, name: str) -> list[ast.expr]:
    """The arguments of the network call `node` (qualified `name`) that may leave the machine:
    all of them, but for the local ones above (all again when a `*args` hides positions)."""
    everything = [*node.args, *(keyword.value for keyword in node.keywords)]
    local = _LOCAL_ARGUMENTS.get(name.rsplit(".", 1)[-1])
    if local is None or any(isinstance(value, ast.Starred) for value in node.args):
        return everything
    positions, keywords = local
    return [
        *(value for index, value in enumerate(node.args) if index not in positions),
        *(keyword.value for keyword in node.keywords if keyword.arg not in keywords),
    ]

DECODERS = frozenset(
    {
        "base64.b64decode",
        "base64.b32decode",
        "base64.b16decode",
        "base64.a85decode",
        "base64.b85decode",
        "base64.urlsafe_b64decode",
        "base64.standard_b64decode",
        "base64.decodebytes",
        "base64.decodestring",
        "zlib.decompress",
        "gzip.decompress",
        "bz2.decompress",
        "lzma.decompress",
        "marshal.loads",
        "codecs.decode",
        "pickle.loads",
        "binascii.unhexlify",
        "binascii.a2b_base64",
        "binascii.a2b_hex",
        "bytes.fromhex",
        "bytearray.fromhex",
    }
)
DECODER_SUFFIXES = (
    ".fromhex", ".unhexlify", ".b64decode", ".decrypt", ".decompress", ".b85decode",
    ".a85decode", ".b32decode", ".reveal",
)
"""Any receiver's decoding or decryption method (pybase64.b64decode, Fernet(key).decrypt,
AES.new(...).decrypt, zlib.decompressobj().decompress, stegano's lsb.reveal of an image):
what comes out was hidden going in."""

CAPABILITIES = {
    "screen": frozenset({"PIL.ImageGrab.grab", "ImageGrab.grab", "pyautogui.screenshot",
                         "mss.mss", "pyscreenshot.grab", "d3dshot.create"}),
    "clipboard": frozenset({"pyperclip.paste", "pyperclip.copy", "pandas.read_clipboard",
                            "win32clipboard.GetClipboardData", "win32clipboard.OpenClipboard",
                            "clipboard.paste"}),
    "keystrokes": frozenset({"pynput.keyboard.Listener", "keyboard.on_press", "keyboard.hook",
                             "keyboard.record", "pyWinhook.HookManager", "pyHook.HookManager"}),
    "registry": frozenset({"winreg.SetValueEx", "winreg.SetValue", "winreg.CreateKey",
                           "winreg.CreateKeyEx", "_winreg.SetValueEx", "_winreg.CreateKey"}),
}
"""Capabilities no build uses, by qualified call (install-time use is suspect)."""
NATIVE_INJECTION = frozenset(
    {"VirtualAlloc", "VirtualAllocEx", "WriteProcessMemory", "CreateRemoteThread",
     "OpenProcess", "SetWindowsHookExA", "SetWindowsHookExW", "GetAsyncKeyState",
     "RtlMoveMemory", "NtUnmapViewOfSection", "CreateThread"}
)
"""Windows API functions (reached through ctypes) that write into or watch other processes."""
DECODING_CODECS = frozenset({"base64", "base_64", "hex", "rot13", "rot_13", "zlib", "bz2", "uu"})

HOST_INFO = frozenset(
    {
        "getpass.getuser",
        "socket.gethostname",
        "socket.getfqdn",
        "platform.node",
        "os.getlogin",
        "uuid.getnode",
        "platform.uname",
        "os.uname",
        "os.getuid",
    }
)
DNS = frozenset(
    {"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo",
     "dns.resolver.resolve", "dns.resolver.query"}
)
"""Name lookups: a computed name sends what it is built from to the name's DNS server."""
ADDRESS_LOOKUPS = frozenset(
    {"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo"}
)
"""Lookups whose answer is only addresses (unlike a TXT query): what they return carries no
payload (ray starts `ray start --node-ip-address=<resolved>`)."""
FILE_OPEN = frozenset({"open", "io.open", "codecs.open", "os.open"})
BUILTINS_NAMES = frozenset({"builtins", "__builtins__", "__builtin__"})


NATIVE_RUNNERS = frozenset(
    {"system", "popen", "execv", "execve", "execl", "execvp", "WinExec", "ShellExecuteA",
     "ShellExecuteW", "CreateProcessA", "CreateProcessW"}
)
NATIVE_LOADERS = frozenset({"CDLL", "cdll", "windll", "WinDLL", "LoadLibrary", "PyDLL", "libc"})
"""C functions that start programs, reached through ctypes."""
_NAMESPACES = frozenset(
    {"__builtins__", "globals", "builtins.__dict__", "__builtins__.__dict__",
     "__builtin__.__dict__", "vars"}
)
"""Mappings of names to the builtins or module globals: a literal key is that name."""

_LOOKUPS = frozenset(
    {"__import__", "importlib.import_module", "importlib.__import__", "getattr",
     "pkgutil.resolve_name"}
)
_IMPORTERS = frozenset({"__import__", "importlib.import_module", "importlib.__import__"})
_ATTRIBUTE_GETTERS = frozenset({"object.__getattribute__", "type.__getattribute__"})
"""Calls whose first (import) or second (getattr) argument names what they return."""
_LONGEST_FOLD = 256
"""Names are short: a longer folded text is not a name, and is not built."""
_FOLD_DEPTH = 40
"""Deep enough for a name concatenated from many pieces (`"s" + "y" + ...` nests left)."""
_STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "swapcase"})

_CATALOGUED = PROCESS | NETWORK | DECODERS | HOST_INFO
"""Functions a star import can bring in under a bare name that the rules care about."""


def is_process(name: str) -> bool:
    return name in PROCESS or name.startswith(PROCESS_PREFIXES)


def is_network(name: str) -> bool:
    return (
        name in NETWORK
        or name.startswith(NETWORK_PREFIXES)
        or name.endswith(NETWORK_SUFFIXES)
    )


_QUALIFIABLE = frozenset({ast.Name, ast.Attribute, ast.Call, ast.Subscript})
"""The nodes Aliases._qualify can name (ast's node classes have no subclasses)."""


class Aliases:
    """Local name -> qualified name, from a module's imports (`import x as y`, `from a import
    b`)."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, str] = {}
        self.stars: list[str] = []
        """Modules imported with `from m import *`: their functions are bare names."""
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.names[local] = alias.name if alias.asname else local
            elif node.module:
                if any(alias.name == "*" for alias in node.names):
                    self.stars.append(node.module)
                if not node.level:
                    for alias in node.names:
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        # qualify()'s answers: the rules ask about the same names and the same nodes call
        # after call, and the answer depends only on the node (the imports above are fixed,
        # the scan never changes a tree). A bare name by its text; another node by its id,
        # the node kept with the answer so that the id stays its own (nodes the rules build
        # in passing are freed, and their ids reused). Nothing here refers to a scan.
        self._by_name: dict[str, str | None] = {}
        self._by_node: dict[int, tuple[ast.expr, str | None]] = {}

    def qualify(self, node: ast.expr) -> str | None:
        """The dotted name `node` refers to, with builtins indirection undone."""
        if type(node) is ast.Name:
            by_name = self._by_name
            if node.id in by_name:
                return by_name[node.id]
            name = by_name[node.id] = self._qualified(node)
            return name
        if type(node) not in _QUALIFIABLE:
            return None  # _qualify names nothing else (literals, operations, containers)
        known = self._by_node.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        name = self._qualified(node)
        self._by_node[id(node)] = (node, name)
        return name

    def _qualified(self, node: ast.expr) -> str | None:
        name = self._qualify(node)
        if name is None:
            return None
        name = name.removesuffix(".__call__")  # os.system.__call__ is os.system
        head, _, rest = name.partition(".")
        if head in BUILTINS_NAMES and rest:
            return rest
        return name

    def _qualify(self, node: ast.expr) -> str | None:
        if type(node) is ast.Attribute:
            value = node.value
            if type(value) is ast.Name and (value.id in self.names or not self.stars):
                # `a.b`, the most common: the name's qualified form and `.b`
                head = self.names.get(value.id, value.id)
                return f"{head}.{node.attr}" if head else None
            # `a.b.c`: the qualified base with the attributes after it (none without a base)
            attributes: list[str] = []
            while type(node) is ast.Attribute:
                attributes.append(node.attr)
                node = node.value
            base = self._qualify(node)
            return ".".join([base, *reversed(attributes)]) if base else None
        if type(node) is ast.Name:
            if node.id not in self.names and self.stars:
                return self._starred(node.id)
            return self.names.get(node.id, node.id)
        if isinstance(node, ast.Call):
            return self._qualify_call(node)
        if isinstance(node, ast.Subscript):
            key = self.fold(node.slice)
            if key is None:
                return None
            base = self._qualify(node.value)
            if base in _NAMESPACES and isinstance(key, str):
                return key
            if base == "sys.modules" and isinstance(key, str):
                return key  # sys.modules["os"] is the module os
            if base and base.endswith(".__dict__") and isinstance(key, str):
                return f"{base.removesuffix('.__dict__')}.{key}"  # os.__dict__["system"]
        return None

    def _starred(self, name: str) -> str:
        for module in self.stars:
            candidate = f"{module}.{name}"
            if candidate in _CATALOGUED:
                return candidate
        return name

    def _qualify_call(self, node: ast.Call) -> str | None:
        # __import__("os"), importlib.import_module("os"), getattr(os, "system"), globals()
        # The name may be built from pieces (`"sys" + "tem"`, a join, a decoded literal):
        # fold() computes it exactly, or gives up.
        func = self._qualify(node.func)
        # The first argument's text matters only to the lookups that take a name first (the
        # tests below that read `literal`): folding it for any other call is wasted.
        named = func is not None and (
            func in _IMPORTERS or func == "pkgutil.resolve_name"
            or func.endswith((".__getattribute__", ".get"))
        )
        literal = self.fold(node.args[0]) if node.args and named else None
        if func in _IMPORTERS and literal:
            return literal
        if func == "pkgutil.resolve_name" and literal and len(node.args) == 1:
            return literal.replace(":", ".")  # "os:system" is os.system
        if func and func.endswith(".__getattribute__") and func not in _ATTRIBUTE_GETTERS:
            owner = func.removesuffix(".__getattribute__")  # os.__getattribute__("system")
            return f"{owner}.{literal}" if literal and len(node.args) == 1 else None
        if (func == "getattr" or func in _ATTRIBUTE_GETTERS) and len(node.args) >= 2:
            base = self._qualify(node.args[0])
            attr = self.fold(node.args[1])
            return f"{base}.{attr}" if base and attr else None
        if func in {"globals", "vars", "locals"} and not node.args:
            return "globals"
        if isinstance(node.func, ast.Call) and node.args:
            # operator.attrgetter("system")(os) is os.system
            maker = node.func
            if self._qualify(maker.func) == "operator.attrgetter" and maker.args:
                attr = self.fold(maker.args[0])
                base = self._qualify(node.args[0])
                return f"{base}.{attr}" if base and attr else None
        if func == "vars" and node.args and self._qualify(node.args[0]) in BUILTINS_NAMES:
            return "builtins.__dict__"  # vars(__builtins__): the builtins by name
        if func == "vars" and len(node.args) == 1:
            base = self._qualify(node.args[0])
            return f"{base}.__dict__" if base else None  # vars(os)["system"]
        if func and func.endswith(".get") and func[:-4] in _NAMESPACES and literal:
            return literal  # vars(__builtins__).get("exec")
        if func and func.endswith(".__dict__.get") and literal:
            return f"{func.removesuffix('.__dict__.get')}.{literal}"  # os.__dict__.get("system")
        return None

    def computed(self, func: ast.expr) -> bool:
        """Whether `func` reaches its callee by a lookup whose name is folded from pieces
        rather than written (`getattr(os, "sys" + "tem")`, `vars(os)["".join(...)]`): a name
        nobody can grep for, which is the point of building it."""
        for node in ast.walk(func):
            keys: list[ast.expr] = []
            if isinstance(node, ast.Subscript):
                keys = [node.slice]
            elif isinstance(node, ast.Call) and node.args:
                called = self._qualify(node.func) or ""
                if (called == "getattr" or called in _ATTRIBUTE_GETTERS) and len(node.args) >= 2:
                    keys = [node.args[1]]
                elif called in _LOOKUPS or called.endswith((".get", ".__getattribute__")):
                    keys = [node.args[0]]
                elif isinstance(node.func, ast.Call) and node.func.args:
                    keys = [node.func.args[0]]  # attrgetter(name)(module)
            if any(literal_str(k) is None and self.fold(k) is not None for k in keys):
                return True
        return False

    def fold(self, node: ast.expr, depth: int = 0) -> str | None:
        """The exact text a constant expression evaluates to, worked out without running
        anything: literals joined by `+`, f-strings, `sep.join([...])`, `[::-1]`, chr() of
        numbers, simple str methods, and bytes decoded from hex, base64 or rot13. None when
        any piece is not constant or the result is too long to be a name."""
        if depth > _FOLD_DEPTH:
            return None
        text = self._fold(node, depth + 1)
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                return None
        return text if text is not None and len(text) <= _LONGEST_FOLD else None

    def _fold(self, node: ast.expr, depth: int) -> str | bytes | None:
        if isinstance(node, ast.Constant):
            value = node.value
            return value if isinstance(value, str | bytes) and len(value) <= 4096 else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.fold(node.left, depth), self.fold(node.right, depth)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = [self._fold_formatted(v, depth) for v in node.values]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            piece = node.slice
            reverse = (piece.lower is None and piece.upper is None
                       and isinstance(piece.step, ast.UnaryOp)
                       and isinstance(piece.step.op, ast.USub)
                       and isinstance(piece.step.operand, ast.Constant)
                       and piece.step.operand.value == 1)
            text = self.fold(node.value, depth) if reverse else None
            return text[::-1] if text is not None else None
        if isinstance(node, ast.Call) and not node.keywords:
            return self._fold_call(node, depth)
        return None

    def _fold_formatted(self, node: ast.expr, depth: int) -> str | None:
        if isinstance(node, ast.FormattedValue):
            if node.conversion != -1 or node.format_spec is not None:
                return None
            return self.fold(node.value, depth)
        return self.fold(node, depth)

    def _fold_call(self, node: ast.Call, depth: int) -> str | bytes | None:
        func, args = node.func, node.args
        name = self._qualify(func) or ""
        if name == "chr" and len(args) == 1:
            number = args[0].value if isinstance(args[0], ast.Constant) else None
            if isinstance(number, int) and not isinstance(number, bool) and (
                0 <= number < 0x110000
            ):
                return chr(number)
            return None
        if name in {"bytes.fromhex", "binascii.unhexlify", "base64.b16decode"} and len(args) == 1:
            return _decoded(self.fold(args[0], depth), "hex")
        if name in {"base64.b64decode", "base64.standard_b64decode"} and len(args) == 1:
            return _decoded(self.fold(args[0], depth), "base64")
        if name == "codecs.decode" and len(args) == 2 and literal_str(args[1]) in {
            "rot13", "rot_13"
        }:
            text = self.fold(args[0], depth)
            return _rot13(text) if text is not None else None
        if not isinstance(func, ast.Attribute):
            return None
        if func.attr == "join" and len(args) == 1:
            separator = self.fold(func.value, depth)
            items = self._fold_items(args[0], depth)
            return separator.join(items) if separator is not None and items is not None else None
        if func.attr in _STR_METHODS and not args:
            text = self.fold(func.value, depth)
            return str(getattr(text, func.attr)()) if text is not None else None
        if func.attr == "replace" and len(args) == 2:
            text, old, new = (self.fold(v, depth) for v in (func.value, *args))
            if text is None or old is None or new is None or not old:
                return None
            return text.replace(old, new)
        if func.attr == "decode" and len(args) <= 1:
            return self._fold(func.value, depth)  # bytes: fold() decodes them as UTF-8
        return None

    def _fold_items(self, node: ast.expr, depth: int) -> list[str] | None:
        """The texts of a join's items: a literal list, or chr() over literal numbers."""
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.fold(e, depth) for e in node.elts]
            return None if any(i is None for i in items) else [i or "" for i in items]
        numbers: ast.expr | None = None
        if isinstance(node, ast.GeneratorExp | ast.ListComp) and len(node.generators) == 1:
            loop = node.generators[0]
            element = node.elt
            if (not loop.ifs and isinstance(loop.target, ast.Name)
                    and isinstance(element, ast.Call) and self._qualify(element.func) == "chr"
                    and len(element.args) == 1 and isinstance(element.args[0], ast.Name)
                    and element.args[0].id == loop.target.id):
                numbers = loop.iter
        elif (isinstance(node, ast.Call) and self._qualify(node.func) == "map"
              and len(node.args) == 2 and self._qualify(node.args[0]) == "chr"):
            numbers = node.args[1]
        if not isinstance(numbers, ast.List | ast.Tuple) or len(numbers.elts) > _LONGEST_FOLD:
            return None
        codes = [e.value if isinstance(e, ast.Constant) else None for e in numbers.elts]
        if not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 0x110000
                   for c in codes):
            return None
        return [chr(c) for c in codes if isinstance(c, int)]


_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statement_types() -> list[type[ast.stmt]]:
    found: list[type[ast.stmt]] = []
    pending = [ast.stmt]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


_BLOCKS = {
    kind: tuple(name for name in _BLOCK_FIELDS if name in kind._fields)
    for kind in _statement_types()
}
"""Per statement type, its fields holding statements (handlers and cases hold them one level
down, in their own bodies)."""


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, nested ones included, in the order of a walk over the
    statements (last first); imports are statements, so expressions (the bulk of a tree)
    need not be visited to find them."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.stmt] = list(tree.body)
    imports = (ast.Import, ast.ImportFrom)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in imports:
            found.append(node)  # type: ignore[arg-type]
            continue  # an import holds no statements
        for name in _BLOCKS[kind]:
            block = getattr(node, name)
            if name == "handlers" or name == "cases":
                for item in block:
                    stack.extend(item.body)
            else:
                stack.extend(block)
    return found


def literal_str(node: ast.expr) -> str | None:
    """The value of a string literal node, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _decoded(text: str | None, encoding: str) -> bytes | None:
    """Hex or base64 text as bytes; None when it is not valid (or too long to be a name)."""
    if text is None or len(text) > 4 * _LONGEST_FOLD:
        return None
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def _rot13(text: str) -> str:
    return codecs.encode(text, "rot_13")
