"""What the user asked pip to install, parsed at the edge into validated objects.

`parse_install_args` reads `pip install` arguments (plus pip's configuration files and `PIP_*`
environment variables) into a frozen `InstallRequest`. Options that change *what* is installed are
understood; every other option is kept verbatim in `passthrough` for the handoff to real pip.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import types
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from safepip.errors import InputError, UsageError
from safepip.findings import Location
from safepip.pipconfig import (
    INSTALL_OPTIONS,
    Action,
    ParsedOption,
    discover_config_files,
    find_option,
    load_config,
    split_args,
    strtobool,
    target_prefix,
)

if TYPE_CHECKING:
    from safepip.reqfile import FileOptions

logger = logging.getLogger(__name__)

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
    """Direct URL, VCS URL or local path (as a `file:` URL); not vettable from an index."""
    project_name: str | None = None
    """Normalised project name when known (PEP 508 name, `#egg=` fragment, wheel filename)."""
    extras: frozenset[str] = frozenset()
    """Extras of a path or URL entry (`./pkg[cli]`); PEP 508 entries keep them in `requirement`."""
    marker: Marker | None = None
    """Environment marker of a path or URL entry; PEP 508 entries keep it in `requirement`."""
    options: tuple[tuple[str, str], ...] = ()
    """Per-line build options (`--config-settings`, legacy `--global-option`), recorded only."""

    @property
    def vettable_from_index(self) -> bool:
        return self.requirement is not None and self.requirement.url is None and not self.editable

    @property
    def kind(self) -> str:
        """`index`, `editable`, `vcs`, `path` (local file or directory) or `url`."""
        if self.vettable_from_index:
            return "index"
        if self.editable:
            return "editable"
        scheme = urllib.parse.urlsplit(self.url or "").scheme
        if "+" in scheme:
            return "vcs"
        return "path" if scheme == "file" else "url"


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
        name = canonicalize_name(name)
        if name in self.no_binary:
            return True
        return not (name in self.only_binary or ":all:" in self.only_binary)

    def allows_wheel(self, name: str) -> bool:
        name = canonicalize_name(name)
        if name in self.only_binary:
            return True
        return not (name in self.no_binary or ":all:" in self.no_binary)


@dataclass(frozen=True)
class ReleaseControl:
    """`--all-releases` / `--only-final` (pip >= 26); `--pre` means `--all-releases :all:`."""

    all_releases: frozenset[str] = frozenset()
    """Projects (or `:all:`) whose pre-releases may be chosen."""
    only_final: frozenset[str] = frozenset()
    """Projects (or `:all:`) limited to final releases."""

    def allows_prereleases(self, name: str) -> bool | None:
        """True/False when the options decide it, None for the default rule (PEP 440)."""
        name = canonicalize_name(name)
        for key in (name, ":all:"):
            if key in self.all_releases:
                return True
            if key in self.only_final:
                return False
        return None


@dataclass(frozen=True)
class NetworkOptions:
    """How pip is set to reach indexes (config, PIP_* or command line); pip gets these too."""

    cert: str | None = None
    """`--cert` / PIP_CERT: CA bundle to verify TLS with."""
    client_cert: str | None = None
    """`--client-cert`: client certificate (PEM with key)."""
    proxy: str | None = None
    """`--proxy`: proxy URL in the form scheme://[user:passwd@]proxy.server:port."""
    timeout: float | None = None
    """`--timeout` / PIP_DEFAULT_TIMEOUT: socket timeout in seconds."""
    retries: int | None = None
    """`--retries`: how many times pip retries a connection."""


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
    releases: ReleaseControl = field(default_factory=ReleaseControl)
    """Pre-release policy per project (`--pre` is folded in as `:all:`)."""
    build_constraints: tuple[RequirementLine, ...] = ()
    """`--build-constraint` files: constraints for build dependencies only."""
    only_deps: bool = False
    """`--only-deps`: install the requirements' dependencies, not the requirements."""
    ignore_requires_python: bool = False
    """`--ignore-requires-python`: candidates are not filtered by Requires-Python."""
    no_require_hashes: bool = False
    """`--no-require-hashes` was given (safepip still checks every hash it knows)."""
    uploaded_prior_to: datetime | None = None
    """`--uploaded-prior-to`: only files uploaded before this moment are candidates."""
    isolated: bool = False
    """`--isolated`: user config files and PIP_* variables were ignored."""
    config_files: tuple[str, ...] = ()
    """pip configuration files that were read, in load order (for diagnostics)."""
    network: NetworkOptions = field(default_factory=NetworkOptions)
    """Network settings pip would use; they also stay in `passthrough` when given as args."""

    @property
    def hash_checking(self) -> bool:
        """pip's hash-checking mode: --require-hashes, or any requirement carrying --hash,
        unless --no-require-hashes turned it off."""
        hashed = self.require_hashes or any(line.hashes for line in self.requirements)
        return hashed and not self.no_require_hashes

    def handoff_args(self) -> list[str]:
        """Interpreted options pip still needs when it installs the vetted files: where to
        install and, for `--target`, which platform the files are for."""
        args: list[str] = []
        target = self.target
        for flag, value in (("--python", target.python), ("--target", target.target_dir),
                            ("--python-version", target.python_version),
                            ("--implementation", target.implementation)):
            if value:
                args += [flag, value]
        for platform in target.platforms:
            args += ["--platform", platform]
        for abi in target.abis:
            args += ["--abi", abi]
        if target.user:
            args.append("--user")
        if self.ignore_installed:
            args.append("--ignore-installed")
        return args


# --- one requirement as pip reads it (pip's req/constructors.py) ---

VCS_NAMES = ("git", "hg", "svn", "bzr")
ARCHIVE_EXTENSIONS = (".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar", ".tar.xz",
                      ".txz", ".tlz", ".tar.lz", ".tar.lzma")
_VCS_SCHEMES = {"bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
                "git+http", "git+https", "git+ssh", "git+git", "git+file", "hg+file", "hg+http",
                "hg+https", "hg+ssh", "hg+static-http", "svn+ssh", "svn+http", "svn+https",
                "svn+svn", "svn+file"}
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_PROJECT_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")
COMMAND_LINE = "<command line>"


def is_url(text: str) -> bool:
    """pip's `is_url`: http(s)/file/ftp or a VCS scheme such as `git+https`."""
    scheme = urllib.parse.urlsplit(text).scheme
    return scheme in ("http", "https", "file", "ftp") or scheme in _VCS_SCHEMES


def parse_requirement_spec(
    text: str, source: Location, *, cwd: Path, hashes: tuple[str, ...] = (),
    options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """`_parse_requirement_spec`, with a URL urllib cannot split reported as bad input."""
    try:
        return _parse_requirement_spec(text, source, cwd=cwd, hashes=hashes, options=options)
    except ValueError as error:  # urlsplit: "Invalid IPv6 URL", a port out of range, ...
        raise _bad_url(text, source, error) from None


def _bad_url(text: str, source: Location, error: ValueError) -> InputError:
    return InputError(f"Invalid requirement {text!r}: {error}.", path=source.path,
                      line=source.line, hint="Check the URL or path in it.")


def _parse_requirement_spec(
    text: str, source: Location, *, cwd: Path, hashes: tuple[str, ...] = (),
    options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """Read one requirement as pip does: PEP 508, `name @ url`, a URL, or a local path/archive.

    Local paths are relative to `cwd` (pip resolves them against the working directory, even
    inside requirements files). Markers after a URL need a space before the `;`, as in pip.
    """
    spec, marker = _split_marker(text, source)
    line = RequirementLine(None, source, text, hashes=hashes, options=options, marker=marker)
    url = spec if is_url(spec) else _url_from_path(spec, cwd, source)
    if url is not None:
        path_extras = frozenset() if is_url(spec) else _strip_extras(spec, source)[1]
        return replace(line, url=url, project_name=_name_from_url(url, source),
                        extras=path_extras)
    requirement = _pep508(spec, source)
    if marker is not None:
        requirement.marker = marker
    return replace(line, requirement=requirement, marker=None, url=requirement.url,
                    project_name=canonicalize_name(requirement.name))


def parse_editable_spec(
    text: str, source: Location, *, cwd: Path, options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """`_parse_editable_spec`, with a URL urllib cannot split reported as bad input."""
    try:
        return _parse_editable_spec(text, source, cwd=cwd, options=options)
    except ValueError as error:
        raise _bad_url(text, source, error) from None


def _parse_editable_spec(
    text: str, source: Location, *, cwd: Path, options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """Read an `-e` value as pip's `parse_editable`: `name @ url`, a local project, or a VCS URL."""
    line = RequirementLine(None, source, f"-e {text}", editable=True, options=options)
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        requirement = None
    if requirement is not None and requirement.url:
        return replace(line, requirement=requirement, url=requirement.url,
                        project_name=canonicalize_name(requirement.name))
    bare, extras = _strip_extras(text, source)
    if (cwd / bare).is_dir():
        url = (cwd / bare).resolve().as_uri()
        return replace(line, url=url, extras=extras, project_name=_name_from_url(url, source))
    url = next((f"{v}+{text}" for v in VCS_NAMES if text.lower().startswith(f"{v}:")), text)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _VCS_SCHEMES and scheme != "file":
        raise InputError(
            f"{text!r} is not a valid editable requirement: it should be a path to a local "
            "project or a VCS URL (such as git+https://...).",
            path=source.path, line=source.line,
        )
    return replace(line, url=url, project_name=_name_from_url(url, source))


def _split_marker(text: str, source: Location) -> tuple[str, Marker | None]:
    separator = "; " if is_url(text) else ";"
    if separator not in text:
        return text.strip(), None
    spec, marker_text = text.split(separator, 1)
    if not marker_text.strip():
        return spec.strip(), None
    try:
        return spec.strip(), Marker(marker_text.strip())
    except InvalidMarker as error:
        raise InputError(f"Invalid environment marker in {text.strip()!r}: {error}",
                         path=source.path, line=source.line) from None


def _strip_extras(spec: str, source: Location) -> tuple[str, frozenset[str]]:
    match = _EXTRAS_RE.match(spec)
    if not match:
        return spec, frozenset()
    extras = _pep508("placeholder" + match.group(2).lower(), source).extras
    return match.group(1).rstrip(), frozenset(extras)


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or (os.altsep is not None and os.altsep in spec) or spec.startswith(".")


def _url_from_path(spec: str, cwd: Path, source: Location) -> str | None:
    """pip's `_get_url_from_path`: installable directories and archive files become file URLs."""
    bare, _ = _strip_extras(spec, source)
    path = Path(os.path.normpath(cwd / bare))
    if _looks_like_path(spec) and path.is_dir():
        if (path / "pyproject.toml").is_file() or (path / "setup.py").is_file():
            return path.as_uri()
        raise InputError(f"Directory {spec!r} is not installable: it has neither "
                         "setup.py nor pyproject.toml.", path=source.path, line=source.line)
    if not path.name.lower().endswith(ARCHIVE_EXTENSIONS):
        return None
    if path.is_file():
        return path.as_uri()
    before_at = spec.split("@", 1)
    if len(before_at) == 2 and not _looks_like_path(before_at[0]):
        return None  # `name @ ...archive`: a PEP 508 URL requirement
    raise InputError(f"Requirement {spec!r} looks like a file name, but the file does not exist.",
                     path=source.path, line=source.line,
                     hint="Check the path (it is relative to the working directory).")


def _name_from_url(url: str, source: Location) -> str | None:
    filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    if filename.endswith(".whl"):
        try:
            return str(parse_wheel_filename(filename)[0])
        except InvalidWheelFilename as error:
            raise InputError(f"Invalid wheel file name in {url!r}: {error}",
                             path=source.path, line=source.line) from None
    match = _EGG_RE.search(url)
    if match is None:
        return None
    if not _PROJECT_RE.match(match.group(1)):
        raise InputError(f"The #egg= fragment of {url!r} is not a project name.",
                         path=source.path, line=source.line)
    return canonicalize_name(match.group(1))


def _pep508(text: str, source: Location) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        hint = None
        if os.sep in text:
            hint = "It looks like a path; check that it exists and is a project or an archive."
        elif "=" in text and not any(op in text for op in _OPERATORS):
            hint = "= is not a valid operator. Did you mean == ?"
        raise InputError(f"Invalid requirement {text!r}: {error}", path=source.path,
                         line=source.line, hint=hint) from None


# --- `pip install` arguments, with pip's configuration underneath ---

_FLAGS = {"--no-deps": "no_deps", "--only-deps": "only_deps", "--user": "user",
          "--no-user": "user", "--upgrade": "upgrade", "--ignore-installed": "ignore_installed",
          "--ignore-requires-python": "ignore_requires_python", "--pre": "pre",
          "--require-hashes": "require_hashes", "--no-require-hashes": "no_require_hashes",
          "--prefer-binary": "prefer_binary", "--no-index": "no_index"}
_SCALARS = ("--target", "--implementation", "--upgrade-strategy", "--index-url", "--python",
            "--python-version", "--uploaded-prior-to")
_LISTS = ("--requirement", "--constraint", "--build-constraint", "--requirements-from-script",
          "--editable", "--platform", "--abi", "--extra-index-url", "--find-links",
          "--trusted-host", "--group")
_EXCLUSIVE = {"--no-binary": "--only-binary", "--only-binary": "--no-binary",
              "--all-releases": "--only-final", "--only-final": "--all-releases"}
_NETWORK = ("--cert", "--client-cert", "--proxy", "--timeout", "--retries")
INTERPRETED = frozenset((*_FLAGS, *_SCALARS, *_LISTS, *_EXCLUSIVE))
"""Options safepip understands; they never reach `passthrough`."""
UPGRADE_STRATEGIES = ("only-if-needed", "eager")


def parse_install_args(
    argv: Sequence[str], *, environ: Mapping[str, str] | None = None, cwd: Path | None = None,
    config_files: Sequence[Path] | None = None,
) -> InstallRequest:
    """Read `pip install` arguments on top of pip's configuration, as pip itself would.

    `config_files` replaces pip's own file discovery (tests pass their own files); otherwise
    the files pip reads are found from `environ` (default `os.environ`). Command-line values
    override configured ones; list options (extra indexes, find-links, -r, -c) add to them.
    """
    environ = os.environ if environ is None else environ
    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    isolated = "--isolated" in argv  # pip decides this from the literal word, before parsing
    tokens = list(split_args(argv, INSTALL_OPTIONS, origin="pip install"))
    if config_files is None:
        python = next((t.value for t in tokens if isinstance(t, ParsedOption) and t.option
                       and t.option.key == "--python"), None)
        config_files = discover_config_files(environ, site_prefix=target_prefix(python),
                                             isolated=isolated)
    config = load_config(config_files, environ, isolated=isolated)
    state = _OptionState()
    for name, value, origin in config.command_items("install"):
        state.from_config(name, value, origin)
    for token in tokens:
        state.from_command_line(token)
    files = tuple(source.origin for source in config.sources if source.origin != ":env:")
    return _Assembler(state, environ, cwd).request(isolated=isolated, config_files=files)


@dataclass
class _OptionState:
    """pip's option values as config, then the command line, then requirements files set them."""

    flags: dict[str, bool] = field(default_factory=dict)
    scalars: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    sets: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in _EXCLUSIVE})
    positionals: list[str] = field(default_factory=list)
    passthrough: list[str] = field(default_factory=list)

    def from_config(self, name: str, value: str, origin: str) -> None:
        """pip's `_update_defaults`: booleans via strtobool, lists split on whitespace and
        replacing earlier ones, callbacks applied cumulatively."""
        option = find_option("--" + name)
        if option is not None and option.key in _NETWORK:
            self.scalars[option.key] = value
        if option is None or option.key not in INTERPRETED:
            return  # pip applies the rest itself when it runs
        key = option.key
        if key in _FLAGS:
            # pip stores the parsed boolean even for store_false options (`no-user = yes`
            # makes use_user_site true): mirrored, not corrected.
            self.flags[_FLAGS[key]] = strtobool(value, origin=origin, key=name)
        elif key == "--group":
            self.lists.setdefault(key, []).append(value)
        elif key in _LISTS:
            self.lists[key] = value.split()
        elif key in _EXCLUSIVE:
            self.exclude(key, value)
        else:
            self.scalars[key] = value

    def from_command_line(self, token: ParsedOption | str) -> None:
        if isinstance(token, str):
            self.positionals.append(token)
            return
        key = token.option.key if token.option else ""
        if key in _NETWORK:
            self.scalars[key] = token.value or ""
        if key not in INTERPRETED:
            if token.option is None:
                logger.warning("pip has no option %s; passing it to pip unchanged", token.raw[0])
            self.passthrough.extend(token.raw)
        elif key in _FLAGS:
            self.flags[_FLAGS[key]] = token.option is not None and (
                token.option.action is Action.TRUE)
        elif key in _LISTS:
            self.lists.setdefault(key, []).append(token.value or "")
        elif key in _EXCLUSIVE:
            self.exclude(key, token.value or "")
        else:
            self.scalars[key] = token.value or ""

    def exclude(self, key: str, value: str) -> None:
        """pip's `handle_mutual_excludes` for --no-binary/--only-binary and the release pair."""
        if value.startswith("-"):
            raise UsageError(f"The {key} option requires a value (got {value!r}).")
        target, other = self.sets[key], self.sets[_EXCLUSIVE[key]]
        names = value.split(",")
        while ":all:" in names:
            other.clear()
            target.clear()
            target.add(":all:")
            del names[: names.index(":all:") + 1]
            if ":none:" not in names:
                return
        for name in names:
            if name == ":none:":
                target.clear()
                continue
            other.discard(canonicalize_name(name))
            target.add(canonicalize_name(name))

    def apply_file_options(self, options: FileOptions) -> None:
        """pip's `handle_option_line`: what a requirements file line changes globally."""
        if options.no_index:
            self.flags["no_index"] = True
        if not self.flags.get("no_index"):
            if options.index_url:
                self.scalars["--index-url"] = options.index_url
                self.lists["--extra-index-url"] = []
            self.lists.setdefault("--extra-index-url", []).extend(options.extra_index_urls)
        self.lists.setdefault("--find-links", []).extend(options.find_links)
        self.lists.setdefault("--trusted-host", []).extend(options.trusted_hosts)
        for key, value in (*options.format_ops, *options.release_ops):
            self.exclude(key, value)
        if options.pre:
            self.flags["pre"] = True
            self.sets["--all-releases"].add(":all:")
        for name, given in (("prefer_binary", options.prefer_binary),
                            ("require_hashes", options.require_hashes),
                            ("no_require_hashes", options.no_require_hashes)):
            self.flags[name] = self.flags.get(name, False) or given


@dataclass
class _Assembler:
    """Reads the files the options name and freezes everything into an `InstallRequest`."""

    state: _OptionState
    environ: Mapping[str, str]
    cwd: Path
    requirements: list[RequirementLine] = field(default_factory=list)
    constraints: list[RequirementLine] = field(default_factory=list)

    def request(self, *, isolated: bool, config_files: tuple[str, ...]) -> InstallRequest:
        state, flags = self.state, self.state.flags
        normalize_python_version(state.scalars.get("--python-version", ""))  # pip checks it first
        self._check_combinations()
        if flags.get("pre"):
            state.sets["--all-releases"].add(":all:")  # pip: --pre is --all-releases :all:
        for path in state.lists.get("--constraint", []):
            self._read_file(path, constraint=True)
        self.requirements += [parse_requirement_spec(arg, Location(COMMAND_LINE), cwd=self.cwd)
                              for arg in state.positionals if arg.strip()]
        if groups := state.lists.get("--group", []):  # reqfile (TOML, shlex) only when needed
            self.requirements += _reqfile_module().dependency_group_requirements(
                groups, cwd=self.cwd)
        self.requirements += [parse_editable_spec(e, Location(COMMAND_LINE), cwd=self.cwd)
                              for e in state.lists.get("--editable", [])]
        for path in state.lists.get("--requirement", []):
            self._read_file(path, constraint=False)
        self.requirements += self._script_requirements()
        return self._freeze(isolated, config_files)

    def _read_file(self, name: str, *, constraint: bool) -> None:
        if _PYLOCK_RE.search(name):
            raise UsageError(f"{name} is a pylock.toml lock file, which pip reads with -r only "
                             "experimentally; vet it with `safepip audit` instead.")
        parsed = _reqfile_module().parse_requirements_file(self.cwd / name, environ=self.environ,
                                         constraint=constraint, cwd=self.cwd)
        self.requirements += parsed.requirements
        self.constraints += parsed.constraints
        for options in parsed.options:
            self.state.apply_file_options(options)

    def _script_requirements(self) -> list[RequirementLine]:
        scripts = self.state.lists.get("--requirements-from-script", [])
        if len(scripts) > 1:
            raise UsageError("--requirements-from-script can only be given once.")
        return [line for script in scripts
                for line in _reqfile_module().script_requirements(self.cwd / script,
                                                                  cwd=self.cwd)]

    def _build_constraints(self) -> tuple[RequirementLine, ...]:
        return tuple(line for name in self.state.lists.get("--build-constraint", [])
                     for line in _reqfile_module().parse_requirements_file(
                         self.cwd / name, environ=self.environ, constraint=True,
                         cwd=self.cwd).constraints)

    def _check_combinations(self) -> None:
        flags, sets, scalars = self.state.flags, self.state.sets, self.state.scalars
        if flags.get("pre") and (sets["--all-releases"] or sets["--only-final"]):
            raise UsageError("--pre cannot be used with --all-releases or --only-final.")
        if flags.get("user") and scalars.get("--target"):
            raise UsageError("Can not combine '--user' and '--target'.")
        restricted = any((scalars.get("--python-version"), scalars.get("--implementation"),
                          self.state.lists.get("--platform"), self.state.lists.get("--abi")))
        binary_only = sets["--only-binary"] == {":all:"} and not sets["--no-binary"]
        if restricted and not (binary_only or flags.get("no_deps")):
            raise UsageError(
                "When restricting platform and interpreter constraints using --python-version, "
                "--platform, --abi, or --implementation, either --no-deps must be set, or "
                "--only-binary=:all: must be set and --no-binary must not be set.")

    def _freeze(self, isolated: bool, config_files: tuple[str, ...]) -> InstallRequest:
        state, flags, scalars, lists = self.state, self.state.flags, self.state.scalars, \
            self.state.lists
        return InstallRequest(
            requirements=tuple(self.requirements), constraints=tuple(self.constraints),
            index=IndexOptions(
                index_url=scalars.get("--index-url") or PYPI_SIMPLE_URL,
                extra_index_urls=tuple(lists.get("--extra-index-url", ())),
                no_index=flags.get("no_index", False),
                find_links=tuple(lists.get("--find-links", ())),
                trusted_hosts=tuple(lists.get("--trusted-host", ()))),
            target=TargetOptions(
                python=scalars.get("--python") or None,
                python_version=normalize_python_version(scalars.get("--python-version", "")),
                platforms=tuple(lists.get("--platform", ())),
                implementation=scalars.get("--implementation") or None,
                abis=tuple(lists.get("--abi", ())),
                target_dir=scalars.get("--target") or None, user=flags.get("user", False)),
            formats=FormatControl(frozenset(state.sets["--only-binary"]),
                                  frozenset(state.sets["--no-binary"]),
                                  flags.get("prefer_binary", False)),
            releases=ReleaseControl(frozenset(state.sets["--all-releases"]),
                                    frozenset(state.sets["--only-final"])),
            pre=flags.get("pre", False), no_deps=flags.get("no_deps", False),
            upgrade=flags.get("upgrade", False),
            upgrade_strategy=_upgrade_strategy(scalars.get("--upgrade-strategy")),
            require_hashes=flags.get("require_hashes", False),
            ignore_installed=flags.get("ignore_installed", False),
            passthrough=tuple(state.passthrough), build_constraints=self._build_constraints(),
            only_deps=flags.get("only_deps", False),
            ignore_requires_python=flags.get("ignore_requires_python", False),
            no_require_hashes=flags.get("no_require_hashes", False),
            uploaded_prior_to=parse_uploaded_prior_to(scalars.get("--uploaded-prior-to")),
            isolated=isolated, config_files=config_files, network=_network(scalars),
        )


def _reqfile_module() -> types.ModuleType:
    # safepip.reqfile builds on the types in this module, so it is imported when first needed
    return importlib.import_module("safepip.reqfile")


_PYLOCK_RE = re.compile(r"(^|[/\\])pylock\.([^./\\]+\.)?toml$")


def _network(scalars: dict[str, str]) -> NetworkOptions:
    def number(key: str, kind: type[float] | type[int]) -> float | int | None:
        try:
            return kind(scalars[key]) if scalars.get(key) else None
        except ValueError:
            raise UsageError(f"{key} {scalars[key]!r} is not a number.") from None

    timeout, retries = number("--timeout", float), number("--retries", int)
    return NetworkOptions(
        cert=scalars.get("--cert") or None, client_cert=scalars.get("--client-cert") or None,
        proxy=scalars.get("--proxy") or None,
        timeout=None if timeout is None else float(timeout),
        retries=None if retries is None else int(retries))


def _upgrade_strategy(value: str | None) -> str:
    if value is None or value == "":
        return "only-if-needed"
    if value not in UPGRADE_STRATEGIES:
        raise UsageError(f"--upgrade-strategy {value!r} is not one of "
                         f"{', '.join(UPGRADE_STRATEGIES)}.")
    return value


def normalize_python_version(value: str) -> str | None:
    """pip's `_convert_python_version`: "3", "37", "3.7" or "3.7.3" to a dotted version."""
    if not value:
        return None
    parts = value.split(".")
    if len(parts) == 1 and len(value) > 1:
        parts = [value[0], value[1:]]
    if len(parts) > 3 or not all(part.isdigit() for part in parts):
        raise UsageError(f"Invalid --python-version value {value!r}: use up to three "
                         "dot-separated integers, such as 3.12.")
    return ".".join(str(int(part)) for part in parts)


def parse_uploaded_prior_to(value: str | None) -> datetime | None:
    """`--uploaded-prior-to`: `P<n>D` (n days ago) or an ISO 8601 date/time (local if naive)."""
    if not value:
        return None
    days = re.fullmatch(r"P(\d+)D", value, re.ASCII)
    if days:
        return datetime.now(UTC) - timedelta(days=int(days.group(1)))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"Invalid --uploaded-prior-to value {value!r}: use an ISO 8601 date "
                         "such as 2024-01-31 or 2024-01-31T12:00:00Z, or P<n>D.") from None
    return moment if moment.tzinfo else moment.astimezone()
