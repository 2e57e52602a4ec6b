"""Real files from the robustness sweep (bench/real_files.py), read as `safepip audit` reads them.

Each directory under tests/data/real/ named here holds a file a public project committed (see
SOURCES.md). The tests assert the parsed requirement sets, with markers evaluated for Linux
CPython 3.11 and 3.13 targets, and pin the defects the sweep found: a Poetry or legacy flit
pyproject.toml refused although `pip install .` installs its dependencies, a Rye lock taken for a
package name, a pdm.lock whose dev group was left out, and an audit of inputs that select nothing
quietly turned into an audit of the environment.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from safepip.cli import main
from safepip.errors import InputError
from safepip.inputs import detect_format, input_file_format, read_lock, read_pyproject
from safepip.pip.request import InstallRequest, parse_install_args
from safepip.pip.requirement_line import RequirementLine
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

REAL = Path(__file__).resolve().parent.parent / "data" / "real"


def target(python: str) -> dict[str, str]:
    """Marker values of a Linux x86_64 CPython `python` target."""
    return {**default_environment(), "python_version": python,
            "python_full_version": f"{python}.0", "sys_platform": "linux",
            "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "extra": ""}


def specs(lines: list[RequirementLine]) -> list[str]:
    return [str(line.requirement) for line in lines]


def applying(requirements: list[Requirement], python: str) -> list[Requirement]:
    return [r for r in requirements if r.marker is None or r.marker.evaluate(target(python))]


def read_requirements(path: Path) -> InstallRequest:
    """`safepip audit FILE` hands a requirements file to pip's parser as `-r FILE`."""
    return parse_install_args(["-r", str(path)], environ={}, cwd=path.parent, config_files=[])


# --- Poetry and legacy flit projects: `pip install .` installs what the backend's table lists ---

def test_poetry_project_dependencies_extras_and_groups() -> None:
    path = REAL / "pyproject-poetry-textual" / "pyproject.toml"
    main_deps = read_pyproject(path)
    assert specs(main_deps) == ["markdown-it-py[linkify,plugins]>=2.1.0", "rich>=13.3.3",
                                "typing-extensions<5.0.0,>=4.4.0", "platformdirs<5,>=3.6.0"]
    assert [line.source.line for line in main_deps] == [48, 49, 51, 52]
    assert main_deps[2].text == 'typing-extensions = "^4.4.0"'

    syntax = read_pyproject(path, extras=["syntax"])[4:]
    assert len(syntax) == 16
    assert {str(r.marker) for line in syntax if (r := line.requirement)} == \
        {'python_version >= "3.9"'}
    assert str(syntax[-3].requirement) == 'tree-sitter-sql<0.3.8,>=0.3.0; python_version >= "3.9"'
    assert len(applying([line.requirement for line in syntax if line.requirement], "3.11")) == 16

    dev = read_pyproject(path, groups=["dev"], include_project=False)
    assert len(dev) == 20
    assert specs(dev)[:3] == ["anyio<5.0.0,>=4.5.2", "black==24.4.2", "griffe==0.32.3"]
    assert "mkdocstrings[python]<0.21.0,>=0.20.0" in specs(dev)


def test_poetry_python_constraints_become_markers() -> None:
    path = REAL / "pyproject-poetry-legacy" / "pyproject.toml"
    requirements = [line.requirement for line in read_pyproject(path) if line.requirement]
    assert len(requirements) == 15
    assert str(requirements[7]) == "cachecontrol[filecache]<0.13.0,>=0.12.4"
    assert str(requirements[12]) == \
        'typing<4.0,>=3.6; python_version == "2.7" or python_version == "3.4"'
    for python in ("3.11", "3.13"):  # typing, pathlib2 and virtualenv are for Python 2.7/3.4
        assert [r.name for r in applying(requirements, python)] == \
            [r.name for r in requirements[:12]]
    dev = read_pyproject(path, groups=["dev"], include_project=False)  # legacy dev-dependencies
    assert specs(dev)[7] == \
        'black<19.0,>=18.3a0; python_version >= "3.6" and python_version < "4.0"'
    assert len(dev) == 10


def test_legacy_flit_metadata() -> None:
    path = REAL / "pyproject-flit-legacy-fastapi" / "pyproject.toml"
    assert specs(read_pyproject(path)) == ["starlette<=0.10.1,>=0.9.11", "pydantic<=0.18.2,>=0.17"]
    assert specs(read_pyproject(path, extras=["dev"]))[2:] == ["pyjwt", "passlib[bcrypt]"]
    with pytest.raises(InputError, match="no extra 'docs'"):
        read_pyproject(path, extras=["docs"])


def test_poetry_dependencies_that_pep_508_cannot_say_are_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.poetry]\nname = "x"\nversion = "1"\n\n[tool.poetry.dependencies]\n'
                    'python = "^3.9"\nok = "^1.2"\nunion = ">=1,<2 || >=3"\nbad = "latest"\n')
    with pytest.raises(InputError) as caught:
        read_pyproject(path)
    message = caught.value.diagnostics()
    assert "union" in message and "no PEP 508 form" in message
    assert "bad" in message and "not a valid Poetry dependency" in message
    assert caught.value.line == 8


def test_a_project_without_dependencies_anywhere_says_which_backend_has_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[build-system]\nrequires = ["setuptools"]\n'
                    'build-backend = "setuptools.build_meta"\n')
    with pytest.raises(InputError, match=r"no \[project\] table.*setuptools\.build_meta"):
        read_pyproject(path)


# --- Rye's requirements-dev.lock is a requirements file ---

def test_rye_lock_is_read_as_requirements(tmp_path: Path) -> None:
    path = REAL / "rye-lock-openai" / "requirements-dev.lock"
    assert detect_format(path) == "requirements"
    assert input_file_format(str(path)) == "requirements"
    request = read_requirements(path)
    assert len(request.requirements) == 92
    first = request.requirements[0]
    assert first.editable and first.url == "file:." and first.source.line == 12
    pins = [line.requirement for line in request.requirements[1:]]
    assert all(r is not None and len(r.specifier) == 1 for r in pins)
    assert "pydantic==2.10.3" in {str(r) for r in pins}


# --- requirements files: markers on every line, index options with trailing comments ---

def test_one_pin_per_project_for_each_target() -> None:
    request = read_requirements(REAL / "requirements-markers-odoo" / "requirements.txt")
    requirements = [line.requirement for line in request.requirements if line.requirement]
    assert len(requirements) == 97
    chosen = {python: {canonicalize_name(r.name): str(r.specifier)
                       for r in applying(requirements, python)} for python in ("3.11", "3.13")}
    for python, pins in chosen.items():
        counts = Counter(canonicalize_name(r.name) for r in applying(requirements, python))
        assert max(counts.values()) == 1, python
        assert len(pins) == {"3.11": 43, "3.13": 44}[python]
    assert {k: chosen["3.11"][k] for k in ("babel", "lxml", "urllib3", "pypdf2", "gevent")} == \
        {"babel": "==2.10.3", "lxml": "==4.9.3", "urllib3": "==1.26.20", "pypdf2": "==2.12.1",
         "gevent": "==23.9.1"}
    assert {k: chosen["3.13"][k] for k in ("babel", "lxml", "urllib3", "pypdf", "gevent")} == \
        {"babel": "==2.17.0", "lxml": "==5.2.1", "urllib3": "==2.6.3", "pypdf": "==5.4.0",
         "gevent": "==24.11.1"}
    assert chosen["3.13"]["lxml-html-clean"] == "" and "lxml-html-clean" not in chosen["3.11"]


def test_index_options_with_trailing_comments_and_local_versions() -> None:
    cpu = read_requirements(REAL / "requirements-index-options-ray" / "dl-cpu-requirements.txt")
    assert cpu.index.extra_index_urls == ("https://download.pytorch.org/whl/cpu",)
    assert cpu.index.find_links == ("https://data.pyg.org/whl/torch-2.9.0+cpu.html",)
    assert len(cpu.requirements) == 21
    gpu = read_requirements(REAL / "requirements-index-options-ray" / "dl-gpu-requirements.txt")
    assert gpu.index.extra_index_urls == ("https://download.pytorch.org/whl/cu121",)
    assert gpu.index.find_links == ("https://data.pyg.org/whl/torch-2.3.0+cu121.html",
                                    "https://storage.googleapis.com/jax-releases/"
                                    "jax_cuda_releases.html")
    requirements = [line.requirement for line in gpu.requirements if line.requirement]
    assert "torch-scatter==2.1.2+pt23cu121" in {str(r) for r in requirements}
    assert [r.name for r in applying(requirements, "3.13")] == [
        "torch", "torchvision", "torch-scatter", "torch-sparse", "torch-cluster",
        "torch-spline-conv", "cupy-cuda12x", "nixl"]
    assert len(applying(requirements, "3.11")) == 12  # tensorflow-macos is for macOS


# --- pdm.lock: `pdm install` installs the dev groups too ---

def test_pdm_lock_takes_the_dev_groups_its_pyproject_declares(tmp_path: Path) -> None:
    directory = REAL / "pdm-lock-dev-groups"
    packages = read_lock(directory / "pdm.lock")
    assert len(packages) == 21  # coverage and coverage[toml] share one entry
    names = {p.name for p in packages}
    assert {"pytest", "pylint", "black", "pytest-watcher", "watchdog", "coverage"} <= names
    colorama = next(p for p in packages if p.name == "colorama")
    assert not colorama.applies_to(target("3.11"))
    assert [p.name for p in packages if not p.applies_to(target("3.13"))] == ["colorama"]
    alone = tmp_path / "pdm.lock"  # without the pyproject.toml, the lock cannot tell dev groups
    shutil.copy(directory / "pdm.lock", alone)
    assert read_lock(alone) == []
    assert len(read_lock(alone, groups=["dev"])) == 21


def test_inputs_that_select_nothing_are_not_swapped_for_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its dependencies are `[]` and its dev group is PDM's own table: nothing to audit. Before,
    # the audit went on to vet every package installed next to safepip (and here failed on the
    # unreachable index, exit 3).
    shutil.copy(REAL / "pdm-lock-dev-groups" / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "requirements.txt").write_text("# nothing pinned yet\n")
    monkeypatch.chdir(tmp_path)
    for inputs in (["pyproject.toml"], ["-r", "requirements.txt"]):
        code = main(["audit", *inputs, "--index-url", "http://127.0.0.1:9/simple",
                     "--format", "json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert '"packages": []' in out
        assert f"no packages to audit in {inputs[-1]}" in err


def test_early_pdm_lock_keeps_its_files_in_metadata() -> None:
    # lock_version 4.0 (PDM 2.0) lists files under `[metadata.files]` "name version"; every
    # package was refused with "no `files` are locked".
    packages = read_lock(REAL / "pdm-lock-4.0-metadata-files" / "pdm.lock")
    assert [(p.name, str(p.version)) for p in packages] == [
        ("certifi", "2021.10.8"), ("charset-normalizer", "2.0.7"), ("idna", "3.3"),
        ("requests", "2.26.0"), ("urllib3", "1.26.7")]
    requests = packages[3]
    assert sorted(f.filename for f in requests.files) == [
        "requests-2.26.0-py2.py3-none-any.whl", "requests-2.26.0.tar.gz"]
    assert {f.sha256 for f in requests.files} == {
        "6c1246513ecd5ecd4528a0906f910e8f0f9c6b8ec72030dc9fd154dc1a6efd24",
        "b8aa58f8cf793ffd8782d3d8cb19e66ef36f7aba4353eec859e74678b01b07a7"}
    assert all(p.vettable_from_index for p in packages)


def test_poetry_lock_from_before_poetry_1_is_refused_with_a_reason() -> None:
    path = REAL / "poetry-lock-pre-1.0" / "with-platform-dependencies.test"
    with pytest.raises(InputError) as caught:
        read_lock(path, "poetry.lock")
    assert "predates Poetry 1.0" in caught.value.diagnostics()
    assert "poetry lock" in caught.value.diagnostics()
    assert caught.value.line == 46


def test_a_pre_release_uv_lock_is_refused_not_read_as_empty() -> None:
    # `[[distribution]]` instead of `[[package]]`: it was read as a lock of no packages at all,
    # so an audit of it passed with nothing vetted.
    with pytest.raises(InputError) as caught:
        read_lock(REAL / "uv-lock-pre-release" / "uv.lock")
    assert "pre-release uv" in caught.value.diagnostics()
    assert caught.value.line == 4


def test_editable_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    # uv pip compile output run from the repository root; from anywhere else the sentence now
    # names the directory that is missing and says where paths are taken from.
    (tmp_path / "requirements").mkdir()
    shutil.copy(REAL / "requirements-editables-superset" / "development.txt",
                tmp_path / "requirements" / "development.txt")
    argv = ["-r", "requirements/development.txt"]
    with pytest.raises(InputError) as caught:
        parse_install_args(argv, environ={}, cwd=tmp_path, config_files=[])
    assert caught.value.line == 5
    assert f"There is no directory {tmp_path / 'superset-core'}" in caught.value.diagnostics()
    assert "relative to the working directory" in caught.value.diagnostics()
    for member in ("superset-core", "superset-extensions-cli"):
        (tmp_path / member).mkdir()
    request = parse_install_args(argv, environ={}, cwd=tmp_path, config_files=[])
    assert len(request.requirements) == 268
    assert [(line.url, line.source.line) for line in request.requirements[:3]] == [
        (tmp_path.as_uri(), 3), ((tmp_path / "superset-core").as_uri(), 5),
        ((tmp_path / "superset-extensions-cli").as_uri(), 9)]
    assert all(line.editable for line in request.requirements[:3])
    pins = request.requirements[3:]
    assert all(p.requirement and str(p.requirement.specifier).startswith("==") for p in pins)


def test_poetry_groups_of_a_pep_621_project(tmp_path: Path) -> None:
    # Poetry 2 projects list their dependencies in [project] and keep groups in Poetry's table.
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\nversion = "1"\ndependencies = ["rich>=13"]\n\n'
                    '[tool.poetry.group.test.dependencies]\npytest = "^8.0"\n'
                    'local = {path = "libs/local", develop = true}\n\n'
                    '[dependency-groups]\nlint = ["ruff"]\n')
    lines = read_pyproject(path, groups=["test", "lint"])
    assert specs(lines)[:2] == ["rich>=13", "pytest<9.0,>=8.0"]
    assert lines[2].url == (tmp_path / "libs" / "local").as_uri()
    assert specs(lines)[3] == "ruff"
    assert [line.source.line for line in lines] == [4, 7, 8, 11]
    with pytest.raises(InputError, match="docs"):
        read_pyproject(path, groups=["docs"])


def test_poetry_dependency_with_one_constraint_per_python() -> None:
    path = REAL / "pyproject-poetry-langchain-core" / "pyproject.toml"
    lines = read_pyproject(path)
    assert specs(lines) == [
        "langsmith<0.2.0,>=0.1.125", "tenacity!=8.4.0,<10.0.0,>=8.1.0", "jsonpatch<2.0,>=1.33",
        "PyYAML>=5.3", "packaging<25,>=23.2", "typing-extensions>=4.7",
        'pydantic<3.0.0,>=2.5.2; python_full_version < "3.12.4"',
        'pydantic<3.0.0,>=2.7.4; python_full_version >= "3.12.4"']
    assert [line.source.line for line in lines[-2:]] == [36, 36]  # `[[...pydantic]]` tables
    requirements = [line.requirement for line in lines if line.requirement]
    for python, floor in (("3.11", ">=2.5.2"), ("3.13", ">=2.7.4")):
        (pydantic,) = [r for r in applying(requirements, python) if r.name == "pydantic"]
        assert floor in str(pydantic.specifier)
    typing = read_pyproject(path, groups=["typing"], include_project=False)
    assert typing[-1].url == (REAL / "text-splitters").as_uri()
    assert typing[-1].source.line == 159
    assert len(read_pyproject(path, groups=["test"], include_project=False)) == 12


def test_audit_of_a_poetry_project_vets_what_pip_install_would(
    tmp_path: Path, index_server: Callable[..., IndexServer],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    dist = tmp_path / "dist"
    server = index_server([make_wheel(dist, "orchard", "1.4", requires_dist=["pear-lib"]),
                           make_wheel(dist, "orchard", "2.0"), make_wheel(dist, "pear-lib", "0.3"),
                           make_wheel(dist, "plum", "1.0")])
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "mine"\nversion = "0"\n\n[tool.poetry.dependencies]\n'
        'python = "^3.9"\norchard = "^1.2"\nplum = { version = "*", optional = true }\n\n'
        '[tool.poetry.extras]\nfruit = ["plum"]\n')
    monkeypatch.chdir(tmp_path)
    for extra, expected in (([], {"orchard": "1.4", "pear-lib": "0.3"}),
                            (["--extra", "fruit"], {"orchard": "1.4", "pear-lib": "0.3",
                                                    "plum": "1.0"})):
        code = main(["audit", "pyproject.toml", *extra, "--index-url", server.index_url,
                     "--format", "json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert {p["name"]: p["version"] for p in json.loads(out)["packages"]} == expected
