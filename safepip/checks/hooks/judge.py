"""Severity decisions: how bad is this call, given where its arguments come from?

Kept apart from the AST walk so the calibration (what ordinary build code looks like versus
what malware looks like) reads in one place.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from safepip.checks.hooks.calls import BUILTINS_NAMES, literal_str
from safepip.checks.hooks.flow import Origin
from safepip.checks.hooks.patterns import BUILD_TOOLS, SHELL_DOWNLOADER, SHELL_HOSTILE
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


def exec_call(scan: PythonScan, node: ast.Call, origin: Origin) -> None:
    """exec/eval/compile: what it runs decides the rule and the severity."""
    if origin & Origin.DECODED:
        scan.hit("hook/exec-obfuscated", node, "runs code that is decoded at run time")
    elif origin & Origin.NETWORK:
        scan.hit(
            "hook/download-exec", node, "runs code fetched over the network", Severity.CRITICAL
        )
    elif origin & Origin.FILE:
        scan.hit(
            "hook/dynamic-exec",
            node,
            "runs the text of a file (e.g. a version file)",
            Severity.INFO,
        )
    elif origin == Origin.LITERAL:
        scan.hit("hook/dynamic-exec", node, "runs a literal string as code", Severity.LOW)
    else:
        scan.hit("hook/dynamic-exec", node, "runs a computed string as code")


def command_text(node: ast.Call) -> tuple[str, ast.expr | None]:
    """The literal words of a process call's command, and its first element."""
    first = (
        node.args[0]
        if node.args
        else next((k.value for k in node.keywords if k.arg in {"args", "cmd", "command"}), None)
    )
    if isinstance(first, ast.List | ast.Tuple):
        words = [literal_str(e) or "" for e in first.elts]
        return " ".join(w for w in words if w), (first.elts[0] if first.elts else None)
    if first is None:
        return "", None
    return literal_str(first) or "", first


def process_call(scan: PythonScan, node: ast.Call, name: str, origin: Origin) -> None:
    text, head = command_text(node)
    if origin & Origin.DECODED:
        scan.hit("hook/exec-obfuscated", node, f"{name} runs a command decoded at run time")
    elif origin & Origin.NETWORK:
        scan.hit(
            "hook/download-exec",
            node,
            f"{name} runs a command fetched over the network",
            Severity.CRITICAL,
        )
    elif SHELL_DOWNLOADER.search(text):
        piped = any(pipe in text.replace("  ", " ") for pipe in _PIPE_TO_SHELL)
        scan.hit(
            "hook/download-exec",
            node,
            f"{name} runs a shell downloader",
            Severity.CRITICAL if piped else Severity.HIGH,
        )
    elif SHELL_HOSTILE.search(text) or name == "pty.spawn":
        scan.hit(
            "hook/process-exec",
            node,
            f"{name} runs a shell the way reverse shells and droppers do",
            Severity.HIGH,
        )
    elif _is_build_tool(scan, text, head):
        scan.hit("hook/process-exec", node, f"{name} runs a build tool", Severity.INFO)
    else:
        scan.hit("hook/process-exec", node, f"{name} starts a process", Severity.LOW)


def _is_build_tool(scan: PythonScan, text: str, head: ast.expr | None) -> bool:
    if head is not None and scan.aliases.qualify(head) == "sys.executable":
        return True
    word = text.split()[0] if text.split() else ""
    return word.rsplit("/", 1)[-1] in BUILD_TOOLS if word else False


def network_call(scan: PythonScan, node: ast.Call, name: str, origin: Origin) -> None:
    if origin & (Origin.ENV | Origin.HOST):
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


def collect_scripts(scan: PythonScan, entry_points: ast.Dict) -> None:
    """console_scripts/gui_scripts named in a literal setup(entry_points=...)."""
    for key, value in zip(entry_points.keys, entry_points.values, strict=True):
        group = literal_str(key) if key is not None else None
        if group not in {"console_scripts", "gui_scripts"}:
            continue
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for item in items:
            text = literal_str(item) or ""
            for spec in text.splitlines():
                if "=" in spec:
                    scan.console_scripts.append((spec.split("=", 1)[0].strip(), item.lineno))


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
