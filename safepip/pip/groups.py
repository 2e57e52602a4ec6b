"""PEP 735 dependency groups, through `packaging.dependency_groups`: the one place they are read.

`audit pyproject.toml --group G` and `install --group [path:]G` both come here; groups include
other groups (`{include-group = "..."}`), names compare normalised, and cycles are refused by
packaging's resolver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.dependency_groups import resolve_dependency_groups

from safepip.errors import InputError


def group_specs(pyproject: Mapping[str, Any], groups: Sequence[str], *, path: str) -> list[str]:
    """The requirement strings of `groups` (includes expanded, each group once, in order)."""
    table = pyproject.get("dependency-groups", {})
    if not isinstance(table, Mapping):
        raise InputError("[dependency-groups] must be a table of lists.", path=path)
    specs: list[str] = []
    for group in groups:
        try:
            resolved = resolve_dependency_groups(table, group)
        except (LookupError, ValueError, TypeError, ExceptionGroup) as error:
            raise InputError(f"dependency group {group!r} cannot be read: {_reasons(error)}.",
                             path=path, hint=_hint(table)) from None
        specs.extend(spec for spec in resolved if spec not in specs)
    return specs


def _reasons(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_reasons(e) for e in error.exceptions)
    return str(error).strip("'\"")


def _hint(table: Mapping[str, Any]) -> str:
    names = ", ".join(sorted(str(name) for name in table)) or "none"
    return f"The groups this file declares: {names}."
