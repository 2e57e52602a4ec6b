"""Scan one unpacked artifact: install-time code in full, then the rest at lower severity."""

from __future__ import annotations

import ast
import configparser
import contextlib
import gc
import posixpath
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from safepip.artifacts.source import SourceDecodeError, decode_source
from safepip.artifacts.unpack import UnpackLimits, read_members
from safepip.checks.hooks import files, metadata
from safepip.checks.hooks.judge import is_source_file
from safepip.checks.hooks.prefilter import worth_parsing
from safepip.checks.hooks.python import Handed, Hit, PythonScan, RunFile, used_names
from safepip.checks.hooks.rules import RULES, lowered
from safepip.errors import ArchiveError
from safepip.findings import Finding, Location, Severity

_BUILD_MACHINERY = frozenset(
    {"setuptools", "distutils", "pkg_resources", "pip", "wheel", "_distutils_hack", "build"}
)
"""What setup.py imports to build: a local copy of it runs instead of the real one."""
_LOADED_AT_START = frozenset(
    {"sys", "builtins", "os", "io", "abc", "site", "codecs", "encodings", "stat", "posixpath",
     "ntpath", "genericpath", "marshal", "posix", "nt", "time", "zipimport", "_collections_abc",
     "_sitebuiltins", "_io", "_thread", "_warnings", "_weakref", "_signal", "_abc", "_stat",
     "_codecs", "_frozen_importlib", "_frozen_importlib_external", "_imp", "winreg"}
)
"""Modules the interpreter has loaded before the script's folder joins sys.path: a file
named like one of them is never imported in its place."""
_MAX_CLOSURE = 500
"""Install-time files followed through imports at most (setup.py importing its package)."""
_IMPORTED_ARCHIVE_LIMITS = UnpackLimits(
    max_total_bytes=64 << 20, max_members=5_000, max_member_bytes=files.MAX_READ
)
"""Bounds on an archive of the tree that install-time code imports modules from."""


class ArtifactScan:
    """All hook findings for one artifact: extracted at `root`, or a `files.Tree`."""

    def __init__(
        self, root: str | files.Tree, package: str, version: str | None, *, prefilter: bool = True
    ) -> None:
        self.tree: files.Tree = files.DirTree(root) if isinstance(root, str) else root
        self.package = package
        self.version = version
        self.prefilter = prefilter
        self.findings: list[Finding] = []
        self.layout = files.layout(self.tree.paths())
        self.present = set(self.layout.files)
        self.scripts: list[tuple[str, str, int | None]] = []
        self.install_sources: list[str] = []
        """Text of the install-time files (a binary they name is one the build may run)."""
        self.awake: frozenset[str] = frozenset()
        self._config_hooks: list[files.ConfigHooks] = []
        self._imported_by_config: list[str] = []
        self.handed: dict[str, list[Handed]] = {}
        """Literal texts install hooks give functions they do not define, by name."""
        self._members: dict[str, bytes] = {}
        """Python members of archives the install-time code imports from, by
        `archive/member` path: scanned as install-time code like the tree's own files."""
        """Names the install hooks use: functions of that name in modules they import run."""

    def run(self) -> list[Finding]:
        with _collector_paused():
            return self._run()

    def _run(self) -> list[Finding]:
        done = self._install_time()
        self._metadata()
        for path in self.layout.files:
            if path in done or not files.is_runtime_code(path):
                continue
            if path.endswith((".py", ".pyw")) or self._wheel_script(path):
                self._python(path, install_time=False)
        return self.findings

    def _wheel_script(self, path: str) -> bool:
        """A wheel's `*.data/scripts` file written in Python: pip copies it into `bin/` and
        never runs it, so it is run-time code like the modules it imports."""
        if not (self.layout.wheel and ".data/scripts/" in path):
            return False
        return not _is_script(path, self.tree.read(path, 127))

    def add(self, path: str, hit: Hit, *, install_time: bool = True) -> None:
        severity = hit.severity
        install_time = install_time and not hit.deferred
        when = "install time" if install_time else "import time"
        message = hit.message
        if not install_time:
            rule = RULES[hit.rule]
            drop = rule.import_time_drop if hit.import_drop is None else hit.import_drop
            if (hit.on_import and rule.run_drop is not None and rule.run_drop < drop
                    and files.imported_module(path, self.layout, self.present)):
                drop, message = rule.run_drop, f"{message}, in code that importing it runs"
            severity = lowered(severity, drop)
            if severity < Severity.LOW:
                return
        self.findings.append(
            Finding(
                rule=hit.rule,
                severity=severity,
                package=self.package,
                version=self.version,
                message=f"{PurePosixPath(path).name} {message} ({when}).",
                location=Location(path=path, line=hit.line),
                evidence=hit.evidence,
            )
        )

    def _install_time(self) -> set[str]:
        queue = self._seeds()
        seeds = set(queue)
        queue += [p for p in self._imported_by_config if p not in seeds]
        runs: set[str] = set()
        done: set[str] = set()
        bases = [self.layout.project.rstrip("/"), self.layout.project + "src"]
        bases += self.layout.backend_path
        while queue and len(done) < _MAX_CLOSURE:
            path = queue.pop()
            if path in done:
                continue
            done.add(path)
            if path.endswith(".pyc"):
                # Fail closed: bytecode without its source runs on import and cannot be read.
                self.add(path, Hit("hook/obfuscation", Severity.HIGH, None,
                                   "is compiled bytecode without its source, imported at "
                                   "install time, so what it runs cannot be read"))
                continue
            scan = self._python(path, install_time=True, entry=path in seeds or path in runs)
            if scan is None:
                continue
            for run in scan.run_files:
                found = self._run_file(run, path)
                queue.extend(found)
                runs.update(found)
            self.scripts.extend((name, path, line) for name, line in scan.console_scripts)
            bases += [f"{self.layout.project}{d}".rstrip("/") for d in scan.path_dirs]
            for module in sorted(scan.imports):
                found = self._module_files(module, path, bases)
                queue.extend(found)
                if path in seeds and found:
                    self._shadows_module(module, path, found[0])
        return done

    def _run_file(self, run: RunFile, runner: str) -> list[str]:
        """The files of the tree that install-time code runs by path (exec of a file's text,
        runpy.run_path, spec_from_file_location, zipimporter): they are install-time code
        whatever their suffix. A named file the scan cannot read fails closed."""
        relative = _tree_relative(run.path)
        if relative is None:
            return []  # outside the tree or computed: judged by the call's own rules
        folders = [self.layout.project.rstrip("/"), str(PurePosixPath(runner).parent)]
        candidates = [posixpath.normpath(posixpath.join(f, relative)) for f in folders]
        present = [c for c in candidates if c in self.present and not c.startswith("../")]
        if run.kind == "archive":
            return self._archive_modules(run, runner, present[0] if present else None)
        if present:
            return present[:1]
        if not is_source_file(relative):
            self.add(runner, Hit("hook/dynamic-exec", Severity.HIGH, run.line,
                                 f"runs {relative!r} as code, a file the scan could not read "
                                 "(not in the sdist, or not text)"))
        return []

    def _archive_modules(self, run: RunFile, runner: str, archive: str | None) -> list[str]:
        """The Python members of an archive of the tree that install-time code imports from
        (read through the same gate as any archive); unreadable, or only bytecode and native
        code, fails closed."""
        members: dict[str, bytes] = {}
        if archive is not None and isinstance(self.tree, files.DirTree):
            try:
                read = read_members(Path(self.tree.root, archive), select=_importable,
                                    limits=_IMPORTED_ARCHIVE_LIMITS, budget=64 << 20)
            except ArchiveError:
                read = None
            if read is not None and not read.refusals:
                members = read.files
        found = [f"{archive}/{name}" for name in sorted(members) if name.endswith(".py")]
        if not found:
            self.add(runner, Hit("hook/dynamic-exec", Severity.HIGH, run.line,
                                 f"imports code from the archive {run.path!r}, which holds no "
                                 "Python source the scan could read"))
            return []
        for name in found:
            self._members[name] = members[name.removeprefix(f"{archive}/")]
        self.present.update(found)
        return found

    def _shadows_module(self, module: str, importer: str, loaded: str) -> None:
        """A file of the sdist named like setuptools or a standard-library module, imported
        by setup.py: the script's folder comes first on sys.path, so the build runs it
        instead of the real one."""
        top = module.split(".", 1)[0]
        if not top or canonicalize_name(top) == canonicalize_name(self.package):
            return
        if canonicalize_name(self.package) in _BUILD_MACHINERY:
            return  # setuptools builds itself with its own pkg_resources and _distutils_hack
        root = self.layout.project
        if loaded not in {f"{root}{top}.py", f"{root}{top}/__init__.py"}:
            return
        severity = _shadow_severity(top)
        if severity is None:
            return
        self.add(importer, Hit("hook/obfuscation", severity, None,
                               f"imports {top!r}, which a file of the sdist shadows ({loaded})"))

    def _shadows_of_build_imports(self) -> list[str]:
        """Top-level files named like a module the build imports after setup.py's folder is on
        sys.path (setuptools itself, or the standard library it loads): they run in its place
        even when setup.py never names them."""
        root = self.layout.project
        if canonicalize_name(self.package) in _BUILD_MACHINERY:
            return []  # setuptools' own sdist ships pkg_resources and _distutils_hack
        found: list[str] = []
        for path in sorted(self.present):
            rest = path[len(root):] if path.startswith(root) else ""
            top = rest.removesuffix("/__init__.py").removesuffix(".py")
            if "/" in top or not top or top == rest or top in _LOADED_AT_START:
                continue
            if canonicalize_name(top) == canonicalize_name(self.package):
                continue
            severity = _shadow_severity(top)
            if severity is None:
                continue
            found.append(path)
            self.add(path, Hit("hook/obfuscation", severity, None,
                               f"is named like {top!r}, which the build imports: this copy "
                               "runs instead"))
        return found

    def _module_files(self, module: str, importer: str, bases: list[str]) -> list[str]:
        """Files `import module` loads; a relative module (`.x`, `..y`) from the importing
        file's own package."""
        if not module.startswith("."):
            return files.module_files(module, bases, self.present)
        level = len(module) - len(module.lstrip("."))
        folder = str(PurePosixPath(importer).parent)
        for _ in range(level - 1):
            folder = str(PurePosixPath(folder).parent)
        return files.module_files(module.lstrip("."), [folder], self.present)

    def _seeds(self) -> list[str]:
        project = self.layout.project
        seeds = [p for p in (f"{project}setup.py",) if p in self.present]
        seeds += self._setup_cfg_commands()
        if seeds:
            seeds += self._shadows_of_build_imports()
        seeds += self._startup_seeds()
        seeds += self._configured_hooks()
        self._imported_by_config = self._configured_imports()
        pyproject = f"{project}pyproject.toml"
        if pyproject in self.present:
            for url in files.direct_build_requires(self.tree.read(pyproject)):
                self.add(pyproject, Hit(
                    "hook/download-exec", Severity.HIGH, None,
                    f"installs the build requirement {url!r} from a URL: code nobody vetted "
                    "runs at install"))
            dirs, backend = files.backend_modules(
                self.tree.read(pyproject), project, self.present
            )
            if dirs:
                self.layout.backend_path = dirs
                seeds += files.module_files(backend, dirs, self.present)
                self.add(
                    pyproject,
                    Hit(
                        "hook/custom-backend",
                        Severity.LOW,
                        None,
                        f"builds with the in-tree backend {backend!r} from "
                        f"{', '.join(dirs)}; that code runs on install",
                    ),
                )
        return seeds

    def _configured_hooks(self) -> list[str]:
        """Code build configuration makes the backend run (files.ConfigHooks): hook files
        and the modules `attr:` directives and version getters import are install-time
        code; scripts it installs into bin/ are judged by name like console scripts."""
        if self.layout.wheel:
            return []
        project = self.layout.project
        hooks: list[files.ConfigHooks] = []
        pyproject, cfg = f"{project}pyproject.toml", f"{project}setup.cfg"
        if pyproject in self.present:
            hooks.append(files.pyproject_hooks(self.tree.read(pyproject)))
        if cfg in self.present:
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(self.tree.read(cfg).decode("utf-8", "replace"))
                hooks.append(files.setup_cfg_hooks(
                    {name: dict(parser.items(name)) for name in parser.sections()}))
            except configparser.Error:
                pass  # setuptools would refuse it too
        self._config_hooks = hooks
        found: list[str] = []
        for hook in hooks:
            for relative in hook.hook_files:
                path = posixpath.normpath(project + relative.lstrip("/"))
                if path in self.present:
                    found.append(path)
                elif not is_source_file(relative) or ".." in relative.split("/"):
                    self.add(pyproject, Hit("hook/dynamic-exec", Severity.HIGH, None,
                                        f"names {relative!r} as build code, a file the scan "
                                        "could not read"))
            self.scripts += [(PurePosixPath(s).name, cfg if cfg in self.present else pyproject,
                              None) for s in hook.scripts]
        return found

    def _configured_imports(self) -> list[str]:
        """Modules build configuration makes setuptools import (`attr:` of a value that is not
        a literal, a version getter): their top level runs at install, like a module setup.py
        imports (not every function they define)."""
        bases = [self.layout.project.rstrip("/"), self.layout.project + "src"]
        found: list[str] = []
        for hook in self._config_hooks:
            for dotted in hook.modules:
                module, _, attr = dotted.rpartition(".")
                paths = files.module_files(module, bases, self.present)
                if paths and attr and self._literal_attribute(paths[-1], attr):
                    continue  # setuptools reads a literal without importing
                found += paths
        return found

    def _literal_attribute(self, path: str, attr: str) -> bool:
        try:
            tree = ast.parse(decode_source(self.tree.read(path)))
        except (*SourceDecodeError, ValueError, RecursionError, MemoryError):
            return False
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == attr for t in targets):
                try:
                    ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    return False
                return True
        return False

    def _startup_seeds(self) -> list[str]:
        """Code a wheel makes Python run at every start: modules its top-level `.pth` lines
        import, and a top-level `sitecustomize.py`/`usercustomize.py`. It runs as surely as
        a setup.py does, so it is judged as install-time code, not as a library's."""
        if not self.layout.wheel:
            return []
        seeds: list[str] = []
        for path in self.layout.files:
            name = files.site_root_name(path)
            if name in files.START_MODULES:
                seeds.append(path)
                self.add(path, Hit("hook/persistence", Severity.HIGH, None,
                                   f"is installed as {name}, which Python runs at every start"))
            elif name is not None and name.endswith(".pth"):
                text = self.tree.read(path).decode("utf-8", "replace")
                for module in _pth_imports(text):
                    seeds += self._module_files(module, path, [""])
        return seeds

    def _setup_cfg_commands(self) -> list[str]:
        """Modules holding the command classes setup.cfg names (`[options] cmdclass =
        install = pkg.build.Install`) or pyproject.toml does (`[tool.setuptools.cmdclass]`),
        and `distutils.commands` entry points named like a command the build runs:
        setuptools imports and runs them at install."""
        targets: list[str] = []
        commands: list[tuple[str, str]] = []
        path = f"{self.layout.project}setup.cfg"
        if path in self.present:
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(self.tree.read(path).decode("utf-8", "replace"))
                values = [parser.get("options", "cmdclass", fallback="")]
                points = parser.get("options.entry_points", "distutils.commands", fallback="")
            except configparser.Error:
                values, points = [], ""  # setuptools would refuse it too; setup.py is scanned
            targets += [line.partition("=")[2] for value in values for line in value.splitlines()]
            commands += [(n, t) for n, _, t in (x.partition("=") for x in points.splitlines())]
        pyproject = f"{self.layout.project}pyproject.toml"
        if pyproject in self.present:
            data = self.tree.read(pyproject)
            targets += files.build_targets(data)
            commands += files.pyproject_command_entry_points(data)
        if canonicalize_name(self.package) not in _BUILD_MACHINERY:
            # setuptools and wheel declare their own commands: their sdists are not hooks
            targets += files.command_entry_points(commands)
        bases = [self.layout.project.rstrip("/"), self.layout.project + "src"]
        found: list[str] = []
        for target in targets:
            module = files.target_module(target)
            if module:
                found += files.module_files(module, bases, self.present)
        return found

    def _python(
        self, path: str, *, install_time: bool, entry: bool = True
    ) -> PythonScan | None:
        data = self._members[path] if path in self._members else self.tree.read(path)
        if not install_time and (len(data) > files.MAX_READ or b"\x00" in data):
            return None
        entry = entry or not install_time
        try:
            if len(data) > files.MAX_READ:
                raise ValueError("too large to parse")
            text = decode_source(data)  # as the interpreter and setuptools decode it
            if not install_time and self.prefilter and not worth_parsing(data, text):
                return None
            tree = ast.parse(text, filename=path)
            # Inside the try: nesting that parses (`f()()()...`) can still be deeper than the
            # analysis recurses, and that is a finding like a parse failure, not a crash.
            scan = PythonScan(text, tree, entry=entry, awake=self.awake,
                              handed=self.handed if install_time else None,
                              collect=entry and install_time)
        except (*SourceDecodeError, ValueError, RecursionError, MemoryError) as error:
            if install_time and not _is_script(path, data):
                # Fail closed: install-time code that cannot be read cannot be vetted.
                self.add(
                    path,
                    Hit(
                        "hook/unparsable",
                        Severity.HIGH,
                        None,
                        f"could not be analysed ({type(error).__name__}), so what it runs on "
                        "install is unknown",
                    ),
                )
            return None
        if install_time:
            self.install_sources.append(text)
        if entry and install_time:
            self.awake |= used_names(tree)
            for callee, given in scan.handed.items():
                self.handed.setdefault(callee, []).extend(given)
        for hit in scan.hits:
            self.add(path, hit, install_time=install_time)
        return scan

    def _metadata(self) -> None:
        for path in self.layout.files:
            name = PurePosixPath(path).name
            if name.endswith(".pth"):
                text = self.tree.read(path).decode("utf-8", "replace")
                for hit in metadata.pth_hits(text, files.own_modules(self.layout)):
                    self.add(path, hit)
            elif (name == "entry_points.txt" and path.count("/") == 1) or (
                name == "setup.cfg" and path == f"{self.layout.project}setup.cfg"
            ):
                data = self.tree.read(path)
                self.scripts.extend(
                    (s, path, None) for s in metadata.scripts_from_entry_points(data)
                )
            elif path == f"{self.layout.project}pyproject.toml":
                data = self.tree.read(path)
                self.scripts.extend((s, path, None) for s in metadata.scripts_from_pyproject(data))
            elif ".data/scripts/" in path:
                self.scripts.append((name, path, None))
            elif not self.layout.wheel and (
                name in metadata.BUILD_SCRIPTS or name.endswith(metadata.BUILD_SCRIPT_SUFFIXES)
            ):
                text = self.tree.read(path).decode("utf-8", "replace")
                for hit in metadata.build_script_hits(text):
                    self.add(path, hit)
            elif not self.layout.wheel and files.wanted_member(path):
                self._native(path, name)
        self._shadowing()

    def _native(self, path: str, name: str) -> None:
        kind = metadata.native_kind(self.tree.read(path, 1023), name)
        if kind is None:
            return
        # Inside a package and named by no install-time code, a binary is package data (as in
        # any wheel: setuptools' Windows launchers); next to the build, or named by it, the
        # build may run it.
        folder = path.rpartition("/")[0]
        package_data = (
            folder + "/" != self.layout.project
            and f"{folder}/__init__.py" in self.present
            and not any(name in source for source in self.install_sources)
        )
        where = "as package data" if package_data else "where the build can run it"
        self.add(
            path,
            Hit(
                "hook/native-binary",
                Severity.LOW if package_data else Severity.MEDIUM,
                None,
                f"is a prebuilt {kind} executable shipped in the sdist {where}",
            ),
        )

    def _shadowing(self) -> None:
        for script, path, line in self.scripts:
            if metadata.shadows(script, self.package):
                self.add(
                    path,
                    Hit(
                        "hook/console-script-shadow",
                        Severity.HIGH,
                        line,
                        f"installs a command named {script!r}, like the system's",
                        script,
                    ),
                )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an artifact is analysed.

    A syntax tree is tens of thousands of container objects made at once and freed at once
    (by reference counts: neither the tree nor the analysis makes cycles), so the collections
    its growth triggers only walk live objects again and again: a quarter of the parse's CPU.
    Whatever cyclic garbage the scan leaves is collected as soon as the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pth_imports(text: str) -> list[str]:
    """Modules the `import` lines of a .pth file import (plain and `__import__('name')`)."""
    modules: list[str] = []
    for line in text.splitlines():
        if not line.startswith(("import ", "import\t")):
            continue
        try:
            tree = ast.parse(line)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # judged (and rated) by metadata.pth_hits
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.append(node.module)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id == "__import__" and node.args
                  and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)):
                modules.append(node.args[0].value)
    return modules


def _is_script(path: str, data: bytes) -> bool:
    """A *.data/scripts file that is not Python (a shell script, a binary) is not parsed."""
    return (".data/scripts/" in path and not data.startswith(b"#!")) or (
        ".data/scripts/" in path and b"python" not in data[:128]
    )


def _tree_relative(path: str) -> str | None:
    """A folded path relative to the tree (`?/` roots, such as the setup script's folder
    from `__file__`, dropped), or None when it is absolute, in a home, or partly unknown."""
    parts = path.strip().strip("'\"").split("/")
    while parts and parts[0] in {"?", "."}:
        parts = parts[1:]
    relative = "/".join(parts)
    if not relative or "?" in relative or relative.startswith(("~", "$", "%")):
        return None
    if path.startswith("/") and parts == path.strip().split("/"):
        return None
    return relative


def _importable(name: str) -> bool:
    return name.endswith((".py", ".pyc", ".so", ".pyd"))


def _shadow_severity(top: str) -> Severity | None:
    """How bad a local copy of module `top` is: the build machinery runs it for sure (high); a
    standard module may (medium; old backport sdists ship such names); others are not shadows."""
    if top in _BUILD_MACHINERY:
        return Severity.HIGH
    if top in sys.stdlib_module_names:
        return Severity.MEDIUM
    return None
