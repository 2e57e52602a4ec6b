"""What the user asked pip to install, parsed at the edge into validated objects.

`parse_install_args` reads `pip install` arguments (plus pip's configuration files and `PIP_*`
environment variables) into a frozen `InstallRequest`. Options that change *what* is installed are
understood; every other option is kept verbatim in `passthrough` for the handoff to real pip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from packaging.requirements import Requirement

from safepip.findings import Location

PYPI_SIMPLE_URL = "https://pypi.org/simple/"


@dataclass(frozen=True)
class RequirementLine:
    """One requirement as written by the user, with where it was written."""

    requirement: Requirement | None
    """Parsed requirement; None for editable/VCS/path entries that have no PEP 508 form."""
    source: Location
    """File and line it came from (`<command line>` for arguments)."""
    text: str
    """The original text, for messages."""
    hashes: tuple[str, ...] = ()
    """`--hash` values as `algo:hexdigest`."""
    editable: bool = False
    """`-e` / `--editable`: recorded, but not vettable from an index."""
    url: str | None = None
    """Direct URL, VCS URL or local path; such entries are not vettable from an index."""

    @property
    def vettable_from_index(self) -> bool:
        return self.requirement is not None and self.requirement.url is None and not self.editable


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


@dataclass(frozen=True)
class TargetOptions:
    """The environment the packages are for."""

    python: str | None = None
    """Interpreter pip installs into (`--python`); None means the current one."""
    python_version: str | None = None
    platforms: tuple[str, ...] = ()
    implementation: str | None = None
    abis: tuple[str, ...] = ()
    target_dir: str | None = None
    user: bool = False


@dataclass(frozen=True)
class FormatControl:
    """`--only-binary` / `--no-binary` as pip keeps them (`:all:`, `:none:`, or names)."""

    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    prefer_binary: bool = False

    def allows_sdist(self, name: str) -> bool:
        if name in self.no_binary:
            return True
        return not (name in self.only_binary or ":all:" in self.only_binary)

    def allows_wheel(self, name: str) -> bool:
        if name in self.only_binary:
            return True
        return not (name in self.no_binary or ":all:" in self.no_binary)


@dataclass(frozen=True)
class InstallRequest:
    """Everything that decides which files get installed, plus what passes through to pip."""

    requirements: tuple[RequirementLine, ...] = ()
    constraints: tuple[RequirementLine, ...] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    target: TargetOptions = field(default_factory=TargetOptions)
    formats: FormatControl = field(default_factory=FormatControl)
    pre: bool = False
    no_deps: bool = False
    upgrade: bool = False
    upgrade_strategy: str = "only-if-needed"
    require_hashes: bool = False
    ignore_installed: bool = False
    passthrough: tuple[str, ...] = ()
    """pip options safepip does not interpret, forwarded verbatim to the handoff."""
