"""Which files of an artifact run when: install time, every interpreter start, or import.

An sdist runs `setup.py`, an in-tree PEP 517 backend (`backend-path`) and whatever those import
from the sdist itself; a wheel runs `.pth` files at every start and ships `*.data/scripts`, which
pip copies into `bin/` without running them (run-time code, like the modules they import).
Everything else is import-time package code. The walk never follows symlinks and reads files
through O_NOFOLLOW descriptors with a size cap.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from safepip.tomlfile import TomlError, parse_toml

logger = logging.getLogger(__name__)

MAX_READ = 8 << 20
"""Python files larger than this are not parsed (reported when install-time)."""
_NATIVE_SUFFIXES = (
    ".so",
    ".dylib",
    ".dll",
    ".exe",
    ".pyd",
    ".bin",
    ".elf",
    ".out",
    ".o",
    ".a",
)
"""Binaries: judged in sdists (`hook/native-binary`); a wheel is where they belong."""
_KEEP_SUFFIXES = (".py", ".pyw", ".pth", ".pyc", ".cmake", *_NATIVE_SUFFIXES)
"""`.pyc`: an sdist's sourceless bytecode is importable at install time (judged unreadable)."""
_KEEP_SUFFIX_SET = frozenset(_KEEP_SUFFIXES)
_KEEP_NAMES = frozenset(
    {
        "PKG-INFO",
        "METADATA",
        "WHEEL",
        "RECORD",
        "entry_points.txt",
        "setup.cfg",
        "pyproject.toml",
        "meson.build",  # build scripts whose commands run at install (metadata.py)
        "CMakeLists.txt",
    }
)


_NOT_RUNTIME_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "examples",
        "example",
        "benchmarks",
        "bench",
        "greentest",
    }
)


def is_runtime_code(path: str) -> bool:
    """False for tests, docs, examples and benchmarks: neither pip nor `import` runs them.

    A folder counts when its name, or a word of a name with spaces ('manual tests' in numpy's
    vendored meson), is one of those. Hyphens and underscores do not split words: a package
    folder `ttat-api-test` is still code (`importlib.import_module` loads any folder name).
    Only the import-time pass skips these; install-time code is followed wherever it lives."""
    parts = path.split("/")
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return False
    return not any(word in _NOT_RUNTIME_DIRS for part in parts[:-1] for word in part.split())


def wanted_member(name: str) -> bool:
    """Whether the scanner reads this archive member (for `unpack(select=...)`)."""
    base = _final_part(name)
    dot = base.rfind(".")
    if not 0 < dot < len(base) - 1:  # no suffix (PurePosixPath's rule: `.bashrc` has none)
        return True
    if base in _KEEP_NAMES or ".data/scripts/" in name:
        return True
    return base[dot:].lower() in _KEEP_SUFFIX_SET


def _final_part(name: str) -> str:
    """`PurePosixPath(name).name` without building a path (it is asked of every member): the
    last part that is neither empty nor `.`, or ""."""
    last = name.rpartition("/")[2]
    if last and last != ".":
        return last
    return next((part for part in reversed(name.split("/")) if part and part != "."), "")


def wanted_wheel_member(name: str) -> bool:
    """As `wanted_member` for a wheel, whose libraries are not read (only an sdist's binaries
    are judged): a 3 GB CUDA wheel is scanned from its Python files alone."""
    return wanted_member(name) and not name.lower().endswith((*_NATIVE_SUFFIXES, ".pyc"))


_SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", "node_modules", ".mypy_cache",
    ".pytest_cache", ".ruff_cache",
})
"""Tool and VCS folders met when scanning a checkout: never installed, never run by pip."""


def walk(root: str) -> Iterator[str]:
    """Relative POSIX paths of the regular files under `root`; symlinks are skipped, and so
    are VCS/tool caches and virtual environments (a folder holding `pyvenv.cfg`)."""
    stack = [""]
    while stack:
        relative = stack.pop()
        folder = os.path.join(root, relative)
        if relative and (os.path.basename(relative) in _SKIP_DIRS
                         or os.path.lexists(os.path.join(folder, "pyvenv.cfg"))):
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                child = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_symlink():
                    logger.debug("not following symlink %s", child)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(child)
                elif entry.is_file(follow_symlinks=False):
                    yield child


def read_bytes(root: str, relative: str, limit: int = MAX_READ) -> bytes:
    """At most `limit` + 1 bytes of a file, never through a symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(os.path.join(root, relative), flags)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(limit + 1)


class Tree(Protocol):
    """The files of one artifact, on disk or in memory."""

    def paths(self) -> list[str]:
        """Relative POSIX paths of the regular files, sorted."""
        ...

    def read(self, path: str, limit: int = MAX_READ) -> bytes:
        """At most `limit` + 1 bytes of one file."""
        ...


class DirTree:
    """An extracted artifact or a project directory (symlinks never followed)."""

    def __init__(self, root: str) -> None:
        self.root = root

    def paths(self) -> list[str]:
        return sorted(walk(self.root))

    def read(self, path: str, limit: int = MAX_READ) -> bytes:
        return read_bytes(self.root, path, limit)


class MemoryTree:
    """Members read by `artifacts.unpack.read_members` (same gate, no disk)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        venvs = {p.rsplit("/", 1)[0] + "/" for p in files if p.endswith("/pyvenv.cfg")}
        self.files = {
            path: data for path, data in files.items()
            if not any(part in _SKIP_DIRS for part in path.split("/")[:-1])
            and not any(path.startswith(venv) for venv in venvs)
        }

    def paths(self) -> list[str]:
        return sorted(self.files)

    def read(self, path: str, limit: int = MAX_READ) -> bytes:
        return self.files[path][: limit + 1]


@dataclass
class Layout:
    """The files of one artifact, sorted by when they run."""

    files: list[str]
    """Every regular file, relative to the artifact root."""
    project: str
    """Prefix of the project directory ('' or 'name-1.0/'), where setup.py lives."""
    wheel: bool
    """True for a wheel (a `*.dist-info/WHEEL` at the root)."""
    install_time: list[str] = field(default_factory=list)
    """Python files that run when pip builds or installs the artifact."""
    backend_path: list[str] = field(default_factory=list)
    """Directories of an in-tree build backend (PEP 517 `backend-path`)."""


def layout(files: list[str]) -> Layout:
    tops = {f.split("/", 1)[0] for f in files}
    nested = len(tops) == 1 and all("/" in f for f in files)
    project = f"{next(iter(tops))}/" if nested and files else ""
    wheel = any(f.endswith(".dist-info/WHEEL") and f.count("/") == 1 for f in files)
    return Layout(files=files, project=project, wheel=wheel)


START_MODULES = frozenset({"sitecustomize.py", "usercustomize.py"})
"""Modules `site` imports at every start of Python, like the `import` lines of a .pth file."""
_SITE_ROOT = re.compile(r"(?:[^/]+\.data/(?:purelib|platlib)/)?([^/]+)")


def site_root_name(path: str) -> str | None:
    """The file name when a wheel installs `path` at the top of site-packages, else None."""
    match = _SITE_ROOT.fullmatch(path)
    return match.group(1) if match else None


def own_modules(tree: Layout) -> frozenset[str]:
    """Top-level module names the artifact itself provides (packages and `.py` modules), at
    the root of a wheel (or its `*.data/purelib|platlib`) or of an sdist's project or `src`."""
    names: set[str] = set()
    for path in tree.files:
        parts = path.removeprefix(tree.project).split("/")
        if tree.wheel and len(parts) > 2 and parts[0].endswith(".data") and (
            parts[1] in ("purelib", "platlib")
        ):
            parts = parts[2:]
        elif not tree.wheel and parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        if not path.endswith((".py", ".pyw")) or parts[0].endswith((".dist-info", ".data")):
            continue
        top = parts[0].removesuffix(".pyw").removesuffix(".py")
        if top.isidentifier() and top != "setup" and top not in sys.stdlib_module_names:
            names.add(top)  # a module named like the standard library's is never "its own"
    return frozenset(names)


def backend_modules(pyproject: bytes, project: str, present: set[str]) -> tuple[list[str], str]:
    """(backend-path dirs, build-backend) of a pyproject.toml, as data (PEP 517)."""
    try:
        document = parse_toml(pyproject)
    except TomlError:
        return [], ""
    system = document.get("build-system", {})
    if not isinstance(system, dict):
        return [], ""
    paths = system.get("backend-path", [])
    backend = system.get("build-backend", "")
    if not isinstance(paths, list) or not isinstance(backend, str):
        return [], ""
    # normpath: backend-path = ["."] is the project folder itself, "./x/" is "x"
    dirs = [project + _relative(p) for p in paths if isinstance(p, str)]
    return [d.rstrip("/") for d in dirs], backend.split(":", 1)[0]


BUILD_COMMANDS = frozenset(
    {"build", "build_py", "build_ext", "build_clib", "build_scripts", "install", "install_lib",
     "install_scripts", "install_data", "install_headers", "install_egg_info", "egg_info",
     "bdist_wheel", "dist_info", "editable_wheel", "sdist", "develop"}
)
"""Commands pip's build of an sdist runs (through setuptools' build_meta)."""


def command_entry_points(pairs: list[tuple[str, str]]) -> list[str]:
    """Targets of `distutils.commands` entry points (name, target) named like a command the
    build runs: setuptools looks commands up by entry point, and with the project's folder on
    sys.path (setup.py builds) it finds the project's own egg-info once egg_info wrote it."""
    return [target for name, target in pairs if name.strip() in BUILD_COMMANDS]


def pyproject_command_entry_points(pyproject: bytes) -> list[tuple[str, str]]:
    try:
        document = parse_toml(pyproject)
    except TomlError:
        return []
    project = document.get("project", {})
    points = project.get("entry-points", {}) if isinstance(project, dict) else {}
    table = points.get("distutils.commands", {}) if isinstance(points, dict) else {}
    if not isinstance(table, dict):
        return []
    return [(k, v) for k, v in table.items() if isinstance(v, str)]


@dataclass(frozen=True)
class ConfigHooks:
    """Code of the tree that build configuration makes a backend run: modules it imports
    (`attr:` directives, version getters) and files it runs as hooks (hatch's and pdm's build
    hook files, poetry's build script), as project-relative paths or module names."""

    modules: tuple[str, ...] = ()
    """`module.attribute` read by `attr:` (setuptools imports the module only when the
    attribute is not a literal), or `module.` for a module always imported."""
    hook_files: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()
    """Script files installed into bin/ (setup.cfg `scripts`, tool.setuptools script-files)."""


def _table(document: object, *keys: str) -> dict[str, object]:
    for key in keys:
        document = document.get(key, {}) if isinstance(document, dict) else {}
    return document if isinstance(document, dict) else {}


def pyproject_hooks(pyproject: bytes) -> ConfigHooks:
    """What pyproject.toml makes the build import or run: `[tool.setuptools.dynamic]`
    `{attr = "mod.X"}` (setuptools imports `mod` when the value is not a literal), hatchling's
    custom build and metadata hooks (`hatch_build.py` unless `path` says) and a `code` version
    source, pdm-backend's `pdm_build.py` and `call` version getter, poetry's build script."""
    try:
        document = parse_toml(pyproject)
    except TomlError:
        return ConfigHooks()
    modules: list[str] = []
    hook_files: list[str] = []
    for value in _table(document, "tool", "setuptools", "dynamic").values():
        attr = value.get("attr") if isinstance(value, dict) else None
        if isinstance(attr, str):
            modules.append(attr)
    hatch = _table(document, "tool", "hatch")
    tables = [hatch.get(section) for section in ("build", "metadata")]
    tables += list(_table(hatch, "build", "targets").values())
    for table in tables:
        if _declared(table, "hooks", "custom"):
            path = _table(table, "hooks", "custom").get("path", "hatch_build.py")
            hook_files.append(path if isinstance(path, str) else "hatch_build.py")
    version = _table(hatch, "version")
    if version.get("source") == "code" and isinstance(version.get("path"), str):
        hook_files.append(str(version["path"]))
    backend = _table(document, "build-system").get("build-backend")
    if backend == "pdm.backend":
        custom = _table(document, "tool", "pdm", "build").get("custom-hook", "pdm_build.py")
        hook_files.append(custom if isinstance(custom, str) else "pdm_build.py")
    getter = _table(document, "tool", "pdm", "version")
    if getter.get("source") == "call" and isinstance(getter.get("getter"), str):
        modules.append(str(getter["getter"]).split(":", 1)[0] + ".")  # always imported
    build = _table(document, "tool", "poetry").get("build")
    script = build.get("script") if isinstance(build, dict) else build
    if isinstance(script, str):
        hook_files.append(script)
    files = _table(document, "tool", "setuptools").get("script-files", [])
    scripts = [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
    return ConfigHooks(tuple(m for m in modules if m), tuple(hook_files), tuple(scripts))


def _declared(document: object, *keys: str) -> bool:
    """Whether a (possibly empty) table exists: `[tool.hatch.build.hooks.custom]` alone
    enables the hook."""
    for key in keys:
        if not isinstance(document, dict) or key not in document:
            return False
        document = document[key]
    return True


def setup_cfg_hooks(sections: dict[str, dict[str, str]]) -> ConfigHooks:
    """setup.cfg's `attr:` directives (setuptools imports the module when the value is not a
    literal) and `[options] scripts` (installed into bin/)."""
    modules = [value.strip()[5:].strip()
               for options in sections.values() for value in options.values()
               if value.strip().startswith("attr:")]
    scripts = sections.get("options", {}).get("scripts", "").split()
    return ConfigHooks(tuple(m for m in modules if m), (), tuple(scripts))


def build_targets(pyproject: bytes) -> list[str]:
    """`module.Attr` targets a pyproject.toml gives setuptools to run at build:
    `[tool.setuptools.cmdclass]`. (The project's other build-time entry points, such as
    setuptools_scm's finalize_distribution_options, are not loaded while it builds itself.)"""
    try:
        document = parse_toml(pyproject)
    except TomlError:
        return []
    tool = document.get("tool", {})
    setuptools = tool.get("setuptools", {}) if isinstance(tool, dict) else {}
    cmdclass = setuptools.get("cmdclass", {}) if isinstance(setuptools, dict) else {}
    targets = list(cmdclass.values()) if isinstance(cmdclass, dict) else []
    return [t for t in targets if isinstance(t, str)]


def direct_build_requires(pyproject: bytes) -> list[str]:
    """`[build-system] requires` entries named by URL (`name @ https://...`): pip installs
    and runs them to build, from a server no index vets."""
    try:
        document = parse_toml(pyproject)
    except TomlError:
        return []
    system = document.get("build-system", {})
    requires = system.get("requires", []) if isinstance(system, dict) else []
    if not isinstance(requires, list):
        return []
    return [r for r in requires if isinstance(r, str) and "@" in r and "://" in r.split("@", 1)[1]]


def target_module(target: str) -> str:
    """The module of `pkg.mod:Attr` or `pkg.mod.Attr`."""
    if ":" in target:
        return target.split(":", 1)[0].strip()
    return target.strip().rpartition(".")[0]


def _relative(folder: str) -> str:
    normal = posixpath.normpath(folder.strip("/"))
    return "" if normal == "." else normal


def module_files(module: str, bases: list[str], present: set[str]) -> list[str]:
    """Files of the artifact that `import module` would load from `bases` (packages too)."""
    parts = [p for p in module.split(".") if p]
    found: list[str] = []
    for base in bases:
        prefix = f"{base}/" if base else ""
        for depth in range(1, len(parts) + 1):
            stem = prefix + "/".join(parts[:depth])
            for candidate in (f"{stem}/__init__.py", f"{stem}.py"):
                if candidate in present:
                    found.append(candidate)
            if f"{stem}.py" not in present and f"{stem}.pyc" in present:
                found.append(f"{stem}.pyc")  # sourceless bytecode imports like a module
    return found



def imported_module(path: str, tree: Layout, present: set[str]) -> bool:
    """Whether `path` is a module that `import` runs once the artifact is installed: in a
    wheel, any module under identifier folders; in an sdist, a module of a package (every
    folder up from it an identifier holding an `__init__.py`, under the project or `src/`),
    a top-level module of `src/`, or one named like the project. An sdist's other files
    (tools/, scripts/, a top-level bootstrap.py) are scripts whose top level runs only when
    someone runs them; `__main__.py` runs only with `python -m`."""
    if not path.endswith((".py", ".pyw")) or path.endswith("/__main__.py"):
        return False
    parts = path.removeprefix(tree.project).split("/")
    if tree.wheel and len(parts) > 2 and parts[0].endswith(".data"):
        if parts[1] not in ("purelib", "platlib"):
            return False
        parts = parts[2:]
    stem = parts[-1].removesuffix(".pyw").removesuffix(".py")
    folders = parts[:-1]
    base = tree.project
    if not tree.wheel and folders and folders[0] == "src":
        folders, base = folders[1:], f"{tree.project}src/"
        if not folders:
            return stem.isidentifier()
    if not all(part.isidentifier() for part in [*folders, stem]):
        return False
    if tree.wheel:
        return True
    if not folders:
        name = tree.project.rstrip("/").rsplit("-", 1)[0]
        return stem.lower() == name.lower().replace("-", "_")
    return all(
        f"{base}{'/'.join(folders[:depth])}/__init__.py" in present
        for depth in range(1, len(folders) + 1)
    )
