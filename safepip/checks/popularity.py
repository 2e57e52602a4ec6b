"""The popularity list: normalised project name -> download rank, shipped in the wheel.

It is a popularity signal for the typosquat check, never an allowlist: a popular project can
still ship a bad release (the known-malicious check matches those by version).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

from safepip.errors import CheckError

DATA_FILE = "top_packages.json"


@dataclass(frozen=True)
class Popularity:
    """The ~15,000 most-downloaded PyPI projects."""

    source: str
    """Where the ranking came from."""
    snapshot_date: str
    """When it was taken."""
    ranks: dict[str, int]
    """PEP 503 normalised name -> rank (1 = most downloaded)."""

    def rank(self, name: str) -> int | None:
        return self.ranks.get(name)


@functools.cache
def load_popularity() -> Popularity:
    """The embedded list (read once per process)."""
    try:
        text = resources.files("safepip.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
        document = json.loads(text)
        ranks = document["ranks"]
        if not isinstance(ranks, dict) or not ranks:
            raise ValueError("no ranks")
        return Popularity(str(document["source"]), str(document["snapshot_date"]), ranks)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckError(
            f"The embedded list of popular projects cannot be read ({error}).",
            hint="Reinstall safepip; the typosquat check cannot run without it.",
        ) from None
