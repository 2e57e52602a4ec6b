"""PythonScan on source text directly: properties of the walk and the tracer."""

from __future__ import annotations

import ast
import re

from safepip.checks.hooks import python
from safepip.checks.hooks.patterns import LITERAL_HINTS, WEBHOOK, has_literal_hints
from safepip.checks.hooks.python import PythonScan
from safepip.findings import Severity


def _scan(source: str) -> PythonScan:
    return PythonScan(source, ast.parse(source))


def test_sibling_functions_do_not_share_traced_names() -> None:
    """Each function's `cmd` is its own: a finished scope's memo must not leak into the next
    one (they were keyed by id(scope), which CPython reuses for the next Scope object)."""
    parts = ["import os, base64\n"]
    for index in range(40):
        value = "'ls'" if index % 2 else "base64.b64decode('bHM=')"
        parts.append(f"def f{index}():\n    cmd = {value}\n    os.system(cmd)\n")
    scan = _scan("".join(parts))
    critical = sorted(h.line for h in scan.hits if h.severity is Severity.CRITICAL)
    low = sorted(h.line for h in scan.hits if h.severity is Severity.LOW)
    assert critical == [4 + 3 * i for i in range(0, 40, 2)]
    assert low == [4 + 3 * i for i in range(1, 40, 2)]


def test_no_webhook_match_is_shorter_than_the_length_gate() -> None:
    """Literals shorter than _SHORTEST_WEBHOOK are not searched: the pattern's minimum width
    (the standard parser's own computation) must not drop below it."""
    shortest, _ = re._parser.parse(WEBHOOK.pattern, WEBHOOK.flags).getwidth()  # type: ignore[attr-defined]
    assert shortest >= python._SHORTEST_WEBHOOK
    hits = _scan("URL = 'oast.me'\nOTHER = 'oast.m'\n").hits
    assert [h.rule for h in hits] == ["hook/webhook"]


def test_a_secret_path_among_many_literals_is_found() -> None:
    """Literals are asked about hints all at once first; the one that has them still fires."""
    names = [f"'value{index}'" for index in range(200)]
    source = f"ITEMS = [{', '.join(names)}]\nKEY = '~/.ssh/id_rsa'\nNOTE = 'ssh keys'\n"
    hits = [h for h in _scan(source).hits if h.rule == "hook/sensitive-read"]
    assert [h.line for h in hits] == [2]


def test_hinted_texts_agree_with_asking_each_text() -> None:
    texts = [f"v{index}" for index in range(300)]
    texts[7], texts[150], texts[299] = "~/.SSH/config", "x\x00.aws", "https://pastebin.com/x"
    texts.append(".s\x00sh")  # the joining NUL must not make a hint out of two halves
    expected = {text for text in texts if has_literal_hints(text)}
    assert python._hinted_texts(texts) == expected
    assert len(expected) == 3


def test_every_webhook_alternative_holds_a_literal_hint() -> None:
    """ASCII literals without hints are not searched for webhooks: each alternative of WEBHOOK
    (as the standard parser splits it) must contain a hint in one of its literal runs."""
    constants = re._constants  # type: ignore[attr-defined]
    parsed = re._parser.parse(WEBHOOK.pattern, WEBHOOK.flags)  # type: ignore[attr-defined]
    [(operator, (_, branches))] = parsed.data
    assert operator is constants.BRANCH
    for branch in branches:
        runs = [""]
        for op, argument in branch.data:
            if op is constants.LITERAL:
                runs[-1] += chr(argument)
            else:
                runs.append("")
        assert any(hint in run.lower() for run in runs for hint in LITERAL_HINTS), runs


def test_letters_ignorecase_takes_for_ascii_still_give_hints() -> None:
    """re.IGNORECASE matches U+0131 (dotless i) as i and U+017F (long s) as s, which
    str.lower() keeps: hints are looked for in the same fold, so such literals are judged."""
    dotless = "https://requestb\u0131n.example/x"
    assert WEBHOOK.search(dotless) and has_literal_hints(dotless)
    source = f"# posts to pastebin\nA = {dotless!r}\nB = 'https://example.org/x'\n"
    assert [h.line for h in _scan(source).hits if h.rule == "hook/webhook"] == [2]
    long_s = "KEY = '~/.\u017fsh/config'\n"
    assert [h.rule for h in _scan(long_s).hits] == ["hook/sensitive-read"]


def test_literal_values_not_the_source_are_asked_about_hints() -> None:
    """An escape hides a hint from the source text, not from the parser: still found."""
    escaped = "KEY = '~/\\x2essh/config'\nHOOK = 'https://discord.com\\x2fapi\\x2fwebhooks/1/x'\n"
    assert "ssh" not in escaped.replace("x2essh", "") and "/api/" not in escaped
    rules = sorted(h.rule for h in _scan(escaped).hits)
    # both together also make the stealer finding (python.PythonScan._steps_together)
    assert rules == ["hook/env-exfiltration", "hook/sensitive-read", "hook/webhook"]


def test_each_capability_call_has_the_first_kind_that_names_it() -> None:
    from safepip.checks.hooks.calls import CAPABILITIES
    from safepip.checks.hooks.python import _CAPABILITY_OF

    for name in {call for calls in CAPABILITIES.values() for call in calls}:
        first = next(kind for kind, calls in CAPABILITIES.items() if name in calls)
        assert _CAPABILITY_OF[name] == first, name
    assert set(_CAPABILITY_OF) == {call for calls in CAPABILITIES.values() for call in calls}
