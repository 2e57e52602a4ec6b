"""Dependencies a setuptools build would compute from setup.cfg and a literal setup.py.

setuptools applies setup.cfg `[options]` only where `setup()` passed nothing (its config handler
skips "already inhabited" attributes), so setup.py keywords win over setup.cfg. Values are turned
into requirement strings the way setuptools writes `Requires-Dist` (extras as `extra == "x"`
markers, `extra:marker` keys folded in).
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from safepip.resolution.setup_py import NotStatic, SetupArgs, read_setup_py


@dataclass(frozen=True)
class SetuptoolsDeps:
    """Dependency keywords as setuptools would see them (None where nothing declares them)."""

    install_requires: list[str] | None
    """Requirement strings (one per entry, comments dropped)."""
    extras_require: dict[str, list[str]] | None
    """Extra key (maybe `extra:marker`) -> requirement strings."""
    python_requires: str | None
    """The python_requires string, unparsed."""
    sources: tuple[str, ...]
    """Which files answered, e.g. ("setup.py (ast literals)", "setup.cfg [options]")."""


def requirement_lines(value: Any, what: str) -> list[str]:
    """A setuptools requirement value (str with one per line, or list of str) as lines.

    Mirrors pkg_resources.yield_lines + parse_requirements: blank and `#` lines dropped,
    trailing ` #` comments cut.
    """
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise NotStatic(f"{what} is not a string or a list of strings")
    lines = [line.split(" #", 1)[0].strip() for item in items for line in item.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _cfg_list(value: str, what: str) -> list[str]:
    """setuptools' `_parse_list_semicolon`: one per line, else `;`-separated; `#` lines dropped."""
    if value.strip().startswith(("file:", "attr:")):
        raise NotStatic(f"{what} uses a {value.strip().split(':')[0]}: directive")
    if "%" in value:
        raise NotStatic(f"{what} needs configparser interpolation ('%')")
    chunks = value.splitlines() if "\n" in value else value.split(";")
    return [c.strip() for c in chunks if c.strip() and not c.strip().startswith("#")]


def _read_cfg(data: bytes) -> tuple[list[str] | None, dict[str, list[str]] | None, str | None]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = lambda option: option.lower().replace("-", "_")  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(data.decode("utf-8"), source="setup.cfg")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise NotStatic(f"setup.cfg cannot be read ({type(exc).__name__})") from None
    options = parser["options"] if parser.has_section("options") else {}
    install = options.get("install_requires")
    python = options.get("python_requires")
    extras = None
    if parser.has_section("options.extras_require"):
        extras = {key: _cfg_list(value, f"setup.cfg extras_require[{key}]")
                  for key, value in parser["options.extras_require"].items()}
    return (None if install is None else _cfg_list(install, "setup.cfg install_requires"),
            extras, None if python is None else python.strip())


def _setup_py_values(args: SetupArgs) -> tuple[list[str] | None, dict[str, list[str]] | None]:
    install = (None if args.install_requires is None
               else requirement_lines(args.install_requires, "setup.py install_requires"))
    extras = None
    if args.extras_require is not None:
        if not isinstance(args.extras_require, dict):
            raise NotStatic("setup.py extras_require is not a dict")
        extras = {str(k): requirement_lines(v, f"setup.py extras_require[{k}]")
                  for k, v in args.extras_require.items()}
    return install, extras


def setuptools_deps(files: dict[str, bytes], top: str) -> SetuptoolsDeps:
    """What setup.py (literals, via ast) and setup.cfg declare; `NotStatic` says why not."""
    install = extras = python = None
    sources: list[str] = []
    if "setup.py" in files:
        try:
            args = read_setup_py(files["setup.py"], f"{top}/setup.py" if top else "setup.py")
        except NotStatic as exc:
            raise NotStatic(f"setup.py: {exc}") from None
        if args.python_requires is not None and not isinstance(args.python_requires, str):
            raise NotStatic("setup.py python_requires is not a string")
        install, extras = _setup_py_values(args)
        python = args.python_requires
        sources.append("setup.py (ast literals)")
    if "setup.cfg" in files:
        cfg_install, cfg_extras, cfg_python = _read_cfg(files["setup.cfg"])
        # setup() keywords win when truthy; name setup.cfg only when it supplied something.
        if (cfg_install and not install) or (cfg_extras and not extras) or (
                cfg_python and not python):
            sources.append("setup.cfg [options]")
        install = install if install else cfg_install
        extras = extras if extras else cfg_extras
        python = python if python else cfg_python
    if "setup.py" not in files and "setup.cfg" not in files:
        raise NotStatic("there is no setup.py or setup.cfg to read")
    return SetuptoolsDeps(install, extras, python, tuple(sources))


def extras_to_requirements(extras: dict[str, list[str]]) -> tuple[list[Requirement], set[str]]:
    """setuptools' conversion of extras_require into Requires-Dist lines and Provides-Extra."""
    requirements: list[Requirement] = []
    provided: set[str] = set()
    for key, lines in extras.items():
        extra, _, marker = key.partition(":")
        extra = canonicalize_name(extra.strip()) if extra.strip() else ""
        if extra:
            provided.add(extra)
        for line in lines:
            requirements.append(with_marker(Requirement(line), marker.strip(), extra))
    return requirements, provided


def with_marker(requirement: Requirement, marker: str, extra: str) -> Requirement:
    """`requirement` with `marker` and `extra == "..."` and-ed onto its own marker."""
    parts = [f"({requirement.marker})"] if requirement.marker else []
    parts += [f"({marker})"] if marker else []
    parts += [f'extra == "{extra}"'] if extra else []
    if not parts:
        return requirement
    requirement.marker = None
    return Requirement(f"{requirement}; {' and '.join(parts)}")
