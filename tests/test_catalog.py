"""One rule catalogue: every rule id safepip's code can emit has one `RuleInfo` record."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from safepip.catalog import CATALOG
from safepip.checks.hooks.rules import RULES as HOOK_RULES
from safepip.rules import RULES as BASE_RULES
from safepip.rules import RuleInfo
from safepip.sandbox.rules import RULES as CAGE_RULES

PACKAGE = Path(__file__).resolve().parent.parent / "safepip"
_AREAS = sorted({rule_id.split("/")[0] for rule_id in CATALOG})
_RULE_ID = re.compile(rf"(?:{'|'.join(_AREAS)})/[a-z0-9]+(?:-[a-z0-9]+)*")


def _rule_ids_in_code() -> dict[str, str]:
    """String literals shaped like a rule id of a known area, with where they are."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and _RULE_ID.fullmatch(node.value)):
                found.setdefault(node.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_every_rule_id_in_the_code_is_catalogued() -> None:
    in_code = _rule_ids_in_code()
    assert {"dynamic/network", "hook/persistence", "lock/no-installable-file"} <= set(in_code)
    missing = {rule_id: where for rule_id, where in in_code.items() if rule_id not in CATALOG}
    assert missing == {}


def test_each_rule_has_one_record_of_the_one_type() -> None:
    sources = (BASE_RULES, HOOK_RULES, CAGE_RULES)
    assert sum(len(source) for source in sources) == len(CATALOG)
    for rule_id, rule in CATALOG.items():
        assert isinstance(rule, RuleInfo) and rule.id == rule_id
        assert rule.short and rule.full and rule.help


def test_the_cage_rules_block_by_default() -> None:
    assert {rule.default_severity.name for rule in CAGE_RULES.values()} == {"HIGH"}
