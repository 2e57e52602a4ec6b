"""Severity decisions: how bad is this call, given where its arguments come from?

Kept apart from the AST walk so the calibration (what ordinary build code looks like versus
what malware looks like) reads in one place.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from safepip.checks.hooks.calls import BUILTINS_NAMES, DNS, HOST_INFO, literal_str
from safepip.checks.hooks.flow import Origin
from safepip.checks.hooks.patterns import (
    BUILD_MODULES,
    BUILD_TOOLS,
    INTERPRETERS,
    LAUNCHER,
    PERSISTENCE,
    SHELL_DOWNLOADER,
    SHELL_HOSTILE,
    STARTUP_CODE,
    URL,
    looks_encoded,
)
from safepip.checks.hooks.places import command_writes
from safepip.checks.hooks.walk import code_walk
from safepip.findings import Severity

if TYPE_CHECKING:
    from safepip.checks.hooks.python import PythonScan

_PIPE_TO_SHELL = ("| sh", "|sh", "| bash", "|bash", "| python", "|python")
_SENSITIVE_MODULES = frozenset(
    {
        "os",
        "subprocess",
        "socket",
        "base64",
        "zlib",
        "marshal",
        "urllib.request",
        "requests",
        "importlib",
    }
)


def is_source_file(name: str) -> bool:
    """A Python file, or a file named for the version or metadata (the version.py idiom)."""
    lowered_name = name.lower().rsplit("/", 1)[-1]
    suffix = lowered_name.rsplit(".", 1)[-1] if "." in lowered_name else ""
    if suffix in {"py", "pyw"} or ("?" in lowered_name and "archive" not in name):
        return True
    # VERSION, version.txt, __about__.cfg: text files; a .json/.dat/.png run as code is data
    return suffix in {"", "txt", "cfg", "in", "ini"} and any(
        word in lowered_name for word in ("version", "about", "meta", "info", "release")
    )


def exec_call(
    scan: PythonScan,
    node: ast.Call,
    origin: Origin,
    text: str = "?",
    *,
    indirect: bool = False,
    source_file: str | None = None,
) -> None:
    """exec/eval/compile: what it runs decides the rule and the severity. `indirect`: exec
    handed to another call, which the prefilter's words do not cover (stays below low at
    import time). `source_file`: the name of the file whose text it runs, when known."""
    drop = 4 if indirect else None
    if origin & Origin.DECODED:
        scan.hit("hook/exec-obfuscated", node, "runs code that is decoded at run time",
                 import_drop=drop)
    elif origin & Origin.NETWORK:
        scan.hit(
            "hook/download-exec", node, "runs code fetched over the network", Severity.CRITICAL,
            import_drop=drop,
        )
    elif origin & Origin.FILE:
        if source_file is None or is_source_file(source_file):
            scan.hit("hook/dynamic-exec", node, "runs the text of a file (e.g. a version file)",
                     Severity.INFO)
        else:
            # Fail closed: install-time code the scan cannot read cannot be vetted.
            scan.hit("hook/dynamic-exec", node,
                     f"runs the data file {source_file!r} as code (it is not scanned)",
                     Severity.HIGH, import_drop=4)
    elif origin == Origin.LITERAL and looks_encoded(text):
        scan.hit("hook/exec-obfuscated", node, "runs a literal that is an encoded blob",
                 Severity.HIGH, import_drop=3)
    elif origin == Origin.LITERAL:
        if text != "?":
            nested_worst(scan, text, node)  # the code's own findings, at this line
        scan.hit("hook/dynamic-exec", node, "runs a literal string as code", Severity.LOW)
    else:
        scan.hit("hook/dynamic-exec", node, "runs a computed string as code")


def command_text(node: ast.Call) -> tuple[str, ast.expr | None]:
    """The literal words of a process call's command, and its first element."""
    first = command_argument(node)
    if isinstance(first, ast.List | ast.Tuple):
        words = [literal_str(e) or "" for e in first.elts]
        return " ".join(w for w in words if w), (first.elts[0] if first.elts else None)
    if first is None:
        return "", None
    return literal_str(first) or "", first


def command_argument(node: ast.Call) -> ast.expr | None:
    """The command line of a process call: its first argument (or `args=`), or for
    os.exec*/os.spawn* the argv after the program path (execv(path, argv), execl(path, arg0,
    ...), spawnv(mode, path, argv), spawnl(mode, path, arg0, ...)), posix_spawn's argv, and
    create_subprocess_exec's arguments."""
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else ""
    start = 1 if attr[:5] in {"execv", "execl"} else 2 if attr[:6] in {"spawnv", "spawnl"} else 0
    if attr in {"posix_spawn", "posix_spawnp"}:
        start = 1  # posix_spawn(path, argv, env)
    if attr == "create_subprocess_exec" and len(node.args) > 1:
        # create_subprocess_exec(program, *args): the words are the arguments themselves
        return ast.List(elts=[e for e in node.args if not isinstance(e, ast.Starred)],
                        ctx=ast.Load())
    if start and len(node.args) > start:
        rest = node.args[start:]
        if len(rest) == 1 and isinstance(rest[0], ast.List | ast.Tuple):
            return rest[0]
        return ast.List(elts=[e for e in rest if not isinstance(e, ast.Starred)], ctx=ast.Load())
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg in {"args", "cmd", "command"}), None)


def process_call(
    scan: PythonScan,
    node: ast.Call,
    name: str,
    origin: Origin,
    folded: str,
    program: Origin = Origin.NONE,
    script: Origin = Origin.NONE,
    *,
    indirect: bool = False,
) -> Severity:
    """A process start, judged by what it runs; `folded` is the command as far as constant
    propagation shows it. Returns the severity given (info for a build tool)."""
    text, head = command_text(node)
    text = folded if folded.strip("? ") else text
    rule, severity, message = _process_verdict(
        scan, node, name, origin, text, head, (program, script)
    )
    # What the rules added for install hooks (launchers, URLs, programs from home or temp,
    # inline code) is what libraries do when used: at import time it stays below low.
    known = rule == "hook/exec-obfuscated" or message in _IMPORT_TIME_TOO
    # indirect: not a call the prefilter knows; new verdicts: never low at import time
    drop = 4 if indirect or not known else None
    scan.hit(rule, node, f"{name} {message}", severity, import_drop=drop)
    return severity


def command_verdict(
    scan: PythonScan, node: ast.Call, name: str, origin: Origin, text: str
) -> tuple[str, Severity, str]:
    """How bad a command is when it is handed to a function that runs it (rule, severity,
    what it does), judged like a process call's command."""
    return _process_verdict(scan, node, name, origin, text, None, (Origin.NONE, Origin.NONE))


_IMPORT_TIME_TOO = frozenset(
    {
        "runs a command fetched over the network",
        "runs a shell downloader",
        "runs a shell the way reverse shells do",
        "runs a build tool",
        "starts a process",
    }
)
"""Verdicts whose import-time severity follows the rule's own drop (the prefilter's needs
in rules.py cover them)."""


def _process_verdict(
    scan: PythonScan,
    node: ast.Call,
    name: str,
    origin: Origin,
    text: str,
    head: ast.expr | None,
    places: tuple[Origin, Origin],
) -> tuple[str, Severity, str]:
    program_origin, script_origin = places
    if origin & Origin.DECODED:
        return "hook/exec-obfuscated", Severity.CRITICAL, "runs a command decoded at run time"
    if origin & Origin.NETWORK:
        return "hook/download-exec", Severity.CRITICAL, "runs a command fetched over the network"
    if SHELL_DOWNLOADER.search(text):
        piped = any(pipe in text.replace("  ", " ") for pipe in _PIPE_TO_SHELL)
        return (
            "hook/download-exec",
            Severity.CRITICAL if piped else Severity.HIGH,
            "runs a shell downloader",
        )
    if SHELL_HOSTILE.search(text) or name == "pty.spawn":
        return "hook/process-exec", Severity.HIGH, "runs a shell the way reverse shells do"
    if name.endswith(("startfile", "ShellExecuteW", "ShellExecuteA", "ShellExecute")):
        return "hook/process-exec", Severity.HIGH, "opens a file with the program it belongs to"
    written = command_writes(text)
    if written is not None:
        path, place = written
        if PERSISTENCE.search(path) or STARTUP_CODE.search(path):
            return ("hook/persistence", Severity.HIGH,
                    "writes where the system or the shell runs it again later")
        return "hook/outside-write", Severity.HIGH, f"changes a file in {place}"
    words = text.split()
    first = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if words else ""
    if (
        first.endswith(_WINDOWS_PROGRAMS)
        and first.rsplit(".", 1)[0] not in BUILD_TOOLS
        and first not in INTERPRETERS  # cmd.exe /c vcvarsall.bat: judged as a shell below
    ):
        return "hook/process-exec", Severity.HIGH, f"runs the Windows program {first}"
    if first in _WINDOWS_SHELLS and _POWERSHELL_PAYLOAD.search(text):
        return "hook/process-exec", Severity.HIGH, "runs PowerShell that connects or decodes"
    if words and words[0].startswith(_SHARED_PLACES):
        return "hook/process-exec", Severity.HIGH, "starts a program from a temp or home folder"
    program = words[0].rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower() if words else ""
    inline = _inline_code(words) if program in INTERPRETERS else None
    if inline is not None and program.startswith("py"):
        found = nested_worst(scan, inline, node)  # python -c: read like the file itself
        if found >= Severity.HIGH:
            return "hook/process-exec", found, f"runs Python code given to {program} -c"
    if LAUNCHER.search(text):
        return "hook/process-exec", Severity.HIGH, "starts a program detached, hidden or at login"
    if URL.search(text):
        return "hook/download-exec", Severity.HIGH, "gives a URL to a program (fetch or clone)"
    if program in INTERPRETERS:
        if inline and program in _UNIX_SHELLS and inline.split()[0] not in _UNIX_SHELLS:
            # sh -c "cmd": judged as the command the shell runs
            verdict = _process_verdict(scan, node, name, origin, inline, None, places)
            if verdict[1] > Severity.LOW:
                return verdict
        if inline is not None:
            return "hook/process-exec", Severity.LOW, f"runs code given to {program} inline"
        if script_origin & Origin.OUTSIDE:
            return "hook/process-exec", Severity.HIGH, "runs a script from outside the tree"
        if _pip_install(words):
            return ("hook/process-exec", Severity.MEDIUM,
                    "installs packages with pip, past the resolver that vetted this one")
        if program.startswith("python") and "-m" in words[1:2]:
            module = words[2].split(".")[0] if len(words) > 2 else "?"
            if module in BUILD_MODULES:
                return "hook/process-exec", Severity.INFO, f"runs the build tool {module}"
            return "hook/process-exec", Severity.LOW, "runs a module with the interpreter"
        if program in _WINDOWS_SHELLS:
            return "hook/process-exec", Severity.MEDIUM, f"starts {program}, which no build needs"
        script = words[1] if len(words) > 1 else ""
        if program in _UNIX_SHELLS and all(w.startswith("-") for w in words[1:]) and _fed(node):
            return "hook/process-exec", Severity.HIGH, f"feeds {program} its commands on stdin"
        if "?" not in script and (script.startswith("./") or script.endswith(_TREE_SCRIPTS)):
            return "hook/process-exec", Severity.INFO, "runs a script of the source tree"
        return "hook/process-exec", Severity.LOW, f"runs {program} on a script chosen at run time"
    if program in _RECON:
        return "hook/process-exec", Severity.MEDIUM, f"runs {program}, which reports on the host"
    if program not in BUILD_TOOLS and _hidden(node):
        return "hook/process-exec", Severity.MEDIUM, "starts a program detached or silenced"
    if program_origin & Origin.OUTSIDE and program not in BUILD_TOOLS:
        return "hook/process-exec", Severity.HIGH, "starts a program from outside the source tree"
    if _pip_install(words):
        return ("hook/process-exec", Severity.MEDIUM,
                "installs packages with pip, past the resolver that vetted this one")
    if _is_build_tool(scan, text, head):
        return "hook/process-exec", Severity.INFO, "runs a build tool"
    return "hook/process-exec", Severity.LOW, "starts a process"


_SHARED_PLACES = (  # matched against scanned code's commands, never used as paths here
    "/tmp/", "/var/tmp/", "/dev/shm/",  # noqa: S108  # nosec B108
    "~/", "%TEMP%", "%TMP%", "%APPDATA%", "%LOCALAPPDATA%", "%USERPROFILE%", "$HOME/", "${HOME}/",
)
"""Where a literal program path is outside any source tree, in folders anyone can write."""
_RECON = frozenset(
    {"whoami", "hostname", "id", "ipconfig", "ifconfig", "systeminfo", "net", "net.exe",
     "netstat", "arp", "tasklist", "wmic", "query", "nltest", "dsquery", "printenv", "env"}
)
"""Programs that report who and where the machine is: reconnaissance, not building."""
_DETACHING = frozenset(
    {"CREATE_NO_WINDOW", "DETACHED_PROCESS", "CREATE_NEW_PROCESS_GROUP", "SW_HIDE",
     "STARTF_USESHOWWINDOW"}
)


_UNIX_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"})


def _fed(node: ast.Call) -> bool:
    """Whether a process is given its input by the caller (`input=`, `stdin=PIPE`): a shell
    started so is run on commands no command line shows."""
    for keyword in node.keywords:
        if keyword.arg == "input":
            return True
        if keyword.arg == "stdin" and isinstance(keyword.value, ast.Attribute | ast.Name):
            value = keyword.value
            return (value.attr if isinstance(value, ast.Attribute) else value.id) == "PIPE"
    return False


def _hidden(node: ast.Call) -> bool:
    """Started in its own session, without a window, or with every stream sent to null."""
    quiet = 0
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg == "start_new_session" and isinstance(value, ast.Constant) and value.value:
            return True
        if keyword.arg in {"creationflags", "startupinfo"} and any(
            isinstance(sub, ast.Attribute | ast.Name)
            and (sub.attr if isinstance(sub, ast.Attribute) else sub.id) in _DETACHING
            for sub in code_walk(value)
        ):
            return True
        if keyword.arg in {"stdin", "stdout", "stderr"} and isinstance(value, ast.Attribute):
            quiet += value.attr == "DEVNULL"
    return quiet == 3


_WINDOWS_PROGRAMS = (".exe", ".scr", ".com", ".pif")
_POWERSHELL_PAYLOAD = re.compile(
    r"Net\.Sockets|WebClient|Invoke-Expression|\bIEX\b|FromBase64String|DownloadString"
    r"|Invoke-WebRequest|Start-Process|-enc",
    re.IGNORECASE,
)
_WINDOWS_SHELLS = frozenset({"powershell", "powershell.exe", "pwsh"})
_TREE_SCRIPTS = (".py", ".sh", ".bat", ".cmd", ".pl", ".js", ".mjs", "configure", "setup.py")
"""What a build's interpreter runs: a script file named in the command (`sh ./configure`,
`python tools/gen.py`); anything else it runs was chosen at run time."""
_INLINE_FLAGS = frozenset({"-c", "/c", "/k", "-command", "-e", "-enc", "-encodedcommand"})


def _inline_code(words: list[str]) -> str | None:
    """The code an interpreter is given on its command line, if any."""
    for index, word in enumerate(words[1:], 1):
        if word.lower() in _INLINE_FLAGS:
            return " ".join(words[index + 1:]).strip("\"'")
    return None


def _pip_install(words: list[str]) -> bool:
    lowered_words = [w.lower() for w in words[:5]]
    return "install" in lowered_words and any(w.rsplit("/", 1)[-1].startswith("pip")
                                               for w in lowered_words)


def nested_worst(scan: PythonScan, code: str, node: ast.AST) -> Severity:
    """Scan `code` (run by exec or `python -c`) as code of this file; its hits are added at
    `node`'s line. Returns the worst severity seen (info when nothing or unparsable)."""
    if scan.depth >= 3 or len(code) > 1_000_000:
        return Severity.INFO
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Severity.INFO
    inner = type(scan)(code, tree, depth=scan.depth + 1)
    for hit in inner.hits:
        scan.hit(hit.rule, node, f"(in code it runs) {hit.message}", hit.severity,
                 import_drop=hit.import_drop)
    scan.imports.update(inner.imports)
    return max((hit.severity for hit in inner.hits), default=Severity.INFO)


def _is_build_tool(scan: PythonScan, text: str, head: ast.expr | None) -> bool:
    if head is not None and scan.aliases.qualify(head) == "sys.executable":
        return True
    word = text.split()[0] if text.split() else ""
    return word.rsplit("/", 1)[-1] in BUILD_TOOLS if word else False


def dns_lookup(scan: PythonScan, node: ast.Call, name: str, origin: Origin) -> None:
    """A name lookup of a computed name under a fixed domain carries data out through DNS."""
    if name not in DNS or not node.args:
        return
    target = node.args[0]
    if not isinstance(target, ast.JoinedStr | ast.BinOp | ast.Call):
        return
    if isinstance(target, ast.Call) and scan.aliases.qualify(target.func) in HOST_INFO:
        return  # gethostbyname(gethostname()): the host's own address, nothing carried out
    if origin & (Origin.ENV | Origin.HOST | Origin.SECRET | Origin.DECODED):
        scan.hit(
            "hook/env-exfiltration",
            node,
            f"{name} looks up a name built from host or environment data: DNS carries it out",
            Severity.CRITICAL,
            import_drop=4,  # clients resolve names built from configuration when used
        )
    elif origin & Origin.OPAQUE and not isinstance(target, ast.Call):
        scan.hit(
            "hook/env-exfiltration",
            node,
            f"{name} looks up a computed name: DNS carries out what the name is built from",
            Severity.HIGH,
            import_drop=3,  # resolvers and clients do this when used
        )


def network_call(scan: PythonScan, node: ast.Call, name: str, origin: Origin) -> None:
    if origin & (Origin.ENV | Origin.HOST) and name not in DNS:  # DNS: dns_lookup
        scan.hit(
            "hook/env-exfiltration",
            node,
            f"{name} sends environment or host data over the network",
            Severity.CRITICAL,
        )
    scan.hit("hook/network-fetch", node, f"{name} uses the network at install time")


def scope_rules(
    scan: PythonScan,
    network: list[ast.Call],
    process: list[ast.Call],
    write: list[ast.Call],
) -> None:
    """Rules about several calls in one function (or at module level) together."""
    if not network:
        return
    names = [scan.aliases.qualify(call.func) or "" for call in process]
    if any(name.endswith("dup2") for name in names) and len(names) > 1:
        scan.hit(
            "hook/process-exec",
            network[0],
            "a socket, dup2 and a process together: a reverse shell",
            Severity.CRITICAL,
            import_drop=1,  # no library wires a shell to a socket when imported
        )
        return
    fetch_writes = any(
        (scan.aliases.qualify(call.func) or "").endswith("urlretrieve") for call in network
    )
    if process and (write or fetch_writes):
        scan.hit(
            "hook/download-exec",
            network[0],
            "downloads, writes a file and starts a process in the same function",
        )


def indirection(scan: PythonScan, node: ast.Call, name: str) -> None:
    """Imports and attribute lookups by computed name hide which function runs."""
    if name in {"__import__", "importlib.import_module"}:
        if literal_str(node.args[0]) is None:
            scan.hit("hook/obfuscation", node, "imports a module by computed name", Severity.LOW)
        return
    if len(node.args) < 2 or literal_str(node.args[1]) is not None:
        return
    base = scan.aliases.qualify(node.args[0]) or ""
    if base in BUILTINS_NAMES:
        scan.hit("hook/obfuscation", node, "looks up a builtin by computed name", Severity.HIGH)
    elif base in _SENSITIVE_MODULES:
        scan.hit("hook/obfuscation", node, f"looks up {base}.<computed name>")


def command_classes(scan: PythonScan, classes: list[tuple[ast.ClassDef, str]]) -> None:
    """One finding per overridden setuptools command, as severe as the worst thing inside."""
    for node, command in classes:
        end = node.end_lineno or node.lineno
        inner = [h for h in scan.hits if h.line is not None and node.lineno <= h.line <= end]
        worst = max((h.severity for h in inner), default=Severity.INFO)
        rules = sorted({h.rule for h in inner if h.severity > Severity.INFO})
        detail = f"; its code: {', '.join(rules)}" if rules else ""
        scan.hit(
            "hook/cmdclass-override",
            node,
            f"class {node.name} overrides the `{command}` command, which pip runs{detail}",
            worst,
        )
