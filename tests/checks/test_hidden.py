"""hidden_text shows what the parser reads where the written text hides it."""

from __future__ import annotations

import ast
import inspect
import json.decoder
import textwrap
from types import ModuleType

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safepip.checks.hooks.hidden import _SEAM, _seams, hidden_text


def _hidden(text: str) -> str:
    return hidden_text(text.encode("utf-8"), text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("path = '~/\\x2essh/id_rsa'\n", "~/.ssh/id_rsa"),
        ("path = '~/\\u002essh'\n", "~/.ssh"),
        ("path = '~/\\N{FULL STOP}ssh'\n", "~/.ssh"),
        ("name = '\\145\\170\\145\\143'\n", "exec"),
        ("name = ('ex'  # split\n        'ec')\n", "'exec'"),
        ("name = 'ex' \\\n    'ec'\n", "'exec'"),
        ("name = 'ex''ec'\n", "'exec'"),
        ('name = "ev" r"al"\n', '"eval"'),
        ("\uff45\uff58\uff45\uff43(blob)\n", "exec(blob)"),
    ],
)
def test_what_the_parser_reads_is_shown(text: str, shown: str) -> None:
    assert shown in _hidden(text)


def test_plain_code_hides_nothing() -> None:
    assert _hidden("def add(a, b):\n    return a + b  # 'quoted'\n") == ""


def test_escapes_of_non_printable_characters_are_not_changes() -> None:
    assert _hidden("RESET = '\\x1b[0m'\nNAME = '\\u00e9t\\u00e9'\n") == ""


def test_unknown_or_impossible_escapes_are_left_as_written() -> None:
    assert "\\N{NO SUCH NAME}" in _hidden("x = '\\N{NO SUCH NAME}' '\\ud800'\n")


_SEAMY = st.text(alphabet="'\"#\\ \n\u2003rx", max_size=40)
"""Texts of quotes, white space, comments, backslashes and string prefixes: every way a seam
can start, end or be cut short, and overlaps of one seam's end with the next one's start."""


def _finditer_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _SEAM.finditer(text)]


@settings(max_examples=500)
@given(_SEAMY)
@example("' ' '")  # the second seam starts at the first one's closing quote
@example("'a' # it's\n 'b' \"c\"")
def test_seams_are_the_seam_patterns_matches(text: str) -> None:
    assert _seams(text) == _finditer_spans(text)


@pytest.mark.parametrize("module", [ast, inspect, json.decoder, textwrap])
def test_seams_on_real_sources(module: ModuleType) -> None:
    text = inspect.getsource(module)
    assert _seams(text) == _finditer_spans(text)
