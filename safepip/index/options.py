"""Which indexes and link pages packages come from: pip's index options, read by `pip.request`
and used by the index client (which must not depend on pip's request grammar)."""

from __future__ import annotations

from dataclasses import dataclass

PYPI_SIMPLE_URL = "https://pypi.org/simple/"


@dataclass(frozen=True)
class IndexOptions:
    """Where packages come from (command line > environment > pip config files)."""

    index_url: str = PYPI_SIMPLE_URL
    extra_index_urls: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()

    @property
    def index_urls(self) -> tuple[str, ...]:
        """All indexes in pip's priority order (none with --no-index)."""
        return () if self.no_index else (self.index_url, *self.extra_index_urls)
