"""A token prefilter that spares the AST walk of import-time files with nothing to see.

Import-time findings are lowered (rules.py), so only judgements that stay at `low` or above
matter there: decoded or downloaded code being run, shell downloaders and reverse shells,
secrets' locations, exfiltration endpoints, builtins indirection, environment or host data next
to the network. Each needs tokens that must appear in the raw text, so a file without them
cannot produce such a finding and is not parsed. Install-time files are always parsed.

Most files contain none of the ~150 tokens, and testing each one against the whole file cost
more than parsing the few that pass. So a file is first reduced to its distinct identifier-like
words (one `bytes.translate` + `split`); the identifier runs inside each token (its anchors)
are looked for in that much shorter vocabulary, and only a token whose anchors are all there
is looked for in the full text. An anchor occurs in the text exactly when it occurs in a word,
so the answer is the one plain substring tests give, for less work. A file that fails is judged
once more with what the parser reads there that the text hides (`hidden.hidden_text`: escapes,
split literals, NFKC identifiers). tests/checks compare results with and without the prefilter
on the hostile fixtures and on evasions written for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from safepip.checks.hooks.hidden import hidden_text
from safepip.checks.hooks.patterns import LITERAL_HINTS

_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_TO_WORDS = bytes(byte if byte in _WORD_BYTES else 0x20 for byte in range(256))
"""Every byte outside [A-Za-z0-9_] becomes a space: what is left, split, are the words."""
_ANCHOR = re.compile(rb"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class _Needle:
    """One token, and the identifier runs inside it."""

    token: bytes
    """The token, ASCII."""
    anchors: frozenset[bytes]
    """The [A-Za-z0-9_] runs in `token`: any occurrence of `token` contains each of them,
    so a file lacking one of them cannot contain the token."""
    whole: bool
    """The token is a single identifier run: finding its anchor is finding it."""


@dataclass(frozen=True)
class _Tokens:
    """A group of tokens, any of which is enough."""

    needles: tuple[_Needle, ...]
    """The tokens."""
    anchors: tuple[bytes, ...]
    """Every anchor of every token, once."""


def _needles(*tokens: str) -> _Tokens:
    needles = []
    for token in tokens:
        raw = token.encode("ascii")
        runs = frozenset(_ANCHOR.findall(raw))
        needles.append(_Needle(raw, runs, runs == {raw}))
    anchors = tuple(sorted({anchor for needle in needles for anchor in needle.anchors}))
    return _Tokens(tuple(needles), anchors)


_ALONE = _needles("dup2", "pty.spawn", "import pty", "from pty", "'pty'", '"pty"')
_GETATTR = _needles("getattr")
_BUILTINS = _needles(
    "getattr(builtins", "getattr(__builtin", "builtins as ", "__builtin__ as ", "'builtins'",
    '"builtins"', "'__builtin__'", '"__builtin__"',
)
"""getattr on the builtins module, directly or through an alias (`import builtins as b`)."""
_RUNNER_WORDS = (b"exec", b"eval", b"compile", b"execfile")
_BUILTINS_WORDS = (b"builtins", b"__builtins__", b"__builtin__")
_NAMED_RUNNERS = _needles(
    "'exec'", '"exec"', "'eval'", '"eval"', "'compile'", '"compile"', "@exec", "@eval",
    "@compile", "@builtins.", "builtins as ", "__builtin__ as ",
)
_PROCESS = _needles(
    "subprocess", "os.system", "system(", "import system", "popen", "Popen", "spawn", "execv",
    "execl", "posix_spawn", "startfile", "commands.",
)
_DECODERS = _needles(
    "b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decodebytes",
    "decodestring", "decompress", "marshal", "fromhex", "unhexlify", "a2b_", "pickle", "codecs",
    "rot13", "rot_13", "::-1", ":: -1", "chr(", "bytes(", "bytearray(",
)
_DECODE_CALLS = _needles(
    *(
        f"decode({quote}{codec}"
        for quote in ("'", '"')
        for codec in ("base", "hex", "rot", "zlib", "bz2", "uu")
    )
)
"""`.decode("base64")`-style calls (Python 2 codecs), matched on lower-cased text."""
_SHELL = _needles(
    "curl", "wget", "invoke-webrequest", "iwr ", "downloadstring", "downloadfile", "certutil",
    "bitsadmin", "/dev/tcp", "ncat", " nc ", "/nc ", "'nc ", '"nc ', "'nc'", '"nc"',
    "powershell", "base64", "mshta",
    "| sh", "|sh", "| bash", "|bash", "| zsh", "|zsh", "'|'", '"|"', "sh -i", "'-i'", '"-i"',
    "rm -rf", "'rm'", '"rm"',
)
"""Lower-case fragments of every SHELL_DOWNLOADER/SHELL_HOSTILE match, literal or list form."""
_LITERALS = _needles(*LITERAL_HINTS)
"""Lower-case fragments of every secret's location and exfiltration endpoint."""
_NETWORK = _needles(
    "urlopen", "urlretrieve", "urllib", "requests", "socket", "http.client", "http import",
    "httplib", "httpx",
    "ftplib", "smtplib", "telnetlib", "aiohttp", "websocket", "paramiko", "pycurl",
)
_HOST = _needles(
    "environ.copy", "environ.items", "environ.keys", "environ.values", "gethostname", "getfqdn",
    "getuser", "getlogin", "getnode", "uname", "node(",
)
_WHOLE_ENVIRON = re.compile(r"environ(?!\s*[.\[])")
"""os.environ used as a whole (passed, assigned, iterated), not `.get(...)` or `[...]`."""


class _Text:
    """One file's bytes and the distinct words in them, for many substring tests."""

    def __init__(self, data: bytes, words: bytes | None = None) -> None:
        self.data = data
        self.word_set = set(data.translate(_TO_WORDS).split()) if words is None else set()
        self.words = b"\n".join(self.word_set) if words is None else words
        self._answers: dict[int, bool] = {}

    def has(self, tokens: _Tokens) -> bool:
        answer = self._answers.get(id(tokens))
        if answer is None:
            words = self.words
            present = {anchor for anchor in tokens.anchors if anchor in words}
            answer = self._answers[id(tokens)] = any(
                needle.anchors <= present and (needle.whole or needle.token in self.data)
                for needle in tokens.needles
            )
        return answer


class _View:
    """One text to test: raw bytes, and lower-cased bytes made on demand."""

    def __init__(self, data: bytes, text: str) -> None:
        self.text = text
        self.raw = _Text(data)

    @cached_property
    def lower(self) -> _Text:
        if self.raw.data.isascii():  # bytes.lower maps what str.lower maps in ASCII text
            return _Text(self.raw.data.lower(), self.raw.words.lower())
        return _Text(self.text.lower().encode("utf-8"))  # e.g. U+212A KELVIN SIGN -> "k"

    def names_a_runner(self) -> bool:
        """exec/eval/compile/execfile named bare (called, aliased, passed on) or through
        builtins, not as another object's method (`re.compile`)."""
        words = self.raw.word_set
        via_builtins = any(word in words for word in _BUILTINS_WORDS)
        return any(
            word in words and _named_bare(self.raw.data, word, via_builtins)
            for word in _RUNNER_WORDS
        )

    def whole_environ(self) -> bool:
        return b"environ" in self.raw.words and _WHOLE_ENVIRON.search(self.text) is not None


class _File:
    """The prefilter's view of one file: the text as written, and (`reveal`) what the parser
    would read there that the text hides. A token counts if either shows it."""

    def __init__(self, data: bytes, text: str) -> None:
        self.data = data
        self.text = text
        self.views = [_View(data, text)]

    def reveal(self) -> bool:
        """Add the view of what the parser reads that the text hides; True if there is one.

        A literal's hidden text can act from any file (a webhook URL kept in a config module
        and posted from another), so every file is looked at this way."""
        hidden = hidden_text(self.data, self.text)
        if hidden:
            self.views.append(_View(hidden.encode("utf-8"), hidden))
        return bool(hidden)

    def has(self, tokens: _Tokens) -> bool:
        return any(view.raw.has(tokens) for view in self.views)

    def has_lower(self, tokens: _Tokens) -> bool:
        return any(view.lower.has(tokens) for view in self.views)

    def process(self) -> bool:
        return self.has(_PROCESS)  # each view remembers its answers

    def runs_strings(self) -> bool:
        """A runner named bare or through builtins, a runner reached by name
        (getattr(builtins, "exec"), globals()["eval"]), or a process."""
        if any(view.names_a_runner() for view in self.views):
            return True
        return self.has(_NAMED_RUNNERS) or self.process()

    def whole_environ(self) -> bool:
        """os.environ used whole. The scanner knows the environment only as `os.environ`
        qualified through the imports, so the word `os` (a name or a string) must be there:
        a WSGI `environ` dict in a file that never names `os` is not it."""
        return any(view.whole_environ() for view in self.views) and any(
            b"os" in view.raw.word_set for view in self.views
        )


def _named_bare(data: bytes, word: bytes, via_builtins: bool) -> bool:
    """`word` as a whole identifier not after a dot, or after one when builtins are about
    (`builtins.exec`, `__import__("builtins").exec`)."""
    at = data.find(word)
    while at != -1:
        end = at + len(word)
        before = data[at - 1] if at else 0x20
        after = data[end] if end < len(data) else 0x20
        if before not in _WORD_BYTES and after not in _WORD_BYTES and (
            before != ord(".") or via_builtins
        ):
            return True
        at = data.find(word, end)
    return False


def worth_parsing(data: bytes, text: str) -> bool:
    """False only when no import-time rule could reach `low` on this file.

    `text` is `data` decoded as UTF-8 (the caller has both)."""
    file = _File(data, text)
    return _worth(file) or (file.reveal() and _worth(file))


def _worth(file: _File) -> bool:
    if file.has(_ALONE) or file.has_lower(_LITERALS):
        return True
    if file.has(_GETATTR) and file.has(_BUILTINS):
        return True  # builtins looked up by computed name
    runs = file.runs_strings()
    if runs and (file.has(_DECODERS) or file.has_lower(_DECODE_CALLS)):
        return True
    if file.process() and file.has_lower(_SHELL):
        return True
    return file.has(_NETWORK) and (runs or file.has(_HOST) or file.whole_environ())
