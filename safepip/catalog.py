"""Every rule safepip has, in one catalogue of `RuleInfo` records.

The rooms that emit findings own their rules; this module sits above all of them (below the
report, which describes rules in SARIF, and `commands/`, which hands the rule ids to the policy
so an `ignore` entry naming an unknown rule is an error). Plain imports, so the layout test sees
every arrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from safepip.checks.hooks.rules import RULES as HOOK_RULES
from safepip.rules import RULES as BASE_RULES
from safepip.rules import RuleInfo
from safepip.sandbox.rules import RULES as CAGE_RULES

_SOURCES: tuple[Mapping[str, RuleInfo], ...] = (BASE_RULES, HOOK_RULES, CAGE_RULES)

CATALOG: Mapping[str, RuleInfo] = MappingProxyType(
    {rule_id: rule for source in _SOURCES for rule_id, rule in source.items()})
"""Rule id -> its record, for every rule any check or the build cage can emit."""


def catalog() -> Mapping[str, RuleInfo]:
    """Every described rule (read-only)."""
    return CATALOG
