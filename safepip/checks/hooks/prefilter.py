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

from safepip.checks.hooks.patterns import has_literal_hints

_CALL = "("
_ALONE = (
    "builtins",
    "__builtin__",
    "dup2",
    "pty.spawn",
    "import pty",
    "from pty",
    "'pty'",
    '"pty"',
)
_PROCESS = ("system", "popen", "Popen", "spawn", "subprocess", "exec")
_DECODERS = (
    "b64decode",
    "b32decode",
    "b16decode",
    "b85decode",
    "a85decode",
    "decodebytes",
    "decodestring",
    "decompress",
    "marshal",
    "fromhex",
    "unhexlify",
    "a2b_",
    "pickle",
    "codecs",
    "rot13",
    "rot_13",
    "::-1",
    ":: -1",
    "chr(",
    "bytes(",
    "bytearray",
    "decode('",
    'decode("',
)
_SHELL = (
    "curl",
    "wget",
    "webrequest",
    "iwr",
    "downloadstring",
    "downloadfile",
    "certutil",
    "bitsadmin",
    "/dev/tcp",
    "ncat",
    "nc ",
    "nc'",
    'nc"',
    "powershell",
    "base64",
    "mshta",
    "-i",
    "|",
    "rm -rf",
    "'rm'",
    '"rm"',
)
_NETWORK = (
    "urlopen",
    "urlretrieve",
    "urllib",
    "requests",
    "socket",
    "http.client",
    "httplib",
    "httpx",
    "ftplib",
    "smtplib",
    "telnetlib",
    "aiohttp",
    "websocket",
    "paramiko",
    "pycurl",
)
_HOST = ("environ", "gethostname", "getfqdn", "getuser", "getlogin", "getnode", "uname", "node(")


def _any(text: str, tokens: tuple[str, ...]) -> bool:
    return any(token in text for token in tokens)


def _runs_strings(text: str) -> bool:
    """A bare exec/eval/compile/execfile call (not re.compile and friends) or a process."""
    for word in ("exec", "eval", "compile", "execfile"):
        bare = text.count(word + _CALL) - text.count("." + word + _CALL)
        if bare > 0:
            return True
    return _any(text, _PROCESS)


def worth_parsing(text: str) -> bool:
    """False only when no import-time rule could reach `low` on this text."""
    if _any(text, _ALONE) or has_literal_hints(text):
        return True
    runs = _runs_strings(text)
    if runs and _any(text, _DECODERS):
        return True
    if _any(text, _PROCESS) and _any(text.lower(), _SHELL):
        return True
    return _any(text, _NETWORK) and (runs or _any(text, _HOST))
