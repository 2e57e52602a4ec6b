"""A prefilter that spares the AST walk of import-time files with nothing to see.

Import-time findings are lowered (rules.py), so only those that stay at `low` or above matter
there (install-time files are always parsed). Each rule record in rules.py says what a file
must hold for it to get there (`RuleInfo.needs`: alternatives of needs such as "network+host");
`NEEDS` here tells whether a file meets each need, and `_ALTERNATIVES` is derived from the
records, so there is no second list to keep in step.

The calls are the catalogues of calls.py, and the scanner knows a call by its qualified name,
which it builds from identifiers, import names and string literals: every dotted part of a
name is a whole word of the file (an [A-Za-z0-9_] run), so a file lacking one of them cannot
make that call. Those tests are lookups in the file's set of words. Literal hints and shell
fragments are lower-case substrings, looked for in the words first (a word run inside a token
occurs in the text exactly when it occurs inside a word). A file that fails is judged once more
with what the parser reads there that the text hides (`hidden.hidden_text`: escapes, split
literals, NFKC identifiers). tests/checks compare findings with and without the prefilter on
the hostile fixtures and on evasions written for it; bench/scan_equivalence.py on corpora.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from safepip.checks.hooks.calls import (
    BUILTINS_NAMES,
    CAPABILITIES,
    CODE_RUNNERS,
    DECODER_SUFFIXES,
    DECODERS,
    DECODING_CODECS,
    DNS,
    EXEC_BUILTINS,
    HOST_INFO,
    NATIVE_INJECTION,
    NATIVE_LOADERS,
    NATIVE_RUNNERS,
    NETWORK,
    NETWORK_PREFIXES,
    NETWORK_SUFFIXES,
    PROCESS,
    PROCESS_PREFIXES,
)
from safepip.checks.hooks.flow import CREDENTIAL_READS, KEEPS_NOTHING
from safepip.checks.hooks.hidden import hidden_text
from safepip.checks.hooks.patterns import (
    LITERAL_HINTS,
    SENSITIVE_PATH,
    WEBHOOK,
    fold_case,
    in_source,
)
from safepip.checks.hooks.rules import RULES

_COMMAND_WORDS = (b"install", b"develop", b"egg_info", b"build_py", b"build_ext", b"build",
                  b"sdist", b"bdist_wheel", b"Command")
_CAPABILITY_WORDS = tuple(
    sorted(
        {name.rsplit(".", 1)[-1].encode("ascii") for calls in CAPABILITIES.values()
         for name in calls}
        | {name.encode("ascii") for name in NATIVE_INJECTION}
        | {b"__pyarmor__", b"to_clipboard", b"clipboard_get", b"read_clipboard", b"pytransform",
           b"pyarmor_runtime"}
    )
)
_NATIVE_LOADERS = tuple(sorted(name.encode("ascii") for name in NATIVE_LOADERS))
_NATIVE_RUNNERS = tuple(sorted(name.encode("ascii") for name in NATIVE_RUNNERS))
"""libc's system and friends through ctypes: the scanner takes them for os.system."""
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_TO_WORDS = bytes(byte if byte in _WORD_BYTES else 0x20 for byte in range(256))
"""Every byte outside [A-Za-z0-9_] becomes a space: what is left, split, are the words."""
_ANCHOR = re.compile(rb"[a-z0-9_]+")
_ESCAPED_WORD = re.compile(
    rb"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[abfnrtv])(\w+)"
)
"""A word right after an escape: `'\\tcurl'` holds the word `curl`, its text only `tcurl`."""


@dataclass(frozen=True)
class _Call:
    """A qualified call name as words: its complete dotted parts, and a prefix its last part
    starts with (`os.spawn*`; empty for a complete name)."""

    parts: frozenset[bytes]
    prefix: bytes = b""


@dataclass(frozen=True)
class _Calls:
    """Calls, grouped by one complete part each (its longest): a text lacking that word makes
    no call of the group, so `_View.makes` looks at the groups of the words the text holds."""

    groups: dict[bytes, tuple[_Call, ...]]
    keys: frozenset[bytes]
    """The words `groups` is keyed by."""
    unkeyed: tuple[_Call, ...]
    """Calls without a complete part (a bare prefix), looked at in every text."""


def _calls(
    names: Iterable[str], prefixes: Iterable[str] = (), suffixes: Iterable[str] = ()
) -> _Calls:
    calls = [_Call(frozenset(name.encode("ascii").split(b"."))) for name in sorted(names)]
    for prefix in prefixes:
        *whole, last = prefix.encode("ascii").split(b".")
        calls.append(_Call(frozenset(whole), last))
    for suffix in suffixes:  # `.urlopen`: any receiver, so the last part alone
        calls.append(_Call(frozenset({suffix.encode("ascii").rsplit(b".", 1)[-1]})))
    groups: dict[bytes, list[_Call]] = {}
    for call in calls:
        if call.parts:
            groups.setdefault(max(sorted(call.parts), key=len), []).append(call)
    return _Calls(
        groups={key: tuple(group) for key, group in groups.items()},
        keys=frozenset(groups),
        unkeyed=tuple(call for call in calls if not call.parts),
    )


_PROCESS_CALLS = _calls(PROCESS, prefixes=PROCESS_PREFIXES)
_NETWORK_CALLS = _calls(NETWORK, prefixes=NETWORK_PREFIXES, suffixes=NETWORK_SUFFIXES)
_DECODER_CALLS = _calls(DECODERS, suffixes=DECODER_SUFFIXES)
_HOST_CALLS = _calls(HOST_INFO)
_PTY_SPAWN = _calls(["pty.spawn"])
_DNS_CALLS = _calls(DNS)
_RUNNERS = tuple(sorted(name.encode("ascii") for name in EXEC_BUILTINS))
_CODE_RUNNER_CALLS = _calls(n for n in CODE_RUNNERS if not n.startswith("profile."))
_IMPORTS_PROFILE = re.compile(rb"(?:import|from)\s+profile\b")
"""The pure-Python `profile` module: its words (`profile`, `run`) are everywhere, so the
module's import is what is looked for."""
_BUILTINS = tuple(sorted(name.encode("ascii") for name in BUILTINS_NAMES))
_QUOTED_RUNNERS = tuple(quote + name + quote for name in _RUNNERS for quote in (b"'", b'"'))
"""A runner reached by name: getattr(builtins, "exec"), globals()["eval"]."""
_GAP = rb"(?:\s|\\\r?\n|#[^\n]*\n)"
"""What may stand between two tokens of an expression: white space, and inside brackets
newlines and comments; line continuations. (A `#` inside a string passes for a comment too,
which can only let more through.)"""
_CALL_FOLLOWS = re.compile(rb"(?:" + _GAP + rb"|\))*\(")
"""After a name: it is called (`exec (code)`, `(eval)(code)`)."""
_TAKER_PRECEDES = re.compile(rb"(?:\s|\n\r?\\|\n[^\n]*#|\()*(?:[=@,]|(?:tropmi|ni|htiw)(?!\w))")
"""Before a name, read backwards (on the reversed text): it is taken where the scanner follows
it: the value of an assignment (`run = exec`, `:=`, `+=`), a decorator, an import (`from
builtins import eval, exec as run`), a loop's iterable or a `with` item."""
_CODECS = tuple(
    frozenset(_ANCHOR.findall(written.encode("ascii")))
    for codec in sorted(DECODING_CODECS)
    for written in {codec, codec.replace("_", "-")}
)
"""The lower-case words of each way to write a `.decode("base64")`-style codec (the scanner
lower-cases it and reads `-` as `_`, so `ROT-13` is `rot_13`)."""
_HUGE_NUMBER = re.compile(rb"\d{20}")
"""An integer literal of 2**64 or more has at least 20 digits (flow.py reads one turned into
bytes as text)."""
_SHIFT_LOOP = re.compile(rb"[-+*%/]" + _GAP + rb"*[\w)]+\)*" + _GAP + rb"+for\s+\w+\s+in\s")
"""Arithmetic on a comprehension's item (`b - 3 for b in blob`): flow.py reads it as a
decoder when the items are literal text or numbers."""
_SHIFT_OVER_LITERAL = re.compile(rb"\sfor\s+\w+\s+in\s+(?:[bBrRuU]{0,2}['\"]|[\[(]\s*\d)")
_LONG_BYTES = re.compile(rb"(?<![\w'\"])[bB][rR]?['\"][^'\"\n]{16}")
"""The items a shift loop decodes are literal text or numbers, in place or in a bytes literal
bound to a name (flow.py's rule needs one of them)."""
_INT_DISPLAY_CALL = re.compile(rb"\(" + _GAP + rb"*[\[(]")
"""A call whose first argument is a list or tuple display: `bytes([104, 105, ...])`."""
_BYTES_OF_DISPLAY = re.compile(
    rb"(?<!\w)(?:bytes|bytearray)(?:" + _GAP + rb"|\))*\(" + _GAP + rb"*[\[(]"
)
"""bytes/bytearray called by name on a display. Reached any other way (`builtins.bytes`,
an import alias, `globals()["bytes"]`) it needs builtins named or `bytes` quoted."""
_QUOTED_BYTES = (b"'bytes'", b'"bytes"', b"'bytearray'", b'"bytearray"')
_NEGATIVE_STEP = re.compile(rb":(?:" + _GAP + rb"|\()*-")
"""A slice part that is negated: the step of `"..."[::-1]` (other slices match too)."""
_FIRST_COLON_REACH = 256
"""How far before a colon `_first_slice_colon` looks for the `[` it may follow."""
_NOT_A_PLAIN_BOUND = re.compile(rb"[\[\](){}:'\"#\\\r\n]")
"""What a slice's lower bound written between `[` and the colon must not hold for the colon
to be surely the slice's first (bounds with brackets, strings, comments or line breaks are
not followed: such a colon counts as a possible step's)."""
_XOR_OPERATOR = re.compile(
    rb"(?:^|[\w.)\]}'\"\x80-\xff\r])[ \t\f\v]*\^"
    rb"[ \t\f\v]*(?:[\w(\[{'\"\-+~.#\\\r\n=\x80-\xff]|\Z)",
    re.MULTILINE,
)
"""A `^` that can be the binary XOR operator, the only way the scanner sees an XOR
(flow.Tracer._binop, flow._xors: an `ast.BinOp` with `ast.BitXor`). A binary operator has an
operand on each side. So, past blanks on its line, it follows the end of one (a name, keyword
or number: a word byte or a non-ASCII one; `)`, `]`, `}`, a string's closing quote, the `.`
of `1.` or `...`) or starts the line (the line before may end in a comment or a line
continuation); and it is followed by the start of one (a word or non-ASCII byte, a bracket, a
quote, a sign, `~`, the `.` of `.5`), a comment, a line continuation or the line's end. A quote
on either side cannot be told from a string's own, so `r"^a"` still passes; a `^` after `[`,
`(`, `|`, `:` or another `^` (regex classes and anchors, format specs, underlines) is never an
operator. `^=` passes too: an augmented XOR is cheap to keep."""
_WHOLE_ENVIRON = re.compile(
    rb"\benviron\b(?!\s*(?:\[|\.\s*(?:"
    + b"|".join(re.escape(name.encode("ascii")) for name in sorted(KEEPS_NOTHING))
    + rb")\s*\())"
)
"""os.environ used whole (passed, assigned, iterated, copied), not one variable of it."""


@dataclass(frozen=True)
class _Needle:
    """One lower-case fragment, and the word runs inside it."""

    token: bytes
    anchors: frozenset[bytes]
    """The [a-z0-9_] runs in `token`: any occurrence of `token` contains each of them, so a
    text lacking one of them cannot contain the token."""


@dataclass(frozen=True)
class _Fragments:
    """Lower-case fragments, any of which is enough."""

    needles: tuple[_Needle, ...]
    anchors: tuple[bytes, ...]
    """Every anchor of every fragment, once."""


def _fragments(*tokens: str) -> _Fragments:
    needles = []
    for token in tokens:
        raw = token.encode("ascii")
        needles.append(_Needle(raw, frozenset(_ANCHOR.findall(raw))))
    anchors = tuple(sorted({anchor for needle in needles for anchor in needle.anchors}))
    return _Fragments(tuple(needles), anchors)


_LITERALS = _fragments(*LITERAL_HINTS)
"""Lower-case fragments of every secret's location and exfiltration endpoint."""
_SECRETS_IN_SOURCE = tuple(
    re.compile(in_source(pattern).pattern.encode("ascii"), re.IGNORECASE)
    for pattern in (SENSITIVE_PATH, WEBHOOK)
)
"""SENSITIVE_PATH and WEBHOOK as source text shows them, for the folded lower-case bytes."""
_REACH = 96
"""Longer than any match of those patterns (tests check), so a window this far around each
hint holds every match that contains it."""
_SHELL_FRAGMENTS = _fragments(
    "invoke-webrequest", "downloadstring", "downloadfile", "certutil", "bitsadmin", "/dev/tcp",
    "powershell", "base64", "-rf",
)
_PERSISTENCE_PLACES = _fragments(
    ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv",
    ".cshrc", ".tcshrc", "start menu", "currentversion", "/etc", "/var/spool", "launchagents",
    "launchdaemons", "autostart", "systemd", "customize.py", ".pth",
)
"""What every match of PERSISTENCE and STARTUP_CODE (patterns.py) holds, lower-case: the
places a write makes a payload run again."""
_WRITE_WORDS = (
    b"open", b"FileIO", b"copy", b"copyfile", b"copy2", b"copytree", b"move", b"rename",
    b"renames", b"replace", b"symlink", b"link", b"unpack_archive", b"chmod", b"lchmod",
    b"chown", b"lchown", b"utime", b"truncate", b"mkfifo", b"write_text", b"write_bytes",
    b"touch", b"symlink_to", b"hardlink_to", b"copyfileobj",
)
"""The last word of every call python.py takes for a file write (its _WRITERS, pathlib's
writes, copyfileobj)."""
_CREDENTIAL_READS = tuple(sorted(name.encode("ascii") for name in CREDENTIAL_READS))
_BOT_TOKEN = re.compile(rb"\d{8,10}:AA[\w-]{33}")
"""A Telegram bot token (python.py's _BOT_TOKEN)."""
_SCRIPT_HOSTS = _fragments("wscript.shell", "shell.application", "schedule.service")
"""The COM objects python.py takes for the Windows shell (its _SCRIPT_HOSTS)."""
_SECRET_NAMES = _fragments(
    "key", "secret", "token", "passw", "credential", "auth", "session", "cookie", "webhook"
)
"""What every environment variable named like a secret holds (flow._SECRET_VARIABLE)."""
_SHELL_WORDS = frozenset({b"curl", b"wget", b"iwr", b"nc", b"ncat", b"mshta"})
_SHELLS = frozenset({b"sh", b"bash", b"zsh"})
"""With SHELL_DOWNLOADER and SHELL_HOSTILE (patterns.py), what each of their alternatives
needs in lower-case text: a fragment, a whole word (`\\bcurl\\s`, `\\bnc\\s`), a shell word
with `-i` (`bash -i`) or with `|` (`| sh`)."""


class _View:
    """One text to test: its bytes and words, and their lower-case forms made on demand."""

    def __init__(self, data: bytes, text: str) -> None:
        self.data = data
        self.text = text
        words = frozenset(data.translate(_TO_WORDS).split())
        if b"\\" in data:
            words = words.union(_ESCAPED_WORD.findall(data))
        self.words = words
        self.met: dict[Callable[[_View], bool], bool] = {}
        """Answers of the text tests already run on this view (`_File.meets`): the written
        text's answers stand when the hidden text is judged with it."""

    @cached_property
    def lower(self) -> bytes:
        if self.data.isascii():  # bytes.lower maps what str.lower maps in ASCII text
            return self.data.lower()
        return fold_case(self.text).encode("utf-8")

    @cached_property
    def _lower_vocabulary(self) -> bytes:
        """The distinct lower-case words, one per line."""
        if self.data.isascii():
            return b"\n".join(self.words).lower()
        folded = set(self.lower.translate(_TO_WORDS).split())
        folded.update(word.lower() for word in self.words)  # words after escapes too
        return b"\n".join(folded)

    @cached_property
    def lower_words(self) -> frozenset[bytes]:
        return frozenset(self._lower_vocabulary.split(b"\n"))

    @cached_property
    def _vocabulary(self) -> bytes:
        return b"\n" + b"\n".join(self.words)

    def makes(self, calls: _Calls) -> bool:
        words = self.words
        candidates = [call for key in calls.keys & words for call in calls.groups[key]]
        return any(
            call.parts <= words and (not call.prefix or b"\n" + call.prefix in self._vocabulary)
            for call in (*calls.unkeyed, *candidates)
        )

    def has(self, fragments: _Fragments) -> bool:
        return bool(self.found(fragments))

    def found(self, fragments: _Fragments) -> list[bytes]:
        """The fragments in the lower-case text."""
        vocabulary = self._lower_vocabulary
        present = {anchor for anchor in fragments.anchors if anchor in vocabulary}
        return [
            needle.token for needle in fragments.needles
            if needle.anchors <= present and needle.token in self.lower
        ]

    def names_a_runner(self) -> bool:
        """exec/eval/compile/execfile called or taken by its own name, through builtins
        (`builtins.exec`, `__import__("builtins").eval`) or by a quoted name, not as
        another object's method (`re.compile`)."""
        words = self.words
        if self.makes(_CODE_RUNNER_CALLS) or (
            b"profile" in words and _IMPORTS_PROFILE.search(self.data)
        ):
            return True  # exec under another name (timeit, a profiler, code.Interactive*)
        named = [word for word in _RUNNERS if word in words]
        if not named:
            return False
        data = self.data
        if any(quoted in data for quoted in _QUOTED_RUNNERS):
            return True
        if any(word in words for word in _BUILTINS) and any(b"." + w in data for w in named):
            return True
        return any(_used_as_code(data, word) for word in named)

    def decodes(self) -> bool:
        words = self.words
        if self.makes(_DECODER_CALLS) or b"chr" in words:  # chr chains and joins
            return True
        if b"decode" in words and any(codec <= self.lower_words for codec in _CODECS):
            return True
        if (b"bytes" in words or b"bytearray" in words) and self._bytes_of_display():
            return True
        data = self.data
        if b"^" in data and _XOR_OPERATOR.search(data):  # bytes(b ^ k for b in blob) decrypts
            return True
        if b"maketrans" in words or (b"struct" in words and b"pack" in words) or (
            b"to_bytes" in words and _HUGE_NUMBER.search(data)
        ):
            return True  # text packed from numbers or substituted through a table
        if b"for" in words and _SHIFT_LOOP.search(data) and (
            _SHIFT_OVER_LITERAL.search(data) or _LONG_BYTES.search(data)
        ):
            return True  # bytes(b - 3 for b in blob): a Caesar-style loop over literal data
        return any(not _first_slice_colon(data, match.start())
                   for match in _NEGATIVE_STEP.finditer(data))

    def _bytes_of_display(self) -> bool:
        data = self.data
        if _BYTES_OF_DISPLAY.search(data):
            return True
        indirect = any(word in self.words for word in _BUILTINS) or any(
            quoted in data for quoted in _QUOTED_BYTES
        )
        return indirect and _INT_DISPLAY_CALL.search(data) is not None

    def names_a_secret_or_endpoint(self) -> bool:
        """A literal hint, and around it what SENSITIVE_PATH or WEBHOOK would match in the
        literal's value (patterns.in_source; every match holds a hint, within _REACH)."""
        lower = self.lower
        for hint in self.found(_LITERALS):
            at = lower.find(hint)
            while at != -1:
                window = lower[max(0, at - _REACH):at + len(hint) + _REACH]
                if any(pattern.search(window) for pattern in _SECRETS_IN_SOURCE):
                    return True
                at = lower.find(hint, at + 1)
        return False

    def shell_text(self) -> bool:
        lower_words = self.lower_words
        if not _SHELL_WORDS.isdisjoint(lower_words) or self.has(_SHELL_FRAGMENTS):
            return True
        if _SHELLS.isdisjoint(lower_words):
            return False
        return b"-i" in self.lower or b"|" in self.lower

    def whole_environ(self) -> bool:
        return {b"os", b"environ"} <= self.words and _WHOLE_ENVIRON.search(self.data) is not None


class _File:
    """The prefilter's view of one file: the text as written, and (`reveal`) what the parser
    would read there that the text hides. A need is met if either view meets it."""

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

    def meets(self, need: Callable[[_View], bool]) -> bool:
        for view in self.views:
            if need not in view.met:
                view.met[need] = need(view)
            if view.met[need]:
                return True
        return False

    def makes(self, calls: _Calls) -> bool:
        return any(view.makes(calls) for view in self.views)

    def has_words(self, *words: bytes) -> bool:
        return any(word in view.words for view in self.views for word in words)


def _used_as_code(data: bytes, word: bytes) -> bool:
    """`word`, a whole name not after a dot, called or taken as a value somewhere in `data`:
    not a word of prose (`compile the statement`)."""
    backwards = b""
    at = data.find(word)
    while at != -1:
        end = at + len(word)
        before = data[at - 1] if at else 0x20
        after = data[end] if end < len(data) else 0x20
        if before not in _WORD_BYTES and before != ord(".") and after not in _WORD_BYTES:
            if _CALL_FOLLOWS.match(data, end):
                return True
            backwards = backwards or data[::-1]
            if _TAKER_PRECEDES.match(backwards, len(data) - at):
                return True
        at = data.find(word, end)
    return False


def _first_slice_colon(data: bytes, colon: int) -> bool:
    """The colon at `colon` is surely the first of a subscript's slice (`x[:-1]`, `x[i+1:-1]`),
    so a `-` after it negates the upper bound, never the step (flow.Tracer._subscript and
    calls.fold read only a negated step as reversal).

    True only when a `[` stands at most _FIRST_COLON_REACH bytes before it with nothing between
    but a plain lower bound (no bracket, colon, quote, comment or line break). A step's colon
    always has the slice's first colon between it and the subscript's `[`, or, if a nearer `[`
    opened inside the bounds, that bracket's `]`; a bracket in a string or a comment brings its
    quote, `#` or line break along; so every step's colon answers False."""
    start = data.rfind(b"[", max(0, colon - _FIRST_COLON_REACH), colon)
    return start != -1 and _NOT_A_PLAIN_BOUND.search(data, start + 1, colon) is None


def worth_parsing(data: bytes, text: str) -> bool:
    """False only when no import-time rule could reach `low` on this file.

    `text` is `data` decoded as the interpreter decodes it (source.decode_source). The tests
    run on `text` as UTF-8, not on `data`: a coding cookie (`# coding: utf-7`, where
    `+AGUAeABlAGM-` is `exec`, or any codec that maps ASCII bytes elsewhere) makes the bytes
    say something else than what the parser reads. For UTF-8 files with `\n` line ends the
    two are the same bytes."""
    file = _File(text.encode("utf-8", "surrogatepass"), text)
    return _worth(file) or (file.reveal() and _worth(file))


def _builtins_lookup(file: _File) -> bool:
    return file.has_words(b"getattr") and file.has_words(*_BUILTINS)


NEEDS: dict[str, Callable[[_File], bool]] = {
    "secret-literal": lambda file: file.meets(_View.names_a_secret_or_endpoint),
    "builtins-lookup": _builtins_lookup,
    "process": lambda file: file.makes(_PROCESS_CALLS)
    or (file.has_words(*_NATIVE_LOADERS) and file.has_words(*_NATIVE_RUNNERS)),
    "runner": lambda file: file.meets(_View.names_a_runner),
    "decoder": lambda file: file.meets(_View.decodes),
    "shell-text": lambda file: file.meets(_View.shell_text),
    "pty": lambda file: file.makes(_PTY_SPAWN),
    "network": lambda file: file.makes(_NETWORK_CALLS),
    "dup2": lambda file: any(b"dup2" in view.data for view in file.views),
    "host": lambda file: file.makes(_HOST_CALLS),
    "dns": lambda file: file.makes(_DNS_CALLS),
    "encoded-url": lambda file: any(b"aHR0c" in view.data for view in file.views),
    "bot-token": lambda file: file.has_words(b"telebot", b"telegram", b"aiogram", b"telethon")
    and any(_BOT_TOKEN.search(view.data) for view in file.views),
    "build-fetch": lambda file: file.has_words(b"setup_requires"),
    "evaluated-name": lambda file: file.has_words(b"eval") and file.meets(_View.names_a_runner),
    "clone": lambda file: file.has_words(b"clone_from", b"clone_repository")
    or (file.has_words(b"git", b"porcelain") and file.has_words(b"clone")),
    "com-shell": lambda file: any(
        b"Dispatch" in view.data and any(word.endswith(b"Dispatch") for word in view.words)
        for view in file.views  # (every word is a piece of the text)
    ) and file.meets(lambda view: view.has(_SCRIPT_HOSTS)),
    "secret-variable": lambda file: (
        (file.has_words(b"getenv", b"getenvb")
         or (file.has_words(b"os") and file.has_words(b"environ", b"environb")))
        and file.meets(lambda view: view.has(_SECRET_NAMES))
    ) or file.has_words(*_CREDENTIAL_READS),
    "whole-environ": lambda file: file.meets(_View.whole_environ),
    "command-class": lambda file: file.has_words(*_COMMAND_WORDS),
    "capability": lambda file: file.has_words(*_CAPABILITY_WORDS),
    "persistence-place": lambda file: file.meets(lambda view: view.has(_PERSISTENCE_PLACES)),
    "write": lambda file: file.has_words(*_WRITE_WORDS),
}
"""What a rule may need of a file, by the name rules.py uses in `RuleInfo.needs`."""

_CHEAP_FIRST = (
    "builtins-lookup", "command-class", "capability", "write", "pty", "host", "process",
    "network", "dup2", "whole-environ", "runner", "shell-text", "decoder", "secret-literal",
)
"""NEEDS by CPU over the files they are asked about, word lookups first: an alternative stops
at its first need that fails, and most files fail the cheap ones (`process`, `network`,
`runner`) before the text scans of `decoder` are needed. A need missing here comes last."""


def _cost(need: str) -> tuple[int, str]:
    rank = _CHEAP_FIRST.index(need) if need in _CHEAP_FIRST else len(_CHEAP_FIRST)
    return rank, need


_ALTERNATIVES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {
            tuple(sorted(alt, key=_cost))
            for rule in RULES.values()
            if rule.reaches_low_at_import_time()
            for alt in rule.needs
        },
        key=lambda alt: (max(map(_cost, alt)), len(alt), alt),
    )
)
"""Every way some rule can reach `low` at import time, each as its needs cheapest first, and
the alternatives by their dearest need: derived from the rule records, so a rule added there is
prefiltered by its own needs."""


def _worth(file: _File) -> bool:
    """Whether some alternative holds: its needs tried in order, each need judged once."""
    known: dict[str, bool] = {}
    for alternative in _ALTERNATIVES:
        for need in alternative:
            held = known.get(need)
            if held is None:
                held = known[need] = NEEDS[need](file)
            if not held:
                break
        else:
            return True
    return False
