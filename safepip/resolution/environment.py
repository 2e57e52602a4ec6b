"""The environment packages are resolved for: marker values, wheel tags, installed projects.

For the running interpreter these come from `packaging` in-process. For another interpreter
(`--python`) we run *that* interpreter on a tiny probe of our own (never package code), with only
our copy of `packaging` on its path, in isolated mode (-I: no PYTHONPATH, no user site) and
without `site` (-S): the environment's `.pth` files are read as data, never run.

subprocess runs only the target interpreter on our own probe (argv list, never a shell).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import site
import subprocess  # nosec B404
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import packaging
from packaging import tags as wheel_tags
from packaging.markers import default_environment
from packaging.tags import Tag
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from safepip.errors import SafepipError, UsageError
from safepip.pip.request import TargetOptions

logger = logging.getLogger(__name__)

_PROBE = """
import json, os, site, sys
sys.path.insert(0, sys.argv[1])
from packaging import markers, tags

def prefixes():
    # site.venv() would also run the .pth files: read pyvenv.cfg the way it does, as data.
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    for conf in (os.path.join(exe_dir, "pyvenv.cfg"),
                 os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg")):
        if os.path.isfile(conf):
            system = "true"
            with open(conf, encoding="utf-8") as lines:
                for line in lines:
                    key, eq, value = line.partition("=")
                    if eq and key.strip().lower() == "include-system-site-packages":
                        system = value.strip().lower()
            base = site.PREFIXES if system == "true" else []
            return [os.path.dirname(exe_dir), *base]
    return site.PREFIXES

def pth_dirs(directory):
    # The path lines of a site directory's .pth files, as site.addpackage adds them; its
    # `import` lines are never run.
    found = []
    try:
        names = sorted(n for n in os.listdir(directory)
                       if n.endswith(".pth") and not n.startswith("."))
    except OSError:
        return found
    for name in names:
        try:
            with open(os.path.join(directory, name), encoding="utf-8",
                      errors="replace") as lines:
                text = lines.read(1 << 20)
        except OSError:
            continue
        for line in text.splitlines():
            line = line.rstrip()
            if not line or line.startswith(("#", "import ", "import\t")):
                continue
            path = os.path.normpath(os.path.join(directory, line))
            if os.path.isdir(path):
                found.append(path)
    return found

sites = site.getsitepackages(prefixes()) if hasattr(site, "getsitepackages") else []
paths = [p for p in sys.path[1:] if p]
for directory in sites:
    if os.path.isdir(directory):
        paths += [p for p in [directory, *pth_dirs(directory)] if p not in paths]
print(json.dumps({
    "markers": markers.default_environment(),
    "tags": [str(t) for t in tags.sys_tags()],
    "paths": paths,
    "site": sites,
}))
"""
_PROBE_TIMEOUT = 60.0
_HEADER_LINE = re.compile(r"^(From |[\041-\071\073-\176]*:|[\t ])")
"""email.feedparser's test for a header (or continuation) line; anything else starts the body."""


class TargetInterpreterError(SafepipError):
    hint = "Check the path given to --python; it must be a working Python interpreter."


@dataclass(frozen=True)
class ChosenEnvironment:
    """The environment a command acts on, and why it was chosen (for the first line of output)."""

    python: str
    """Its interpreter."""
    reason: str
    """`--python`, `VIRTUAL_ENV`, `.venv`, `PATH` or `safepip's interpreter`."""

    @property
    def location(self) -> str:
        """The environment directory of a venv interpreter, else the interpreter itself."""
        path = Path(self.python)
        root = path.parent.parent
        return str(root) if (root / "pyvenv.cfg").is_file() else self.python

    def describe(self) -> str:
        return f"safepip: using the environment {self.location} ({self.reason})"


def discover_environment(
    explicit: str | None, environ: Mapping[str, str], cwd: Path, *, isolated: bool = False
) -> ChosenEnvironment:
    """The environment users expect from pip and uv: `--python` (or pip's own setting of it:
    `PIP_PYTHON`, else `python =` in a pip config file's `[global]`), else the active
    `VIRTUAL_ENV`, else a `.venv` in the working directory or a parent, else the interpreter
    on PATH (safepip's own only when PATH has none)."""
    if explicit:
        return ChosenEnvironment(venv_interpreter(Path(explicit)) or explicit, "--python")
    if configured := configured_python(environ, isolated=isolated):
        value, reason = configured
        return ChosenEnvironment(venv_interpreter(Path(value)) or value, reason)
    active = environ.get("VIRTUAL_ENV", "").strip()
    if active and (python := venv_interpreter(Path(active))):
        return ChosenEnvironment(python, "VIRTUAL_ENV")
    for directory in (cwd, *cwd.parents):
        candidate = directory / ".venv"
        if (candidate / "pyvenv.cfg").is_file() and (python := venv_interpreter(candidate)):
            return ChosenEnvironment(python, ".venv")
    path = environ.get("PATH", os.defpath)
    found = shutil.which("python3", path=path) or shutil.which("python", path=path)
    if found:
        return ChosenEnvironment(found, "python on PATH")
    return ChosenEnvironment(sys.executable, "safepip's interpreter")


def configured_python(
    environ: Mapping[str, str], *, isolated: bool = False
) -> tuple[str, str] | None:
    """pip's `--python` as pip's main parser reads it: `[global] python` of the config files
    in load order, then `PIP_PYTHON` (a later source wins; `--isolated` skips user files and
    the environment). (value, where it came from), or None.

    pip honours `python` only there: in `[install]` it stops with "The --python option must be
    placed before the pip subcommand name", so safepip refuses it too rather than guess."""
    from safepip.pip.pipconfig import discover_config_files, load_pip_config

    files = discover_config_files(environ, site_prefix=Path(sys.prefix), isolated=isolated)
    config = load_pip_config(files, environ, isolated=isolated)
    found: tuple[str, str] | None = None
    for section in ("global", ":env:"):
        for source in config.sources:
            for key, value in source.items:
                if key == f"{section}.python" and value.strip():
                    where = "PIP_PYTHON" if section == ":env:" else f"python in {source.origin}"
                    found = (value.strip(), where)
    for source in config.sources:
        for key, value in source.items:
            if found is None and key == "install.python" and value.strip():
                raise UsageError(
                    f"`python = {value.strip()}` in the [install] section of {source.origin} "
                    "is refused by pip itself (--python must come before the pip command).",
                    hint="Move it to the [global] section, or pass --python on the command line.",
                )
    return found


def venv_interpreter(directory: Path) -> str | None:
    """The interpreter of an environment directory (as pip's `--python DIR` takes it)."""
    if not directory.is_dir():
        return None
    for candidate in (directory / "bin" / "python", directory / "Scripts" / "python.exe"):
        if candidate.exists():
            return str(candidate)
    return None


@dataclass(frozen=True)
class InstalledProject:
    """A project found installed in the target environment."""

    name: NormalizedName
    version: Version
    metadata_path: Path
    """Its `*.dist-info/METADATA`, read as data for its dependencies."""


@dataclass(frozen=True)
class TargetEnvironment:
    """What resolution needs to know about where the packages will be installed."""

    markers: dict[str, str]
    """PEP 508 marker values (`extra` is added per evaluation)."""
    tags: tuple[Tag, ...]
    """Supported wheel tags, most preferred first (PEP 425 order, as pip uses it)."""
    python_version: Version
    """The version `Requires-Python` is checked against."""
    installed: dict[NormalizedName, InstalledProject]
    """Projects already installed in the target's search path (empty for --target)."""
    site_dirs: tuple[str, ...] = ()
    """Its site-packages directories, whose `.pth` files run at every start."""

    def tag_priority(self) -> dict[Tag, int]:
        """Tag -> rank (0 is best), for choosing among a version's wheels."""
        return {tag: index for index, tag in enumerate(self.tags)}


def probe_target(
    options: TargetOptions, started: StartedProbe | None = None
) -> TargetEnvironment:
    """Describe the environment named by the options (current interpreter by default).

    `started` is a probe begun earlier by `start_probe` for the same options, if any."""
    python = _other_interpreter(options)
    if python is not None:
        if started is None or started.python != python:
            started = StartedProbe(python)
        facts = started.facts()
    else:
        facts = {
            "markers": dict(default_environment()),
            "tags": [str(t) for t in wheel_tags.sys_tags()],
            "paths": [p for p in sys.path if p],
            "site": site.getsitepackages() if hasattr(site, "getsitepackages") else [],
        }
    markers = {str(k): str(v) for k, v in facts["markers"].items()}
    supported = tuple(Tag(*t.split("-")) for t in facts["tags"])
    python_version = Version(markers["python_full_version"].rstrip("+"))
    if options.python_version or options.platforms or options.implementation or options.abis:
        supported, python_version = _overridden_tags(options, markers, python_version)
    installed = {} if options.target_dir else _installed_projects(facts["paths"])
    site_dirs = tuple(str(d) for d in facts.get("site", []))
    return TargetEnvironment(markers, supported, python_version, installed, site_dirs)


def start_probe(options: TargetOptions) -> StartedProbe | None:
    """Start probing another interpreter now, so that its ~0.1 s overlaps other work; None
    for the running one (described in-process)."""
    python = _other_interpreter(options)
    return StartedProbe(python) if python is not None else None


def _other_interpreter(options: TargetOptions) -> str | None:
    """`--python`, unless it is the running interpreter."""
    # Compare without resolving links: venvs share one binary but not one sys.prefix.
    python = options.python
    if python and os.path.abspath(python) != os.path.abspath(sys.executable):
        return python
    return None


class StartedProbe:
    """Our probe running in another interpreter (`_PROBE`); `facts` waits for its answer.
    Leaving the `with` block (or `close`) ends it and removes its directory."""

    def __init__(self, python: str) -> None:
        self.python = python
        self._dir = tempfile.TemporaryDirectory(prefix="safepip-probe-")
        # Only our `packaging` is visible to the probe: a link to the installed package dir.
        Path(self._dir.name, "packaging").symlink_to(Path(packaging.__file__).parent)
        self._facts: dict[str, Any] | None = None
        self._process: subprocess.Popen[str] | None = None
        self._error: OSError | None = None
        try:
            # argv list: the user's chosen interpreter and our probe; no shell, no package code.
            self._process = subprocess.Popen(  # nosec B603
                [python, "-I", "-S", "-c", _PROBE, self._dir.name],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True,
            )
        except OSError as error:
            self._error = error

    def __enter__(self) -> StartedProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def facts(self) -> dict[str, Any]:
        if self._facts is None:
            try:
                self._facts = self._answer()
            finally:
                self.close()
        return self._facts

    def _answer(self) -> dict[str, Any]:
        if self._process is None:
            raise TargetInterpreterError(
                f"Could not run the interpreter {self.python}: {self._error}."
            )
        try:
            stdout, stderr = self._process.communicate(timeout=_PROBE_TIMEOUT)
        except subprocess.TimeoutExpired as error:
            raise TargetInterpreterError(
                f"Could not run the interpreter {self.python}: {error}."
            ) from None
        if self._process.returncode != 0:
            raise TargetInterpreterError(
                f"The interpreter {self.python} failed to describe itself: "
                f"{stderr.strip()[-300:]}"
            )
        result: dict[str, Any] = json.loads(stdout)
        return result

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._dir.cleanup()


def _overridden_tags(
    options: TargetOptions, markers: dict[str, str], python_version: Version
) -> tuple[tuple[Tag, ...], Version]:
    """Tags for --python-version/--platform/--implementation/--abi, as pip computes them.

    As in pip, these change tags and the Requires-Python check but not marker evaluation.
    """
    version_tuple: tuple[int, ...] | None = None
    if options.python_version:
        version_tuple, python_version = _parse_python_version(options.python_version)
    implementation = options.implementation or wheel_tags.interpreter_name()
    version_digits = "".join(map(str, version_tuple or ())) or wheel_tags.interpreter_version()
    interpreter = f"{implementation}{version_digits}"
    platforms = _expand_platforms(options.platforms) or None
    abis = list(options.abis) or None
    supported: list[Tag] = []
    if implementation == "cp":
        supported.extend(wheel_tags.cpython_tags(version_tuple, abis=abis, platforms=platforms))
    else:
        supported.extend(wheel_tags.generic_tags(interpreter, abis=abis, platforms=platforms))
    supported.extend(wheel_tags.compatible_tags(version_tuple, interpreter, platforms))
    return tuple(supported), python_version


def _parse_python_version(text: str) -> tuple[tuple[int, ...], Version]:
    """pip accepts `3`, `37`, `3.7` and `3.7.3` for --python-version."""
    try:
        parts = tuple(int(p) for p in text.split(".")) if "." in text else (
            (int(text[0]), int(text[1:])) if len(text) > 1 else (int(text),)
        )
    except ValueError:
        raise UsageError(f"--python-version {text!r} is not a version like 3.12.") from None
    padded = (*parts, 0, 0)[:3]
    return parts[:2], Version(".".join(map(str, padded)))


def _expand_platforms(platforms: tuple[str, ...]) -> list[str]:
    """PEP 599/571: manylinux2014 systems also take manylinux2010 and manylinux1 wheels."""
    expanded: list[str] = []
    for platform in platforms:
        prefix, _, arch = platform.partition("_")
        candidates = [platform]
        if prefix == "manylinux2014" and arch in {"i686", "x86_64"}:
            candidates += [f"manylinux2010_{arch}", f"manylinux1_{arch}"]
        elif prefix == "manylinux2010":
            candidates.append(f"manylinux1_{arch}")
        expanded.extend(c for c in candidates if c not in expanded)
    return expanded


def _installed_projects(paths: list[str]) -> dict[NormalizedName, InstalledProject]:
    """Read `*.dist-info/METADATA` name and version on the search path (data, never imported).

    The first entry on the path wins, as for imports.
    """
    installed: dict[NormalizedName, InstalledProject] = {}
    for directory in paths:
        base = Path(directory)
        if not base.is_dir():
            continue
        for metadata_file in sorted(base.glob("*.dist-info/METADATA")):
            project = _read_installed(metadata_file)
            if project and project.name not in installed:
                installed[project.name] = project
    return installed


def _read_installed(metadata_file: Path) -> InstalledProject | None:
    try:
        with metadata_file.open(encoding="utf-8", errors="replace") as handle:
            name, version = _name_and_version(handle)
        if name is None or version is None:
            raise TypeError("no Name or Version header")
        return InstalledProject(canonicalize_name(name), Version(version), metadata_file)
    except (OSError, TypeError, InvalidVersion):
        logger.debug("skipping unreadable installed metadata %s", metadata_file)
        return None


def _name_and_version(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The first Name and Version headers of a core-metadata document (RFC 822 header block).

    Read line by line up to the blank line that ends the headers, or until both are found: the
    email package would parse every header of every installed project on each run.
    """
    found: dict[str, str] = {}
    for line in lines:
        if not line.strip() or not _HEADER_LINE.match(line):
            break  # the blank line, or a line the email parser takes as the start of the body
        key, colon, value = line.partition(":")
        if colon and not line[0].isspace():  # continuation lines belong to other headers
            found.setdefault(key.lower(), value.strip())
        if "name" in found and "version" in found:
            break
    return found.get("name"), found.get("version")
