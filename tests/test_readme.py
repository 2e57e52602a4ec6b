"""The README's tables stay true: the install-hook rule table is the rule records' own text."""

from __future__ import annotations

from pathlib import Path

from safepip.checks.hooks.rules import RULES, readme_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_hook_rule_table_is_made_from_the_rule_records() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("#### Install-hook rules"):]
    start = section.index("| rule | severity | what |")
    table = section[start:section.index("\n\n", start) + 1]
    assert table == readme_table()
    assert all(f"`{rule}`" in table for rule in RULES)
