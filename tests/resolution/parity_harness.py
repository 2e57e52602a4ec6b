"""The machinery behind `test_pip_parity.py`: build a case's index, run pip, run safepip, compare.

See `test_pip_parity.py` for the case format. Nothing here asserts; the test module does.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.kit import archives
from tests.kit.archives import escape_name, make_sdist, make_wheel, metadata_text
from tests.kit.index_server import FileOptions, IndexServer
from tests.kit.isolation import clean_pip_environment

CASES_DIR = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES_DIR.glob("*.json"))
BACKEND_DIRS = (Path("/opt/pypi/files"),)
"""Where real build-backend wheels (flit_core, setuptools) are looked for on this machine."""
PIP_TIMEOUT = 180


# -- the case table --------------------------------------------------------------------------
def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text())
    case.setdefault("compare_with_pip", True)
    return case


# -- building the index ------------------------------------------------------------------------
def foreign_tag() -> str:
    return "py3-none-win_amd64" if sys.platform != "win32" else "py3-none-manylinux1_x86_64"


def split_build_tag(tag: str) -> tuple[str, str]:
    """`1-py3-none-any` -> ("1", "py3-none-any"); a tag without a build number -> ("", tag)."""
    head, sep, rest = tag.partition("-")
    return (head, rest) if sep and head[:1].isdigit() else ("", tag)


def placeholders() -> dict[str, str]:
    """`{platform}`: the best tag here; `{platform_tag}`: its platform part; `{foreign}`: a tag
    no interpreter here installs."""
    best = next(iter(sys_tags()))
    return {"{platform}": str(best), "{platform_tag}": best.platform, "{foreign}": foreign_tag()}


def resolve_tag(tag: str) -> str:
    build, rest = split_build_tag(tag)
    return f"{build}-{resolve_filename(rest)}" if build else resolve_filename(rest)


def find_backend(project: str) -> Path | None:
    """The newest real wheel of a build backend available on this machine, if any."""
    found = [p for d in BACKEND_DIRS if d.is_dir() for p in d.glob(f"{project}-*.whl")]
    return max(found, key=lambda p: parse_wheel_filename(p.name)[1]) if found else None


@dataclass
class BuiltIndex:
    """The files of one case's index."""

    files: list[Path] = field(default_factory=list)
    options: dict[str, FileOptions] = field(default_factory=dict)
    wheels: dict[tuple[str, str], Path] = field(default_factory=dict)
    """(normalized project, version) -> one wheel of it, for `installed`."""


def requires_dist(spec: Mapping[str, Any]) -> list[str]:
    lines = list(spec.get("requires_dist", []))
    for extra, reqs in spec.get("extras", {}).items():
        lines += [_with_extra_marker(req, extra) for req in reqs]
    return lines


def _with_extra_marker(req: str, extra: str) -> str:
    base, _, marker = req.partition(";")
    condition = f'extra == "{extra}"'
    return f"{base.strip()}; ({marker.strip()}) and {condition}" if marker else (
        f"{base.strip()}; {condition}")


def build_index(projects: Mapping[str, Any], out: Path) -> BuiltIndex:
    built = BuiltIndex()
    backends: set[str] = set()
    for project, versions in projects.items():
        for version, spec in versions.items():
            _build_version(built, out, project, version, spec or {})
            if spec and spec.get("sdist"):
                backends.add("flit_core" if spec["sdist"] in ("flit", "pkg-info") else "setuptools")
    for backend in sorted(backends):
        wheel = find_backend(backend)
        if wheel is None:
            pytest.skip(f"no {backend} wheel on this machine to build the case's sdists with")
        built.files.append(wheel)
    return built


def _build_version(built: BuiltIndex, out: Path, project: str, version: str,
                   spec: Mapping[str, Any]) -> None:
    options = FileOptions(
        yanked=spec.get("yanked"), requires_python=spec.get("file_requires_python"),
        upload_time=spec.get("upload_time"), metadata=spec.get("pep658"),
    )
    for tag in spec.get("wheels", ["py3-none-any"]):
        path = _wheel(out, project, version, spec, resolve_tag(tag))
        built.files.append(path)
        built.options[path.name] = options
        built.wheels.setdefault((canonicalize_name(project), version), path)
    if spec.get("sdist"):
        path = _sdist(out, project, version, spec)
        built.files.append(path)
        built.options[path.name] = options


def _wheel(out: Path, project: str, version: str, spec: Mapping[str, Any], tag: str) -> Path:
    build, plain_tag = split_build_tag(tag)
    path = make_wheel(
        out / "build" / tag, project, version, requires_dist=requires_dist(spec),
        requires_python=spec.get("requires_python"),
        provides_extra=list(spec.get("extras", {})), tag=plain_tag,
    )
    if not build:
        return path
    target = out / path.name.replace(f"-{plain_tag}.whl", f"-{build}-{plain_tag}.whl")
    return Path(shutil.copyfile(path, target))


def _sdist(out: Path, project: str, version: str, spec: Mapping[str, Any]) -> Path:
    kind = spec["sdist"]
    module = escape_name(project)
    pkg_info = metadata_text(
        project, version, metadata_version="2.2" if kind == "pkg-info" else "2.1",
        requires_dist=requires_dist(spec), requires_python=spec.get("requires_python"),
        provides_extra=list(spec.get("extras", {})),
    )
    sources: dict[str, str] = {}
    if kind == "setup.py":
        sources["setup_py"] = _setup_py(project, version, module, spec)
    elif kind == "setup.cfg":
        sources["setup_py"] = "from setuptools import setup\n\nsetup()\n"
        sources["setup_cfg"] = _setup_cfg(project, version, module, spec)
    else:
        sources["pyproject_toml"] = _pyproject(project, version, module, spec, kind)
    return make_sdist(out / "sdists", project, version, pkg_info=pkg_info,
                      files={f"{module}/__init__.py": '"""Fixture."""\n'}, **sources)


def _pyproject(project: str, version: str, module: str, spec: Mapping[str, Any],
               kind: str) -> str:
    if kind == "setuptools":
        system = ('requires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n')
        tool = f'[tool.setuptools]\npackages = ["{module}"]\n'
    else:
        system = 'requires = ["flit_core>=3.4,<5"]\nbuild-backend = "flit_core.buildapi"\n'
        tool = f'[tool.flit.module]\nname = "{module}"\n'
    lines = [f"[build-system]\n{system}", "[project]", f"name = {json.dumps(project)}",
             f"version = {json.dumps(version)}", 'description = "parity fixture"',
             f"dependencies = {json.dumps(spec.get('requires_dist', []))}"]
    if spec.get("requires_python"):
        lines.append(f"requires-python = {json.dumps(spec['requires_python'])}")
    if spec.get("extras"):
        lines.append("\n[project.optional-dependencies]")
        lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in spec["extras"].items()]
    return "\n".join(lines) + "\n\n" + tool


def _setup_cfg(project: str, version: str, module: str, spec: Mapping[str, Any]) -> str:
    lines = ["[metadata]", f"name = {project}", f"version = {version}", "", "[options]",
             f"packages = {module}", "install_requires ="]
    lines += [f"    {req}" for req in spec.get("requires_dist", [])]
    if spec.get("requires_python"):
        lines.append(f"python_requires = {spec['requires_python']}")
    if spec.get("extras"):
        lines += ["", "[options.extras_require]"]
        lines += [f"{extra} = {', '.join(reqs)}" for extra, reqs in spec["extras"].items()]
    return "\n".join(lines) + "\n"


def _setup_py(project: str, version: str, module: str, spec: Mapping[str, Any]) -> str:
    python = spec.get("requires_python")
    return (
        "from setuptools import setup\n\n"
        f"DEPS = {spec.get('requires_dist', [])!r}\n\n"
        f"setup(\n    name={project!r},\n    version={version!r},\n"
        f"    packages=[{module!r}],\n    install_requires=DEPS,\n"
        f"    extras_require={spec.get('extras', {})!r},\n"
        + (f"    python_requires={python!r},\n" if python else "")
        + ")\n"
    )


# -- running pip ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PipAnswer:
    """What `pip install --dry-run --report` said."""

    returncode: int
    report: dict[str, Any] | None
    stderr: str


@dataclass
class PreparedCase:
    """One case with its index served on loopback and pip's answer already in."""

    name: str
    case: dict[str, Any]
    server: IndexServer
    args: list[str]
    """pip arguments, `-c FILE` included."""
    python: str | None
    """The throwaway target venv's interpreter for `installed` cases."""
    pip: PipAnswer | None
    """None when the case is not compared with pip."""
    extra: IndexServer | None = None
    """The `--extra-index-url` server, for cases with an `extra_index`."""

    @property
    def ignore_installed(self) -> bool:
        return not self.case.get("installed")

    def label(self, url: str) -> str:
        """A file URL with the server's address replaced by `{index}` / `{extra}` (ports change
        from run to run; which index served the file must not)."""
        url = url.split("#", 1)[0]
        for server, name in ((self.server, "{index}"), (self.extra, "{extra}")):
            if server is not None and url.startswith(server.url + "/"):
                return name + url.removeprefix(server.url)
        return url

    def close(self) -> None:
        for server in (self.server, self.extra):
            if server is not None:
                server.close()


def prepare_case(path: Path, work: Path, known: PipAnswer | None = None) -> PreparedCase:
    """Build the index, serve it, make the target venv, run pip (unless its answer is `known`).

    The caller closes the server.
    """
    case = load_case(path)
    built = build_index(case["index"], work / "dists")
    extra = build_index(case["extra_index"], work / "extra") if "extra_index" in case else None
    python = None
    if case.get("installed"):
        wheels = [built.wheels[(canonicalize_name(n), v)] for n, v in case["installed"].items()]
        python = make_target_venv(work, wheels)
    args = list(case["args"])
    if case.get("constraints"):
        constraints = work / "constraints.txt"
        constraints.write_text("\n".join(case["constraints"]) + "\n")
        args += ["-c", str(constraints)]
    server = IndexServer(built.files, file_options=built.options, **case.get("server", {}))
    prepared = PreparedCase(path.stem, case, server, args, python, known)
    try:
        if extra is not None:
            prepared.extra = IndexServer(extra.files, file_options=extra.options)
            prepared.args += ["--extra-index-url", prepared.extra.index_url]
        if case["compare_with_pip"] and known is None:
            prepared.pip = run_pip(prepared, work)
    except BaseException:
        prepared.close()
        raise
    return prepared


def pip_answer_key(path: Path) -> str:
    """Everything pip's answer to a case depends on: the case, the fixture code, pip, Python,
    the platform and the backend wheels. Equal keys mean pip would answer the same again."""
    digest = hashlib.sha256()
    for source in (path, Path(__file__), Path(archives.__file__)):
        digest.update(source.read_bytes())
    backends = [str(find_backend(b)) for b in ("flit_core", "setuptools")]
    facts = [importlib.metadata.version("pip"), sys.version, resolve_tag("{platform}"), *backends]
    digest.update("\0".join(facts).encode())
    return digest.hexdigest()


def pip_environment(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return clean_pip_environment(os.environ, str(home))


def run_pip(prepared: PreparedCase, work: Path) -> PipAnswer:
    report = work / "pip-report.json"
    argv = [sys.executable, "-m", "pip"]
    argv += ["--python", prepared.python] if prepared.python else []
    argv += ["install", "--dry-run", "--quiet", "--report", str(report),
             "--index-url", prepared.server.index_url, "--no-cache-dir"]
    argv += ["--ignore-installed"] if prepared.ignore_installed else []
    completed = subprocess.run(
        [*argv, *prepared.args], env=pip_environment(work / "pip-home"), cwd=work,
        capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False,
    )
    data = json.loads(report.read_text()) if report.exists() else None
    for item in (data or {}).get("install", []):
        item["download_info"]["url"] = prepared.label(item["download_info"]["url"])
    return PipAnswer(completed.returncode, data, completed.stderr)


def make_target_venv(work: Path, wheels: list[Path]) -> str:
    """A throwaway venv (no pip in it) with `wheels` installed by real pip; returns its python."""
    root = work / "target-venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = str(root / "bin" / "python")
    # The venv runs this interpreter, so `--prefix` lands in its site-packages with one pip
    # process (`pip --python` would start a second one).
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
         "--no-cache-dir", "--no-warn-script-location", "--prefix", str(root),
         *map(str, wheels)],
        env=pip_environment(work / "pip-home"), check=True, capture_output=True,
        timeout=PIP_TIMEOUT,
    )
    return python


# -- running safepip ------------------------------------------------------------------------------
def safepip_request(prepared: PreparedCase) -> Any:
    """The InstallRequest safepip's own parser makes of the same pip arguments."""
    from safepip.pip.request import parse_install_args

    argv = [*prepared.args, "--index-url", prepared.server.index_url]
    argv += ["--python", prepared.python] if prepared.python else []
    argv += ["--ignore-installed"] if prepared.ignore_installed else []
    return parse_install_args(argv, environ={}, config_files=[])


def run_safepip(request: Any, work: Path) -> Any:
    """resolve_request over one session and client, as the pipeline wires them."""
    from safepip.index.client import IndexClient
    from safepip.index.http import HttpOptions, make_session
    from safepip.resolution.environment import probe_target
    from safepip.resolution.resolve import resolve_request

    session = make_session(HttpOptions(cache_dir=work / "safepip-cache"))
    try:
        client = IndexClient(session, request.index)
        environment = probe_target(request.target)
        (work / "safepip-work").mkdir(exist_ok=True)
        return resolve_request(request, client=client, session=session,
                               environment=environment, workdir=work / "safepip-work").resolution
    finally:
        session.close()


# -- comparing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """One tool's answer, in comparable form."""

    pins: dict[str, str]
    files: dict[str, str]
    """Name -> the chosen file's URL, server address replaced by `{index}` or `{extra}`."""
    requested: set[str]


def plan_from_pip(report: Mapping[str, Any]) -> Plan:
    pins, files, requested = {}, {}, set()
    for item in report["install"]:
        name = canonicalize_name(item["metadata"]["name"])
        pins[name] = item["metadata"]["version"]
        files[name] = item["download_info"]["url"]
        if item.get("requested"):
            requested.add(name)
    return Plan(pins, files, requested)


def plan_from_safepip(resolution: Any, prepared: PreparedCase) -> Plan:
    runtime = [p for p in resolution.packages if not p.build_dependency]
    return Plan({str(p.name): str(p.version) for p in runtime},
                {str(p.name): prepared.label(p.artifact.url) for p in runtime},
                {str(p.name) for p in runtime if p.requested})


def describe(plan: Plan) -> str:
    return ", ".join(f"{n}=={v} ({plan.files[n]})" for n, v in sorted(plan.pins.items())) or "-"


def resolve_filename(filename: str) -> str:
    for placeholder, value in placeholders().items():
        filename = filename.replace(placeholder, value)
    return filename


