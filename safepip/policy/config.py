"""Policy configuration: `[tool.safepip]`, `safepip.toml` and `SAFEPIP_*` variables.

Where settings come from, lowest precedence first (a later source overrides an earlier one):

1. `[tool.safepip]` in the nearest `pyproject.toml`, walking up from the working directory;
2. the nearest `safepip.toml` (same keys, at top level), walking up from the working directory;
3. `SAFEPIP_*` environment variables;
4. command-line options (`--fail-on`, `--min-release-age`), applied with `PolicyConfig.with_cli`.

`--policy FILE` (or `SAFEPIP_POLICY`) names one file and replaces the search of steps 1-2.
Scalar keys (`fail-on`, `min-release-age`, `allow-indexes`) are overridden by a later source;
`ignore` entries and `trusted-names` accumulate over all sources. Unknown keys and unknown
`SAFEPIP_*` variables are errors: a misspelt setting must never silently mean "default".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from packaging.utils import NormalizedName, canonicalize_name

from safepip.errors import InputError, SafepipError
from safepip.findings import Severity
from safepip.policy.cooldown import parse_duration
from safepip.tomlfile import read_toml

logger = logging.getLogger(__name__)
T = TypeVar("T")

PYPROJECT = "pyproject.toml"
CONFIG_FILE = "safepip.toml"
ENV_PREFIX = "SAFEPIP_"
ENV_POLICY = "SAFEPIP_POLICY"
DEFAULT_FAIL_ON = Severity.HIGH
"""The fail level when neither the command line nor the configuration sets one."""


@dataclass(frozen=True)
class IgnoreEntry:
    """One accepted risk: findings of `rule` on `package` (optionally one version) are ignored."""

    rule: str
    """Rule id the entry silences, e.g. `name/typosquat`."""
    package: NormalizedName
    """Normalised project name (PEP 503)."""
    version: str | None
    """Only this version when given; every version otherwise."""
    reason: str
    """Why the risk is accepted (mandatory: an ignore nobody can explain is a liability)."""
    expires: dt.date | None
    """Last day the entry applies; afterwards the findings count again."""
    source: str
    """Where the entry was written, for messages."""

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Settings:
    """What one source says; None means "not set here"."""

    source: str
    """The file (and table) or `environment`."""
    fail_on: Severity | None = None
    """`fail-on`."""
    min_release_age: dt.timedelta | None = None
    """`min-release-age`."""
    allow_indexes: tuple[str, ...] | None = None
    """`allow-indexes`, normalised by `normalize_index_url`."""
    ignores: tuple[IgnoreEntry, ...] = ()
    """`ignore` entries."""
    trusted_names: tuple[str, ...] = field(default=())
    """`trusted-names`."""


_KEYS = ("fail-on", "ignore", "trusted-names", "min-release-age", "allow-indexes")
_IGNORE_KEYS = ("rule", "package", "version", "reason", "expires")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*")


def parse_table(table: Mapping[str, object], *, source: str) -> Settings:
    """Validate one raw table into `Settings`, collecting every problem into one InputError."""
    errors: list[str] = [
        f"unknown key {key!r} (known keys: {', '.join(_KEYS)})" for key in table if key not in _KEYS
    ]
    settings = Settings(
        source=source,
        fail_on=_optional(table, "fail-on", _severity, errors),
        min_release_age=_optional(table, "min-release-age", _duration, errors),
        allow_indexes=_optional(table, "allow-indexes", _indexes, errors),
        ignores=_optional(table, "ignore", lambda v: _ignores(v, source, errors), errors) or (),
        trusted_names=_optional(table, "trusted-names", _names, errors) or (),
    )
    if errors:
        raise InputError(
            "Invalid safepip policy: " + "; ".join(errors) + ".",
            path=source,
            hint="See the README section on policy configuration; nothing was installed.",
        )
    return settings


def _optional(
    table: Mapping[str, object], key: str, parse: Callable[[object], T], errors: list[str]
) -> T | None:
    if key not in table:
        return None
    try:
        return parse(table[key])
    except (ValueError, TypeError, SafepipError) as error:
        text = error.message if isinstance(error, SafepipError) else str(error)
        errors.append(f"{key}: {text.rstrip('.')}")
        return None


def _string(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{what} must be a non-empty string, not {value!r}")
    return value.strip()


def _strings(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise TypeError(f"{what} must be a list of strings")
    return tuple(_string(item, f"each entry of {what}") for item in value)


def _severity(value: object) -> Severity:
    return Severity.parse(_string(value, "fail-on"))


def _duration(value: object) -> dt.timedelta:
    return parse_duration(_string(value, "min-release-age"), option="min-release-age")


def _names(value: object) -> tuple[str, ...]:
    names = _strings(value, "trusted-names")
    for name in names:
        canonicalize_name(name, validate=True)
    return names


def _indexes(value: object) -> tuple[str, ...]:
    urls = _strings(value, "allow-indexes")
    for url in urls:
        if urlsplit(url).scheme not in ("https", "http", "file"):
            raise ValueError(f"{url!r} is not an http(s) or file URL")
    return tuple(normalize_index_url(url) for url in urls)


def normalize_index_url(url: str) -> str:
    """Compare index URLs without credentials, case of scheme/host, or a trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def _ignores(value: object, source: str, errors: list[str]) -> tuple[IgnoreEntry, ...]:
    if not isinstance(value, list):
        raise TypeError("must be an array of tables ([[tool.safepip.ignore]] or ignore = [{...}])")
    entries = []
    for number, item in enumerate(value, 1):
        try:
            entries.append(_ignore(item, source))
        except (ValueError, TypeError) as error:
            errors.append(f"ignore entry {number}: {error}")
    return tuple(entries)


def _ignore(item: object, source: str) -> IgnoreEntry:
    if not isinstance(item, dict):
        raise TypeError("must be a table with rule, package and reason")
    unknown = [key for key in item if key not in _IGNORE_KEYS]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known keys: {', '.join(_IGNORE_KEYS)})")
    if "reason" not in item:
        raise ValueError("'reason' is mandatory: say why this risk is accepted")
    rule = _string(item.get("rule"), "rule")
    if not _RULE_ID.fullmatch(rule):
        raise ValueError(f"rule {rule!r} is not a rule id such as 'name/typosquat'")
    version = item.get("version")
    package = _string(item.get("package", ANY_PACKAGE), "package")
    if package == ANY_PACKAGE and version is not None:
        raise ValueError("'version' needs a 'package'")
    return IgnoreEntry(
        rule=rule,
        package=ANY_PACKAGE if package == ANY_PACKAGE else canonicalize_name(
            package, validate=True),
        version=None if version is None else _string(version, "version"),
        reason=_string(item["reason"], "reason"),
        expires=_date(item.get("expires")),
        source=source,
    )


ANY_PACKAGE = NormalizedName("*")
"""An `ignore` entry without `package` (or with `package = "*"`) covers every package."""


def _check_known_rules(ignores: Iterable[IgnoreEntry], known: Collection[str]) -> None:
    """A misspelt rule id would silently never apply: it is an error, with a suggestion."""
    problems = [f"{entry.source}: {_unknown_rule(entry.rule, known)}"
                for entry in ignores if entry.rule not in known]
    if problems:
        raise InputError("Invalid safepip policy: " + "; ".join(problems) + ".",
                         hint="Use a rule id from the rule tables in the README.")


def _unknown_rule(rule: str, known: Collection[str]) -> str:
    close = get_close_matches(rule, sorted(known), n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    return f"ignore entry for rule {rule!r}: it is not a rule safepip has{suggestion}"


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    return dt.date.fromisoformat(_string(value, "expires"))


@dataclass(frozen=True)
class PolicyConfig:
    """The effective policy after merging every source."""

    fail_on: Severity = DEFAULT_FAIL_ON
    """Lowest severity that blocks."""
    ignores: tuple[IgnoreEntry, ...] = ()
    """Accepted risks, from every source."""
    trusted_names: frozenset[NormalizedName] = frozenset()
    """Names the typosquat check must not flag (applied as `name/typosquat` ignores)."""
    min_release_age: dt.timedelta | None = None
    """Refuse files uploaded more recently than this (None: no cooldown)."""
    allow_indexes: tuple[str, ...] = ()
    """When not empty, the only index URLs that may be used (credentials stripped)."""
    sources: tuple[str, ...] = ()
    """Files and `environment` that contributed, lowest precedence first."""

    def with_cli(
        self, *, fail_on: Severity | None = None, min_release_age: dt.timedelta | None = None
    ) -> PolicyConfig:
        """Apply command-line options, which override every other source."""
        config = self if fail_on is None else replace(self, fail_on=fail_on)
        if min_release_age is not None:
            config = replace(config, min_release_age=min_release_age)
        return config


def load_config(
    cwd: Path, environ: Mapping[str, str], *, rules: Collection[str],
    policy_file: Path | None = None,
) -> PolicyConfig:
    """Read and merge every configuration source (see the module docstring for precedence).

    `rules` are the ids of every rule safepip has (the catalogue lives above the policy, in
    `safepip.catalog`): an `ignore` entry naming another id is an error."""
    explicit = policy_file or (Path(environ[ENV_POLICY]) if environ.get(ENV_POLICY) else None)
    layers: list[Settings | None] = [_read_explicit(explicit)] if explicit else _discover(cwd)
    layers.append(_env_settings(environ))
    config = PolicyConfig()
    for settings in layers:
        if settings is not None:
            config = _merge(config, settings)
    _check_known_rules(config.ignores, rules)
    logger.debug("policy configuration from %s", ", ".join(config.sources) or "defaults")
    return config


def _read_explicit(path: Path) -> Settings:
    settings = _read_file(path)
    if settings is None:
        raise InputError("The named policy file has no [tool.safepip] table.", path=str(path))
    return settings


def _discover(cwd: Path) -> list[Settings | None]:
    pyproject = _nearest(cwd, PYPROJECT)
    own = _nearest(cwd, CONFIG_FILE)
    return [_read_file(pyproject) if pyproject else None, _read_file(own) if own else None]


def _nearest(start: Path, filename: str) -> Path | None:
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / filename
        if candidate.is_file():
            return candidate
    return None


def _read_file(path: Path) -> Settings | None:
    """Parse one file; a pyproject.toml without `[tool.safepip]` contributes nothing."""
    document, _ = read_toml(path)
    if path.name != PYPROJECT and set(document) != {"tool"}:
        return parse_table(document, source=str(path))
    # safepip.toml may also be written with the [tool.safepip] header of pyproject.toml.
    tool = document.get("tool", {})
    table = tool.get("safepip") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("[tool.safepip] must be a table.", path=str(path))
    return parse_table(table, source=f"{path} [tool.safepip]")


_ENV_KEYS = {
    "SAFEPIP_FAIL_ON": "fail-on",
    "SAFEPIP_MIN_RELEASE_AGE": "min-release-age",
    "SAFEPIP_TRUSTED_NAMES": "trusted-names",
    "SAFEPIP_ALLOW_INDEXES": "allow-indexes",
}
_LIST_KEYS = {"trusted-names", "allow-indexes"}
ENV_OWNED_ELSEWHERE = frozenset({ENV_POLICY, "SAFEPIP_ALLOW_UNCONFINED_BUILD"})  # sandbox
"""`SAFEPIP_*` variables read by other modules; add yours here so they are not refused."""


def _env_settings(environ: Mapping[str, str]) -> Settings | None:
    """`SAFEPIP_*` variables as a settings layer; list values split on commas or whitespace."""
    unknown = sorted(
        k for k in environ
        if k.upper().startswith(ENV_PREFIX) and k not in _ENV_KEYS and k not in ENV_OWNED_ELSEWHERE
    )
    if unknown:
        known = ", ".join(sorted({*_ENV_KEYS, *ENV_OWNED_ELSEWHERE}))
        raise InputError(
            f"Unknown safepip environment variable {', '.join(unknown)}.",
            hint=f"Known variables: {known}. Unset or rename it.",
        )
    table: dict[str, object] = {}
    for variable, key in _ENV_KEYS.items():
        value = environ.get(variable, "").strip()
        if value:
            table[key] = value.replace(",", " ").split() if key in _LIST_KEYS else value
    return parse_table(table, source="environment") if table else None


def _merge(config: PolicyConfig, settings: Settings) -> PolicyConfig:
    trusted = frozenset(canonicalize_name(n) for n in settings.trusted_names)
    return replace(
        config,
        fail_on=settings.fail_on if settings.fail_on is not None else config.fail_on,
        min_release_age=settings.min_release_age
        if settings.min_release_age is not None else config.min_release_age,
        allow_indexes=settings.allow_indexes
        if settings.allow_indexes is not None else config.allow_indexes,
        ignores=config.ignores + settings.ignores,
        trusted_names=config.trusted_names | trusted,
        sources=(*config.sources, settings.source),
    )
