"""What the parser reads that the written text does not show.

Token tests run on the text as written, but the parser normalises identifiers (PEP 3131:
NFKC, so fullwidth e-x-e-c, U+FF45 U+FF58 U+FF45 U+FF43, is `exec`), decodes escape sequences
(`"\\x2essh"` is `".ssh"`) and joins adjacent string literals (`"ex" "ec"` is `"exec"`). Every
token that appears only after those steps overlaps a place where one of them changed the
text, so `hidden_text` returns just those places, decoded, with enough context around them
for any token. It is approximate on purpose (it does not know where literals start and end):
it can only add text to look at; the written text is always judged too.
"""

from __future__ import annotations

import re
import unicodedata

_PRINTABLE_ESCAPE = re.compile(
    r"\\(?:x[2-7][0-9a-fA-F]|u00[2-7][0-9a-fA-F]|U0000[2-7][0-9a-fA-F]|N\{[^}\n]{1,80}\}"
    r"|[0-7]{1,3}|u(?:013[01]|017[fF]|212[aA])|U0000(?:013[01]|017[fF]|212[aA])|\r?\n)"
)
"""Escapes that can stand for printable ASCII, the only characters tokens are made of, or for
the letters `re.IGNORECASE` takes for ASCII ones (patterns.IGNORECASE_LETTERS), and a
backslash-newline, which a string literal drops (`'~/.s\\<newline>sh'` is `'~/.ssh'`); the
others are left as written: they cannot add to a token."""
_SEAM = re.compile(r"""['"](?:\s|\\\r?\n|#[^\n]*+\n)++[rRbBuUfF]{0,2}['"]""")
"""Between adjacent literals: a quote, space, comments or line continuations, a quote.
(Possessive: what the group takes, white space and comments, can never start the quote.)"""
_SEAM_STARTS = (re.compile(r"'[\s\\#]"), re.compile(r'"[\s\\#]'))
"""Where a _SEAM match can start: a quote, then what its `++` group must take first. Each
pattern starts with one literal character, which the regex engine finds by a fast search; a
class of two quotes is tried at every position, four times slower over a file."""
_TIGHT_SEAM = re.compile(r"""(?<=\w)(?:''|"")(?=\w)""")
"""Adjacent literals with nothing between them: `'ex''ec'`."""
_ESCAPE_CONTEXT = 256
"""Characters kept around an escape: longer than any token, even one spelt in escapes."""
_SEAM_CONTEXT = 32
"""Characters kept around a seam: longer than any token (a token across a seam is made of
the end of one literal and the start of the next)."""


def hidden_text(data: bytes, text: str) -> str:
    """The decoded neighbourhood of every change the parser makes, or "" when none."""
    whole = ""
    if not data.isascii():
        folded = unicodedata.normalize("NFKC", text)
        if folded != text:
            whole = text = folded
    spans = _changes(text)
    pieces = [_decode(text[start:end]) for start, end in _merged(spans, len(text))]
    return "\n".join([whole, *pieces]) if whole or pieces else ""


def _changes(text: str) -> list[tuple[int, int]]:
    spans = [_around(span, _SEAM_CONTEXT) for span in _seams(text)]
    if "\\" in text:
        spans += [
            _around(match.span(), _ESCAPE_CONTEXT) for match in _PRINTABLE_ESCAPE.finditer(text)
        ]
    for pair in ("''", '""'):
        at = text.find(pair)
        while at != -1:
            if at > 0 and at + 2 < len(text) and text[at - 1].isalnum() and text[at + 2].isalnum():
                spans.append(_around((at, at + 2), _SEAM_CONTEXT))
            at = text.find(pair, at + 2)
    return spans


def _seams(text: str) -> list[tuple[int, int]]:
    """The spans of `_SEAM.finditer(text)`: each match is the leftmost one at or after the end
    of the one before, and every match starts at a place of _SEAM_STARTS."""
    starts = sorted(match.start() for start in _SEAM_STARTS for match in start.finditer(text))
    found: list[tuple[int, int]] = []
    end = 0
    for start in starts:
        if start >= end and (match := _SEAM.match(text, start)) is not None:
            end = match.end()
            found.append((start, end))
    return found


def _around(span: tuple[int, int], context: int) -> tuple[int, int]:
    return span[0] - context, span[1] + context


def _merged(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(length, end)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _decode(piece: str) -> str:
    piece = _PRINTABLE_ESCAPE.sub(_unescape, piece)
    return _TIGHT_SEAM.sub("", _SEAM.sub("", piece))


def _unescape(match: re.Match[str]) -> str:
    body = match.group()[1:]
    if body[0] in "\r\n":
        return ""
    if body[0] != "N":  # hex or octal, at most 0o777: always a valid character
        return chr(int(body[1:], 16) if body[0] in "xuU" else int(body, 8))
    try:
        return unicodedata.lookup(body[2:-1])
    except KeyError:
        return match.group()
