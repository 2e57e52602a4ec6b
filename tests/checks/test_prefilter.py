"""The prefilter's word index answers exactly what plain substring tests would."""

from __future__ import annotations

import pytest

from safepip.checks.hooks import prefilter
from safepip.checks.hooks.prefilter import _Text, _Tokens, worth_parsing

GROUPS = {
    name: value
    for name, value in vars(prefilter).items()
    if isinstance(value, _Tokens)
}
SURROUNDINGS = ("{}", "x{}", "{}_y", "a.{}(b)", "_{}9", "'{}'", "# {}\n", "\u00e9{}\u00e9")


def _substring_answer(tokens: _Tokens, data: bytes) -> bool:
    return any(needle.token in data for needle in tokens.needles)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_token_is_found_inside_larger_words(group: str) -> None:
    tokens = GROUPS[group]
    for needle in tokens.needles:
        for shape in SURROUNDINGS:
            data = shape.format(needle.token.decode()).encode()
            assert _Text(data).has(tokens), (group, data)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_anchors_alone_do_not_make_a_match(group: str) -> None:
    """A text holding every anchor of a token, but not the token itself, matches only when
    another token of the group is really there (as substring tests say)."""
    tokens = GROUPS[group]
    for needle in tokens.needles:
        data = b" | ".join(sorted(needle.anchors, reverse=True)) + b" zz"
        if needle.token in data:
            continue
        assert _Text(data).has(tokens) == _substring_answer(tokens, data), (group, data)


def test_a_file_without_tokens_is_skipped_and_one_with_them_is_not() -> None:
    quiet = "def add(a, b):\n    return a + b\n"
    loud = "import base64\nrun = exec\nrun(base64.b64decode(blob))\n"
    assert not worth_parsing(quiet.encode(), quiet)
    assert worth_parsing(loud.encode(), loud)


def test_case_folding_beyond_ascii_matches_str_lower() -> None:
    """U+212A KELVIN SIGN lower-cases to an ASCII "k": the literal hint still counts."""
    text = "path = '~/Library/\u212Aeychains'\n"
    assert "keychain" in text.lower()
    assert worth_parsing(text.encode(), text)


def test_a_wsgi_environ_without_os_is_not_the_environment() -> None:
    wsgi = "import requests\ndef app(environ, start):\n    return handle(environ)\n"
    real = "import os, requests\ndef app(start):\n    return handle(os.environ)\n"
    aliased = "import requests\nfrom os import environ as e\nsend(e)\n"
    assert not worth_parsing(wsgi.encode(), wsgi)
    assert worth_parsing(real.encode(), real) and worth_parsing(aliased.encode(), aliased)
