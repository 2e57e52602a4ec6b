"""A token prefilter that spares the AST walk of import-time files with nothing to see.

Import-time findings are lowered (rules.py), so only judgements that stay at `low` or above
matter there: decoded or downloaded code being run, shell downloaders and reverse shells,
secrets' locations, exfiltration endpoints, builtins indirection, environment or host data next
to the network. Each needs tokens that must appear in the raw text, so a file without them
cannot produce such a finding and is not parsed. Tokens are plain substrings (`in` runs at
memory speed; `re` alternations ran at ~3 MB/s). tests/checks compare results with and without
the prefilter on the hostile fixtures. Install-time files are always parsed.
"""

from __future__ import annotations

import re

from safepip.checks.hooks.patterns import has_literal_hints

_CALL = "("
_ALONE = ("dup2", "pty.spawn", "import pty", "from pty", "'pty'", '"pty"')
_BUILTINS = (
    "getattr(builtins", "getattr(__builtin", "builtins as ", "__builtin__ as ", "'builtins'",
    '"builtins"', "'__builtin__'", '"__builtin__"',
)
"""getattr on the builtins module, directly or through an alias (`import builtins as b`)."""
_NAMED_RUNNERS = (
    "'exec'", '"exec"', "'eval'", '"eval"', "'compile'", '"compile"', "@exec", "@eval",
    "@compile", "@builtins.", "builtins as ", "__builtin__ as ",
)
_PROCESS = (
    "subprocess", "os.system", "system(", "import system", "popen", "Popen", "spawn", "execv",
    "execl", "posix_spawn", "startfile", "commands.",
)
_DECODERS = (
    "b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decodebytes",
    "decodestring", "decompress", "marshal", "fromhex", "unhexlify", "a2b_", "pickle", "codecs",
    "rot13", "rot_13", "::-1", ":: -1", "chr(", "bytes(", "bytearray(",
)
_DECODE_CALLS = tuple(
    f"decode({quote}{codec}"
    for quote in ("'", '"')
    for codec in ("base", "hex", "rot", "zlib", "bz2", "uu")
)
"""`.decode("base64")`-style calls (Python 2 codecs), matched on lower-cased text."""
_SHELL = (
    "curl", "wget", "invoke-webrequest", "iwr ", "downloadstring", "downloadfile", "certutil",
    "bitsadmin", "/dev/tcp", "ncat", " nc ", "/nc ", "'nc ", '"nc ', "'nc'", '"nc"',
    "powershell", "base64", "mshta",
    "| sh", "|sh", "| bash", "|bash", "| zsh", "|zsh", "'|'", '"|"', "sh -i", "'-i'", '"-i"',
    "rm -rf", "'rm'", '"rm"',
)
"""Lower-case fragments of every SHELL_DOWNLOADER/SHELL_HOSTILE match, literal or list form."""
_NETWORK = (
    "urlopen", "urlretrieve", "urllib", "requests", "socket", "http.client", "httplib", "httpx",
    "ftplib", "smtplib", "telnetlib", "aiohttp", "websocket", "paramiko", "pycurl",
)
_HOST = (
    "environ.copy", "environ.items", "environ.keys", "environ.values", "gethostname", "getfqdn",
    "getuser", "getlogin", "getnode", "uname", "node(",
)
_WHOLE_ENVIRON = re.compile(r"environ(?!\s*[.\[])")
"""os.environ used as a whole (passed, assigned, iterated), not `.get(...)` or `[...]`."""


def _any(text: str, tokens: tuple[str, ...]) -> bool:
    return any(token in text for token in tokens)


def _runs_strings(text: str) -> bool:
    """A bare exec/eval/compile/execfile call (not re.compile and friends), a runner reached by
    name (getattr(builtins, "exec"), globals()["eval"]), or a process."""
    for word in ("exec", "eval", "compile", "execfile"):
        bare = text.count(word + _CALL) - text.count("." + word + _CALL)
        if bare > 0:
            return True
    return _any(text, _NAMED_RUNNERS) or _any(text, _PROCESS)


def worth_parsing(text: str) -> bool:
    """False only when no import-time rule could reach `low` on this text."""
    if _any(text, _ALONE) or has_literal_hints(text):
        return True
    if "getattr" in text and _any(text, _BUILTINS):
        return True  # builtins looked up by computed name
    lower = text.lower()
    runs = _runs_strings(text)
    if runs and (_any(text, _DECODERS) or _any(lower, _DECODE_CALLS)):
        return True
    if _any(text, _PROCESS) and _any(lower, _SHELL):
        return True
    return _any(text, _NETWORK) and (
        runs or _any(text, _HOST) or _WHOLE_ENVIRON.search(text) is not None
    )
