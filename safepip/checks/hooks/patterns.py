"""Text patterns the scanner matches in string literals and file names.

Kept as data: what counts as a secret's location, an exfiltration endpoint, a shell downloader,
a build tool, or a command worth shadowing.
"""

from __future__ import annotations

import math
import re
from collections import Counter

SENSITIVE_PATH = re.compile(
    r"(?:^|[/\\~])\.ssh(?:[/\\]|$)|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|authorized_keys"
    r"|\.aws(?:[/\\](?:credentials|config)|$)|\.config[/\\](?:gcloud|google-chrome|chromium"
    r"|BraveSoftware|discord|solana)|^~[/\\]\.config[/\\]?$|\.azure(?:[/\\]|$)|\.kube[/\\]config"
    r"|\.docker[/\\]config\.json|\.git-credentials|\.pypirc|(?:^|[/\\~])\.netrc$|\.npmrc"
    r"|/etc/(?:passwd|shadow|sudoers)\b|\.(?:bash|zsh)_history|\.gnupg(?:[/\\]|$)"
    r"|Login Data|Local State|Local Storage[/\\]leveldb|\.mozilla[/\\]firefox|key4\.db"
    r"|logins\.json|Google[/\\]Chrome[/\\]User Data|Library[/\\]Keychains|login\.keychain"
    r"|wallet\.dat|[/\\]Exodus[/\\]|[/\\]Electrum[/\\]|Telegram Desktop[/\\]tdata",
    re.IGNORECASE,
)
"""Locations of credentials, keys, browser secrets and wallets."""

LITERAL_HINTS = (
    ".ssh",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    ".aws",
    ".config/",
    ".config\\",
    "~/.config",
    ".azure",
    ".kube/",
    ".kube\\",
    ".docker/",
    ".docker\\",
    ".git-credentials",
    ".pypirc",
    ".netrc",
    ".npmrc",
    "/etc/passwd",
    "/etc/shadow",
    "/etc/sudoers",
    "bash_history",
    "zsh_history",
    ".gnupg",
    "login data",
    "local state",
    "local storage",
    ".mozilla",
    "key4.db",
    "logins.json",
    "user data",
    "keychain",
    "wallet.dat",
    "exodus",
    "electrum",
    "telegram desktop",
    "/api/webhooks",
    "hooks.slack",
    "api.telegram",
    "pastebin",
    "paste.ee",
    "hastebin",
    "ghostbin",
    "requestbin",
    "transfer.sh",
    "webhook.site",
    "pipedream",
    "ngrok",
    "interact.sh",
    "oast.",
    "burpcollaborator",
    "canarytokens",
    "catbox",
    "anonfiles",
    "dnslog",
)
"""Lower-case substrings every SENSITIVE_PATH or WEBHOOK match contains: `in` tests on these
are far cheaper than the full patterns, so literals are only matched where one appears."""


IGNORECASE_LETTERS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))
"""The non-ASCII letters `re.IGNORECASE` matches with an ASCII one (tests check every code
point): dotted and dotless I, long S, KELVIN SIGN."""


def fold_case(text: str) -> str:
    """`text.lower()` with IGNORECASE_LETTERS made ASCII: a lower-case fragment of an
    IGNORECASE pattern is in the fold of every text the pattern matches."""
    if not text.isascii():
        for special, letter in IGNORECASE_LETTERS:
            if special in text:
                text = text.replace(special, letter)
    return text.lower()


def has_literal_hints(text: str) -> bool:
    lower = fold_case(text)
    return any(hint in lower for hint in LITERAL_HINTS)


WEBHOOK = re.compile(
    r"discord(?:app)?\.com/api/webhooks|hooks\.slack\.com|api\.telegram\.org/bot"
    r"|pastebin\.com|paste\.ee|hastebin|ghostbin|transfer\.sh|webhook\.site|pipedream\.net"
    r"|requestbin|ngrok(?:-free)?\.(?:io|app)|interact\.sh|oast\.(?:pro|live|site|online|fun|me)"
    r"|burpcollaborator\.net|canarytokens|files\.catbox\.moe|anonfiles|dnslog\.cn",
    re.IGNORECASE,
)
"""Endpoints stolen data is posted to."""

def in_source(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` as a literal's value matching it shows in source text: its anchors and word
    boundaries dropped (a literal starts and ends at quotes there, and `'\\tid_rsa'` has a
    boundary before `id_rsa` only in its value) and its separator classes also taking an escaped
    backslash (`'C:\\\\Users'` holds `C:\\Users`). Where the pattern matches a value that the
    source spells out, this matches the source: a looser test, for prefilters."""
    text = pattern.pattern
    out: list[str] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            if text[at + 1] != "b":
                out.append(text[at:at + 2])
            at += 2
        elif char == "[":
            end = text.index("]", at + 2)  # these patterns' classes hold no `]`
            body = text[at + 1:end]
            rest = body.replace("\\\\", "")
            out.append(f"(?:[{rest}]|\\\\{{1,2}})" if rest != body else text[at:end + 1])
            at = end + 1
        else:
            if char not in "^$":
                out.append(char)
            at += 1
    return re.compile("".join(out), pattern.flags)


SHELL_DOWNLOADER = re.compile(
    r"\b(?:curl|wget)\s|\bInvoke-WebRequest\b|\biwr\s|DownloadString|DownloadFile"
    r"|certutil\s+-urlcache|bitsadmin\s+/transfer",
    re.IGNORECASE,
)
"""Shell commands that download."""

SHELL_HOSTILE = re.compile(
    r"/dev/tcp/|\bnc\s+(?:-\w+\s+)*-[ec]\b|\bncat\b.*-e\b|\bbash\s+-i\b|\bsh\s+-i\b"
    r"|powershell(?:\.exe)?\s+.*-(?:enc|EncodedCommand|w\s+hidden)|\|\s*(?:ba|z)?sh\b"
    r"|base64\s+(?:-d|--decode)|\bmshta\b|rm\s+-rf\s+[~/]",
    re.IGNORECASE,
)
"""Shell fragments of reverse shells, hidden PowerShell, pipes into a shell."""

PERSISTENCE = re.compile(
    r"(?:^|/|~)\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|cshrc|tcshrc)$"
    r"|/Start Menu/Programs/Startup|CurrentVersion/Run|^/etc/(?:cron|rc\.local|profile|init\.d)"
    r"|/var/spool/cron|/Library/Launch(?:Agents|Daemons)|\.config/(?:autostart|systemd)/",
    re.IGNORECASE,
)
"""Files the system or a login shell runs again later (paths with `/` for separators):
writing there makes a payload survive the install."""

STARTUP_CODE = re.compile(r"(?:site|user)customize\.py$|\.pth$", re.IGNORECASE)
"""Files every Python start runs when they sit in site-packages (in the source tree they are
only packaged: coverage builds its .pth there)."""

LAUNCHER = re.compile(
    r"\b(?:wscript|cscript|mshta|rundll32|regsvr32|schtasks|pythonw|bitsadmin|vssadmin)\b"
    r"|\breg(?:\.exe)?\s+add\b|\battrib\s+\+[hs]\b|\.(?:vbs|vbe|hta|scr|pyw)\b"
    r"|^\s*start\s|(?:&&|&|;|/[ck])\s*start\s|\bnohup\b|\bsetsid\b|\bdisown\b"
    r"|\bcrontab\s|\blaunchctl\s+load\b|\bsystemctl\s+(?:--user\s+)?enable\b",
    re.IGNORECASE,
)
"""Commands that start a program detached or hidden, through a script host, or register it to
start again later: what droppers do with what they just wrote, and no build needs."""

URL = re.compile(r"\b(?:https?|ftp)://[^\s'\"]+|\bgit@[\w.-]+:", re.IGNORECASE)
"""A URL given to a program (a fetch, a clone, an install from a server)."""

INTERPRETERS = frozenset(
    {"python", "python3", "python2", "py", "pythonw", "sh", "bash", "zsh", "dash", "cmd",
     "cmd.exe", "powershell", "powershell.exe", "pwsh", "node", "perl", "ruby"}
)
"""Programs that run code given on their command line (`-c`, `/c`, `-Command`, `-e`)."""

BUILD_MODULES = frozenset(
    {"cython", "Cython", "setuptools", "build", "wheel", "grpc_tools", "numpy", "pybind11",
     "mypyc", "cffi", "distutils", "compileall", "py_compile", "sphinx", "babel", "versioneer",
     "setuptools_scm", "nuitka", "maturin", "scikit_build", "skbuild", "cmake", "ninja"}
)
"""Top-level packages `python -m` runs in ordinary builds (code generators and compilers)."""

BUILD_TOOLS = frozenset(
    {
        "pkg-config",
        "pkgconf",
        "git",
        "hg",
        "gcc",
        "g++",
        "cc",
        "c++",
        "clang",
        "clang++",
        "cl",
        "ld",
        "ar",
        "make",
        "gmake",
        "cmake",
        "ninja",
        "meson",
        "xcrun",
        "xcode-select",
        "sw_vers",
        "uname",
        "ldconfig",
        "nvcc",
        "cython",
        "swig",
        "mysql_config",
        "mariadb_config",
        "pg_config",
        "curl-config",
        "xml2-config",
        "xslt-config",
        "libpng-config",
        "freetype-config",
        "icu-config",
        "net-snmp-config",
        "python",
        "python3",
        "cargo",
        "rustc",
        "lsb_release",
        "brew",
        "port",
        "which",
        "sysctl",
        "nm",
        "objdump",
        "otool",
        "gfortran",
        "patch",
        "autoreconf",
        "autoconf",
        "configure",
        "./configure",
        "msbuild",
        "vswhere",
    }
)
"""Programs ordinary build code runs (first word of a literal command)."""

SHADOWED_COMMANDS = frozenset(
    {
        "ls",
        "cp",
        "mv",
        "rm",
        "cd",
        "cat",
        "echo",
        "grep",
        "find",
        "ps",
        "kill",
        "top",
        "chmod",
        "chown",
        "sudo",
        "su",
        "doas",
        "passwd",
        "login",
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "curl",
        "wget",
        "git",
        "python",
        "python3",
        "pip",
        "pip3",
        "bash",
        "sh",
        "zsh",
        "env",
        "which",
        "tar",
        "make",
        "gcc",
        "cc",
        "ld",
        "awk",
        "sed",
        "vi",
        "vim",
        "nano",
        "less",
        "more",
        "man",
        "docker",
        "kubectl",
        "npm",
        "node",
        "gpg",
        "openssl",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "brew",
        "systemctl",
        "id",
        "whoami",
        "mount",
        "crontab",
        "aws",
        "gcloud",
        "az",
        "java",
    }
)
"""Commands a console script must not take over."""


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


_HEX = re.compile(r"^[0-9a-fA-F\s\\x]+$")


_BASE64 = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")


def looks_encoded(text: str) -> bool:
    """A long literal that reads like an encoded blob (base64-ish entropy, or a hex dump)."""
    if len(text) < 256 or " " in text[:200].strip():
        return False
    if len(text) >= 512 and _HEX.match(text[:4096]):
        return True
    if len(text) % 4 == 0 and _BASE64.fullmatch(text):
        return True  # base64 of repetitive data has low entropy, but it is still hidden
    return entropy(text[:8192]) >= 5.2
