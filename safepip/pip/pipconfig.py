"""Read the configuration pip itself reads: config files and `PIP_*` environment variables.

Mirrors pip's `configuration.py` and `cli/parser.py` (pip 26): files load in the order global
(`$XDG_CONFIG_DIRS/pip/pip.conf`, `/etc/pip.conf`), user (`~/.pip/pip.conf`,
`$XDG_CONFIG_HOME/pip/pip.conf`; skipped when `PIP_CONFIG_FILE` names an existing file), site
(`<sys.prefix>/pip.conf`), then `PIP_CONFIG_FILE`; `PIP_CONFIG_FILE=/dev/null` loads no file at all.
Values then apply section by section, `[global]` before `[install]` before the environment, so any
file's `[install]` beats every file's `[global]`. `--isolated` skips user files and the environment.
"""

from __future__ import annotations

import configparser
import enum
import functools
import logging
import os
import posixpath
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from safepip.errors import InputError, UsageError

logger = logging.getLogger(__name__)

CONFIG_BASENAME = "pip.conf"
_ENV_NAMES_IGNORED = ("version", "help")
_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")


@dataclass(frozen=True)
class ConfigSource:
    """The values one file (or the environment) contributed, as `section.name` keys."""

    origin: str
    """File path, or `:env:` for the `PIP_*` variables."""
    items: tuple[tuple[str, str], ...]
    """(`section.name`, raw value) pairs with pip's key normalisation applied."""


@dataclass(frozen=True)
class PipConfig:
    """Every configuration source pip would read, in pip's load order."""

    sources: tuple[ConfigSource, ...] = ()
    """Later sources override earlier ones within a section."""

    def listing(self) -> list[str]:
        """The lines `pip config list` prints for the same sources (sorted by origin, then key)."""
        lines = []
        for source in sorted(self.sources, key=lambda s: s.origin):
            lines += [f"{key}={value!r}" for key, value in sorted(source.items)]
        return lines

    def command_items(self, command: str = "install") -> list[tuple[str, str, str]]:
        """(name, value, origin) in the order pip applies them to `command`'s defaults.

        Sections apply as `[global]`, `[command]`, environment; within a section a later
        source replaces an earlier one's value, and empty values are dropped (as pip does).
        """
        ordered: list[tuple[str, str, str]] = []
        for section in ("global", command, ":env:"):
            merged: dict[str, tuple[str, str]] = {}
            for source in self.sources:
                for key, value in source.items:
                    sect, _, name = key.partition(".")
                    if sect == section:
                        merged[name] = (value, source.origin)
            ordered += [(n, v, o) for n, (v, o) in merged.items() if v]
        return ordered


def normalize_key(name: str) -> str:
    """pip's `_normalize_name`: lower case, `_` to `-`, no leading `--`."""
    return name.lower().replace("_", "-").removeprefix("--")


def strtobool(value: str, *, origin: str, key: str) -> bool:
    """pip's boolean reading of config and environment values; anything else is an error."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InputError(
        f"{value!r} is not a valid value for the pip option {key!r} (from {origin}).",
        hint="Use a boolean such as yes/no, true/false or 1/0, as pip requires.",
    )


def discover_config_files(
    environ: Mapping[str, str], *, site_prefix: Path, isolated: bool = False
) -> tuple[Path, ...]:
    """The config files pip would try, in load order (they need not exist)."""
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return ()
    files = [Path(d, "pip", CONFIG_BASENAME) for d in _site_config_dirs(environ)]
    files.append(Path("/etc", CONFIG_BASENAME))
    if not isolated and not (env_file and os.path.exists(env_file)):
        home = _home(environ)
        files.append(Path(home, ".pip", CONFIG_BASENAME))
        files.append(Path(_user_config_home(environ, home), "pip", CONFIG_BASENAME))
    files.append(site_prefix / CONFIG_BASENAME)
    if env_file is not None:
        files.append(Path(env_file))
    return tuple(files)


def load_pip_config(
    files: Sequence[Path], environ: Mapping[str, str], *, isolated: bool = False
) -> PipConfig:
    """Read `files` (missing ones are skipped) and, unless isolated, the `PIP_*` variables."""
    # pip keys loaded files by name, so a file listed twice counts once, at its first place
    unique = dict.fromkeys(str(path) for path in files)
    sources = [ConfigSource(name, _read_file(Path(name))) for name in unique
               if Path(name).is_file()]
    if not isolated:
        sources.append(ConfigSource(":env:", tuple(_environ_items(environ))))
    for source in sources:
        logger.debug("pip configuration from %s: %d value(s)", source.origin, len(source.items))
    return PipConfig(tuple(sources))


def target_prefix(python: str | None) -> Path:
    """`sys.prefix` of the interpreter pip installs into, where pip looks for the site config.

    Found without running anything: a virtual environment by its `pyvenv.cfg`, any other
    interpreter by the `lib/pythonX.Y/os.py` landmark CPython's own startup searches for.
    """
    if python is None:
        return Path(sys.prefix)
    path = Path(python)
    for candidate in (path, path.parent.parent):
        if (candidate / "pyvenv.cfg").is_file():
            return candidate
    for candidate in path.resolve().parents:
        if any(candidate.glob("lib/python3*/os.py")):
            return candidate
    raise InputError(
        f"Cannot tell which Python installation {python!r} (given with --python) belongs to.",
        hint="Pass the path of a Python executable or of a virtual environment.",
    )


def _read_file(path: Path) -> tuple[tuple[str, str], ...]:
    parser = configparser.RawConfigParser()
    parser.optionxform = normalize_key  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise InputError(
            f"pip configuration file cannot be read: {error}", path=str(path),
            hint="Fix the file (pip would refuse it too), or point PIP_CONFIG_FILE elsewhere.",
        ) from None
    return tuple(
        (f"{section}.{normalize_key(name)}", value)
        for section in parser.sections()
        for name, value in parser.items(section)
    )


def _environ_items(environ: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    for key, value in environ.items():
        if key.startswith("PIP_"):
            name = key[4:].lower()
            if name not in _ENV_NAMES_IGNORED:
                yield f":env:.{normalize_key(name)}", value


def _home(environ: Mapping[str, str]) -> str:
    home = environ.get("HOME")
    return home if home else os.path.expanduser("~")


def _site_config_dirs(environ: Mapping[str, str]) -> list[str]:
    # platformdirs: absolute entries of $XDG_CONFIG_DIRS, else /etc/xdg
    dirs = [p.strip() for p in environ.get("XDG_CONFIG_DIRS", "").split(os.pathsep)]
    return [p for p in dirs if posixpath.isabs(p)] or ["/etc/xdg"]


def _user_config_home(environ: Mapping[str, str], home: str) -> str:
    xdg = environ.get("XDG_CONFIG_HOME", "").strip()
    return xdg if posixpath.isabs(xdg) else os.path.join(home, ".config")


# --- pip install's options (pip 26.3 `pip install --help`; tests compare with pip's parser) ---

class Action(enum.Enum):
    """How an option consumes arguments and config values (optparse actions)."""

    TRUE = "store_true"
    FALSE = "store_false"
    COUNT = "count"
    STORE = "store"
    APPEND = "append"
    CALLBACK = "callback"
    """Takes one value, handled by a function (format control, python-version, ...)."""
    FLAG_CALLBACK = "flag_callback"
    """Takes no value, handled by a function (`--no-cache-dir`)."""
    HELP = "help"

    @property
    def takes_value(self) -> bool:
        return self in (Action.STORE, Action.APPEND, Action.CALLBACK)


@dataclass(frozen=True)
class PipOption:
    """One pip option: its spellings and how it takes values."""

    names: tuple[str, ...]
    """Short and long spellings, e.g. ("-r", "--requirement")."""
    action: Action
    """How pip's optparse handles it."""

    @functools.cached_property
    def key(self) -> str:
        """The primary long name, which identifies the option."""
        return next(n for n in self.names if n.startswith("--"))


def _opts(action: Action, *groups: str) -> list[PipOption]:
    return [PipOption(tuple(group.split()), action) for group in groups]


INSTALL_OPTIONS: tuple[PipOption, ...] = (
    *_opts(Action.APPEND, "-r --requirement", "-c --constraint", "--build-constraint",
           "--requirements-from-script", "-e --editable", "--platform", "--abi",
           "--extra-index-url", "-f --find-links", "--exists-action", "--trusted-host",
           "--use-feature", "--use-deprecated"),
    *_opts(Action.TRUE, "--no-deps --no-dependencies", "--only-deps --only-dependencies",
           "--dry-run", "--user", "-U --upgrade", "--force-reinstall", "-I --ignore-installed",
           "--ignore-requires-python", "--use-pep517", "--check-build-dependencies",
           "--break-system-packages", "--compile", "--require-hashes", "--no-require-hashes",
           "--no-clean", "--pre", "--prefer-binary", "--no-index", "--debug", "--isolated",
           "--require-virtualenv --require-venv", "--no-input", "--no-proxy-env",
           "--disable-pip-version-check", "--no-color", "--no-python-version-warning"),
    *_opts(Action.FALSE, "--no-user", "--no-build-isolation", "--no-compile",
           "--no-warn-script-location", "--no-warn-conflicts"),
    *_opts(Action.STORE, "-t --target", "--implementation", "--root", "--prefix",
           "--upgrade-strategy", "--progress-bar", "--root-user-action", "--report",
           "-i --index-url --pypi-url", "--python", "--log --log-file --local-log",
           "--keyring-provider", "--proxy", "--retries", "--timeout --default-timeout",
           "--cert", "--client-cert", "--cache-dir", "--resume-retries"),
    *_opts(Action.CALLBACK, "--python-version", "--src --source --source-dir --source-directory",
           "-C --config-settings", "--group", "--all-releases", "--only-final", "--no-binary",
           "--only-binary", "--refresh-package", "--uploaded-prior-to"),
    *_opts(Action.COUNT, "-v --verbose", "-q --quiet"),
    *_opts(Action.FLAG_CALLBACK, "--no-cache-dir"),
    *_opts(Action.HELP, "-h --help"),
)

# Options a requirements file may carry (pip's req_file.SUPPORTED_OPTIONS + per-requirement ones).
# `--global-option`/`--install-option` are gone from pip 26 but still common in old files.
FILE_OPTIONS: tuple[PipOption, ...] = (
    *(o for o in INSTALL_OPTIONS if o.key in {
        "--index-url", "--extra-index-url", "--no-index", "--constraint", "--requirement",
        "--editable", "--find-links", "--no-binary", "--only-binary", "--prefer-binary",
        "--require-hashes", "--no-require-hashes", "--pre", "--all-releases", "--only-final",
        "--trusted-host", "--use-feature", "--config-settings"}),
    *_opts(Action.CALLBACK, "--hash"),
    *_opts(Action.APPEND, "--global-option", "--install-option"),
)


@dataclass(frozen=True)
class ParsedOption:
    """One option occurrence found in an argument list."""

    option: PipOption | None
    """The option, or None when pip has no such option."""
    value: str | None
    """Its value, for options that take one."""
    raw: tuple[str, ...]
    """The argument(s) it was written as, for passing through verbatim."""


def split_args(
    args: Sequence[str], table: Sequence[PipOption], *, origin: str
) -> Iterator[ParsedOption | str]:
    """Split arguments as pip's optparse does: options (with long-name abbreviations,
    `--opt=value`, joined short values like `-rfile` and clusters like `-Ur`) and positionals."""
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            yield from rest
            return
        if arg.startswith("--"):
            yield _long(arg, rest, table, origin)
        elif arg.startswith("-") and arg != "-":
            yield from _short(arg, rest, table, origin)
        else:
            yield arg


def _long(arg: str, rest: list[str], table: Sequence[PipOption], origin: str) -> ParsedOption:
    name, has_value, value = arg.partition("=")
    option = _match_long(name, table, origin)
    if option is None:
        return ParsedOption(None, None, (arg,))
    if not option.action.takes_value:
        if has_value:
            raise UsageError(f"{_at(origin)}the {option.key} option does not take a value.")
        return ParsedOption(option, None, (arg,))
    if has_value:
        return ParsedOption(option, value, (arg,))
    value = _take(rest, option.key, origin)
    return ParsedOption(option, value, (arg, value))


def _short(
    arg: str, rest: list[str], table: Sequence[PipOption], origin: str
) -> Iterator[ParsedOption]:
    # optparse: each letter is a flag until one takes a value, which is the rest of the
    # argument or else the next one (`-Ur file` is -U -r file; `-Ufoo` is -U -f oo).
    for index in range(1, len(arg)):
        flag = "-" + arg[index]
        option = next((o for o in table if flag in o.names), None)
        if option is None:
            yield ParsedOption(None, None, ("-" + arg[index:],))
            return
        if not option.action.takes_value:
            yield ParsedOption(option, None, (flag,))
            continue
        value = arg[index + 1:] or _take(rest, flag, origin)
        yield ParsedOption(option, value, (flag, value))
        return


def _take(rest: list[str], name: str, origin: str) -> str:
    if not rest:
        raise UsageError(f"{_at(origin)}the {name} option requires a value.")
    return rest.pop(0)


def _match_long(name: str, table: Sequence[PipOption], origin: str) -> PipOption | None:
    """optparse's `_match_abbrev`: an exact name, else the one name it is a prefix of."""
    spellings = _long_spellings(tuple(table))
    if name in spellings:
        return spellings[name]
    matches = sorted(n for n in spellings if n.startswith(name))
    if len(matches) > 1:
        raise UsageError(
            f"{_at(origin)}the option {name} is ambiguous (it could be {', '.join(matches)}); "
            "spell it out."
        )
    return spellings[matches[0]] if matches else None


@functools.cache
def _long_spellings(table: tuple[PipOption, ...]) -> dict[str, PipOption]:
    return {n: o for o in table for n in o.names if n.startswith("--")}


def _at(origin: str) -> str:
    return f"{origin}: " if origin else ""


def find_option(name: str, table: Sequence[PipOption] = INSTALL_OPTIONS) -> PipOption | None:
    """The option spelt exactly `name` (`--` plus a config key), as pip's `get_option`."""
    return next((o for o in table if name in o.names), None)
