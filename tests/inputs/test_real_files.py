"""Real lock and requirement files written by public projects and tools (tests/data/real/).

Each file is audited against one loopback index that serves a generated stand-in for every file
the lock names (same file name, so the same project and version); where the file pins sha256
hashes, a temporary copy has them rewritten to the stand-ins' hashes. The tests assert the exact
plan (names and versions) for Python 3.11 and 3.13 targets, so every marker in the file counts.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from packaging.utils import parse_sdist_filename, parse_wheel_filename

from safepip.cli import main
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
_LOCKED_FILE = re.compile(r'[/"]([A-Za-z0-9_.+!%-]+-[0-9][A-Za-z0-9_.+!%-]*\.(?:whl|tar\.gz|zip))"')
"""A locked file name, possibly URL-quoted (`torch-1.10.2%2Bcpu-...whl`)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
UNPINNED_VERSION = "9999.0"
"""Stand-ins for requirements a file does not pin all get this version."""


def stand_in(directory: Path, filename: str) -> Path:
    """A generated wheel or sdist with exactly this file name (and so its project and version)."""
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
        tag = "-".join(filename[: -len(".whl")].split("-")[-3:])
        made = make_wheel(directory / "tmp", name, str(version), tag=tag)
    else:
        name, version = parse_sdist_filename(filename)
        literal = filename.rsplit("-", 1)[0]
        made = make_sdist(directory / "tmp", literal, str(version),
                          fmt="zip" if filename.endswith(".zip") else "tar.gz")
    target = directory / filename
    shutil.move(made, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locked_filenames(path: Path) -> set[str]:
    return {unquote(f) for f in _LOCKED_FILE.findall(path.read_text(encoding="utf-8"))}


def rehashed_copy(source: Path, target_dir: Path, hashes: dict[str, str]) -> Path:
    """The lock with each file's sha256 replaced by its stand-in's (entries are one line each)."""
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines(keepends=True):
        named = [unquote(f) for f in _LOCKED_FILE.findall(line) if unquote(f) in hashes]
        if named:
            line = _SHA256.sub(hashes[named[0]], line, count=1)
        lines.append(line)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    target.write_text("".join(lines), encoding="utf-8")
    return target


def rehashed_requirements(source: Path, target: Path, hashes: dict[str, str]) -> Path:
    """A hash-pinned requirements file whose first `--hash` of each pin is its stand-in's."""
    out, current = [], None
    for line in source.read_text(encoding="utf-8").splitlines(keepends=True):
        pin = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line)
        if pin:
            current = f"{pin.group(1)}=={pin.group(2)}"
        elif current is not None and "--hash=sha256:" in line:
            line = _SHA256.sub(hashes[current], line, count=1)
            current = None
        out.append(line)
    target.write_text("".join(out), encoding="utf-8")
    return target


LOCKS = {
    "uv-pylock-grumpyfuk/pylock.toml",
    "pdm-pylock-h11/pylock.toml",
    "uv-lock-fastapi-example/uv.lock",
    "poetry-lock-rdf2geojson/poetry.lock",
    "poetry-lock-legacy-semantic-background/poetry.lock",
    "pdm-lock-dep-logic/pdm.lock",
    "uv-lock-conflicts-voice-cloning/uv.lock",
}
PINNED_REQUIREMENTS = {
    "piptools-cryptography/build-requirements.txt",
    "uv-pip-cryptography/uv-requirements.txt",
}
UNPINNED_NAMES = [
    # flask requirements/*.in (nested -r)
    "pallets-sphinx-themes", "sphinx", "sphinx-issues", "sphinxcontrib-log-cabinet", "sphinx-tabs",
    "sphinx-immaterial", "pytest", "asgiref", "blinker", "greenlet", "python-dotenv",
    "mypy", "types-contextvars", "types-dataclasses", "types-setuptools", "cryptography",
    "pip-compile-multi", "pre-commit", "tox",
    # flask and stamina pyproject.toml
    "click", "importlib-metadata", "itsdangerous", "jinja2", "markupsafe", "werkzeug",
    "gha-update", "tenacity", "typing-extensions", "anyio", "dirty-equals", "nox", "tomli",
    "structlog", "prometheus-client", "trio", "uv",
]
CONSTRAINED = {"build": "1.5.0", "virtualenv": "21.3.3"}


class Served:
    """The module's index and the rewritten copies of the hash-pinned files."""

    def __init__(self, root: Path) -> None:
        dist, hashes = root / "dist", {}
        for lock in sorted(LOCKS):
            for filename in sorted(locked_filenames(REAL / lock)):
                if filename not in hashes:
                    hashes[filename] = sha256(stand_in(dist, filename))
        pins: dict[str, str] = {}
        for requirements in sorted(PINNED_REQUIREMENTS):
            for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)",
                                            (REAL / requirements).read_text(), flags=re.M):
                wheel = make_wheel(dist, name, version)
                pins[f"{name}=={version}"] = sha256(wheel)
        for name in UNPINNED_NAMES:
            make_wheel(dist, name, UNPINNED_VERSION)
        for name, version in CONSTRAINED.items():
            make_wheel(dist, name, version)
            make_wheel(dist, name, "10000.0")  # what an unconstrained resolution would take
        shutil.rmtree(dist / "tmp", ignore_errors=True)
        self.hashes = hashes
        self.server = IndexServer(sorted(p for p in dist.iterdir() if p.is_file()))
        self.files: dict[str, Path] = {}
        for lock in LOCKS:
            self.files[lock] = rehashed_copy(REAL / lock, root / "locks" / lock.split("/")[0],
                                             hashes)
        for requirements in PINNED_REQUIREMENTS:
            target = root / "reqs" / requirements.replace("/", "-")
            target.parent.mkdir(parents=True, exist_ok=True)
            self.files[requirements] = rehashed_requirements(REAL / requirements, target, pins)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    state = Served(tmp_path_factory.mktemp("real"))
    yield state
    state.server.close()


def audit(
    served: Served, capsys: pytest.CaptureFixture[str], python: str, *args: str,
) -> tuple[int, set[tuple[str, str]], list[dict[str, str]]]:
    # pip's grammar: a foreign --python-version needs --no-deps (or binary only); the stand-ins
    # have no dependencies, so the plan is the same, and locks are never re-resolved anyway.
    code = main(["audit", *args, "--index-url", served.server.index_url,
                 "--python-version", python, "--no-deps", "--format", "json"])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    report = json.loads(captured.out)
    plan = {(p["name"], p["version"]) for p in report["packages"]}
    return code, plan, report["findings"]


def high_or_worse(findings: list[dict[str, str]]) -> list[dict[str, str]]:
    return [f for f in findings if f["severity"] in ("high", "critical")]


GRUMPYFUK = {
    ("asgiref", "3.11.1"), ("boto3", "1.42.61"), ("botocore", "1.42.61"), ("brotli", "1.2.0"),
    ("django", "6.0.3"), ("django-storages", "1.14.6"), ("jmespath", "1.1.0"),
    ("markdown", "3.10.2"), ("pillow", "12.1.1"), ("python-dateutil", "2.9.0.post0"),
    ("python-dotenv", "1.2.2"), ("s3transfer", "0.16.0"), ("six", "1.17.0"),
    ("sqlparse", "0.5.5"), ("urllib3", "2.6.3"), ("whitenoise", "6.12.0"),
}


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_pylock_written_by_uv(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    code, plan, findings = audit(served, capsys, python,
                                 str(served.files["uv-pylock-grumpyfuk/pylock.toml"]))
    assert plan == GRUMPYFUK
    assert code == 0 and high_or_worse(findings) == []


H11_DEV = {
    ("pytest", "8.4.2"), ("pytest-cov", "7.0.0"), ("ruff", "0.14.2"), ("tox", "4.32.0"),
    ("pyrefly", "0.39.2"), ("pluggy", "1.6.0"), ("colorama", "0.4.6"), ("packaging", "25.0"),
    ("cachetools", "6.2.1"), ("chardet", "5.2.0"), ("coverage", "7.11.0"),
    ("filelock", "3.20.0"), ("iniconfig", "2.3.0"), ("platformdirs", "4.5.0"),
    ("pygments", "2.19.2"), ("pyproject-api", "1.10.0"), ("virtualenv", "20.35.3"),
    ("distlib", "0.4.0"),
}


@pytest.mark.parametrize(
    ("python", "groups", "expected"),
    [
        # default-groups = ["default"]: only typing-extensions, and only below 3.12.
        ("3.11", [], {("typing-extensions", "4.15.0")}),
        ("3.13", [], set()),
        ("3.11", ["--group", "dev"], H11_DEV | {("typing-extensions", "4.15.0")}),
        ("3.13", ["--group", "dev"], H11_DEV),  # tomli, exceptiongroup: below 3.11 only
    ],
)
def test_pylock_written_by_pdm_selects_dependency_groups(
    served: Served, capsys: pytest.CaptureFixture[str], python: str, groups: list[str],
    expected: set[tuple[str, str]],
) -> None:
    """Was: UndefinedEnvironmentName 'dependency_groups', exit 3 (PEP 751 markers)."""
    code, plan, findings = audit(served, capsys, python,
                                 str(served.files["pdm-pylock-h11/pylock.toml"]), *groups)
    assert plan == expected
    assert code == 0 and high_or_worse(findings) == []


FASTAPI_EXAMPLE = {
    ("annotated-types", "0.7.0"), ("anyio", "4.4.0"), ("certifi", "2024.7.4"),
    ("click", "8.1.7"), ("dnspython", "2.6.1"), ("email-validator", "2.2.0"),
    ("fastapi", "0.112.1"), ("fastapi-cli", "0.0.5"), ("h11", "0.14.0"),
    ("httpcore", "1.0.5"), ("httptools", "0.6.1"), ("httpx", "0.27.0"), ("idna", "3.7"),
    ("jinja2", "3.1.4"), ("markdown-it-py", "3.0.0"), ("markupsafe", "2.1.5"),
    ("mdurl", "0.1.2"), ("pydantic", "2.8.2"), ("pydantic-core", "2.20.1"),
    ("pygments", "2.18.0"), ("python-dotenv", "1.0.1"), ("python-multipart", "0.0.9"),
    ("pyyaml", "6.0.2"), ("rich", "13.7.1"), ("shellingham", "1.5.4"), ("sniffio", "1.3.1"),
    ("starlette", "0.38.2"), ("typer", "0.12.4"), ("typing-extensions", "4.12.2"),
    ("uvicorn", "0.30.6"), ("uvloop", "0.20.0"), ("watchfiles", "0.23.0"),
    ("websockets", "13.0"),
}


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_uv_lock_installs_what_the_project_reaches(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    """fastapi[standard] -> uvicorn[standard] -> uvloop (not on Windows); colorama only there."""
    code, plan, findings = audit(served, capsys, python,
                                 str(served.files["uv-lock-fastapi-example/uv.lock"]))
    assert plan == FASTAPI_EXAMPLE
    assert code == 0 and high_or_worse(findings) == []


RDF2GEOJSON = {
    ("black", "24.10.0"), ("click", "8.2.1"), ("geojson", "3.2.0"), ("html5lib", "1.1"),
    ("iniconfig", "2.1.0"), ("mypy-extensions", "1.1.0"), ("owlrl", "6.0.2"),
    ("packaging", "25.0"), ("pathspec", "0.12.1"), ("platformdirs", "4.3.8"),
    ("pluggy", "1.6.0"), ("prettytable", "3.16.0"), ("pygments", "2.19.2"),
    ("pyparsing", "3.2.3"), ("pyshacl", "0.26.0"), ("pytest", "8.4.1"), ("rdflib", "7.1.4"),
    ("six", "1.17.0"), ("wcwidth", "0.2.13"), ("webencodings", "0.5.1"),
}
ONLY_311 = {("importlib-metadata", "8.7.0"), ("zipp", "3.23.0")}


@pytest.mark.parametrize(
    ("python", "extras", "expected"),
    [
        ("3.11", [], RDF2GEOJSON | ONLY_311),
        ("3.13", [], RDF2GEOJSON),
        ("3.13", ["--extra", "oxigraph"], RDF2GEOJSON | {("pyoxigraph", "0.4.11")}),
    ],
)
def test_poetry_lock_2_1(
    served: Served, capsys: pytest.CaptureFixture[str], python: str, extras: list[str],
    expected: set[tuple[str, str]],
) -> None:
    """Optional pyoxigraph only with its extra; colorama only on Windows; zipp only on 3.11."""
    code, plan, findings = audit(served, capsys, python,
                                 str(served.files["poetry-lock-rdf2geojson/poetry.lock"]),
                                 *extras)
    assert plan == expected
    assert code == 0 and high_or_worse(findings) == []


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_poetry_lock_1_1_with_shared_file_lists(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    code, plan, findings = audit(
        served, capsys, python,
        str(served.files["poetry-lock-legacy-semantic-background/poetry.lock"]))
    assert plan == {("html5lib", "1.1"), ("isodate", "0.6.1"), ("pyparsing", "3.0.9"),
                    ("rdflib", "6.3.2"), ("six", "1.16.0"), ("webencodings", "0.5.1")}
    assert code == 0 and high_or_worse(findings) == []


CP313_WHEEL = "pydantic_core-2.20.1-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


@pytest.mark.parametrize(("python", "expected"), [
    ("3.11", set()), ("3.13", {("pydantic-core", "2.20.1")})])
def test_uv_lock_edge_marker_for_newer_pythons(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path, python: str,
    expected: set[tuple[str, str]],
) -> None:
    """Was: a `python_full_version >= '3.12'` package became HIGH lock/no-installable-file on
    3.11 (uv.lock markers live on the dependency edges, which were not read)."""
    lock = tmp_path / "uv.lock"
    lock.write_text(
        'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "app"\n'
        'version = "0.1.0"\nsource = { virtual = "." }\ndependencies = [\n'
        '    { name = "pydantic-core", marker = "python_full_version >= \'3.12\'" },\n]\n\n'
        '[[package]]\nname = "pydantic-core"\nversion = "2.20.1"\n'
        'source = { registry = "https://pypi.org/simple" }\nwheels = [\n'
        f'    {{ url = "https://files.example/{CP313_WHEEL}", '
        f'hash = "sha256:{served.hashes[CP313_WHEEL]}" }},\n]\n')
    code, plan, findings = audit(served, capsys, python, str(lock))
    assert plan == expected
    assert code == 0 and high_or_worse(findings) == []


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_pdm_lock_without_markers_vets_everything(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    """A cross_platform pdm.lock (4.4) records no markers: every package is vetted."""
    code, plan, findings = audit(served, capsys, python,
                                 str(served.files["pdm-lock-dep-logic/pdm.lock"]))
    assert plan == {("colorama", "0.4.6"), ("exceptiongroup", "1.1.3"), ("iniconfig", "2.0.0"),
                    ("packaging", "23.2"), ("pluggy", "1.3.0"), ("poetry-core", "1.8.1"),
                    ("pytest", "7.4.3"), ("tomli", "2.0.1")}
    assert code == 0 and high_or_worse(findings) == []


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_pip_compile_with_hashes(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    code, plan, findings = audit(served, capsys, python, "-r",
                                 str(served.files["piptools-cryptography/build-requirements.txt"]))
    assert plan == {("cffi", "1.17.0"), ("maturin", "1.7.0"), ("pycparser", "2.22"),
                    ("tomli", "2.0.1"), ("setuptools", "72.1.0")}
    assert code == 0 and high_or_worse(findings) == []


def test_uv_pip_compile_with_hashes(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    code, plan, findings = audit(served, capsys, "3.11", "-r",
                                 str(served.files["uv-pip-cryptography/uv-requirements.txt"]))
    assert plan == {("uv", "0.6.14")}
    assert code == 0 and high_or_worse(findings) == []


def _unpinned(*names: str) -> set[tuple[str, str]]:
    return {(name, UNPINNED_VERSION) for name in names}


FLASK_DEV_IN = _unpinned(
    "pallets-sphinx-themes", "sphinx", "sphinx-issues", "sphinxcontrib-log-cabinet",
    "sphinx-tabs", "sphinx-immaterial", "pytest", "asgiref", "blinker", "python-dotenv", "mypy",
    "types-contextvars", "types-dataclasses", "types-setuptools", "cryptography",
    "pip-compile-multi", "pre-commit", "tox",
)


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_nested_requirement_files(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    """flask's dev.in includes docs.in, tests.in and typing.in; greenlet is for < 3.11."""
    code, plan, findings = audit(served, capsys, python, "-r",
                                 str(REAL / "requirements-nested-flask" / "dev.in"))
    assert plan == FLASK_DEV_IN
    assert code == 0 and high_or_worse(findings) == []


def test_a_real_constraints_file(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """cibuildwheel's uv-compiled constraints pin what a loose requirement would take."""
    requirements = tmp_path / "requirements.txt"
    constraints = REAL / "uv-constraints-cibuildwheel" / "constraints-python315.txt"
    requirements.write_text(f"-c {constraints}\nbuild\nvirtualenv\n")
    code, plan, findings = audit(served, capsys, "3.13", "-r", str(requirements))
    assert plan == {("build", "1.5.0"), ("virtualenv", "21.3.3")}
    assert code == 0 and high_or_worse(findings) == []


FLASK_RUNTIME = _unpinned("blinker", "click", "itsdangerous", "jinja2", "markupsafe", "werkzeug")


# Requirements are resolved as pip does: markers of the interpreter that runs safepip (pip keeps
# them under --python-version); locks are vetted for the target (see the lock tests above).
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
FLASK_TESTS = FLASK_RUNTIME | _unpinned("asgiref", "pytest", "python-dotenv")
FLASK_TESTS |= _unpinned("gha-update") if sys.version_info >= (3, 12) else set()
FLASK_TESTS |= _unpinned("greenlet") if sys.version_info < (3, 11) else set()


@pytest.mark.parametrize(("python", "expected"), [("3.11", FLASK_TESTS), ("3.13", FLASK_TESTS)])
def test_pyproject_groups_with_markers(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
    expected: set[tuple[str, str]],
) -> None:
    """flask: `tests` (greenlet below 3.11 only) and `gha-update` (3.12 and later only)."""
    code, plan, findings = audit(served, capsys, python,
                                 str(REAL / "pyproject-flask" / "pyproject.toml"),
                                 "--group", "tests", "--group", "gha-update")
    assert plan == expected
    assert code == 0 and high_or_worse(findings) == []


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_pyproject_include_group(
    served: Served, capsys: pytest.CaptureFixture[str], python: str,
) -> None:
    """stamina's `dev` includes `tests` and `typing`; tomli is for < 3.11."""
    code, plan, findings = audit(served, capsys, python,
                                 str(REAL / "pyproject-stamina" / "pyproject.toml"),
                                 "--group", "dev")
    assert plan == _unpinned("tenacity", "pytest", "anyio", "dirty-equals", "mypy", "nox",
                             "structlog", "prometheus-client", "trio", "uv")
    assert code == 0 and high_or_worse(findings) == []


def test_every_real_file_has_its_source_noted() -> None:
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    for directory in sorted(p for p in REAL.iterdir() if p.is_dir()):
        assert f"`{directory.name}/`" in sources, directory.name


VOICE_CLONING = {
    ("audioread", "3.0.1"), ("certifi", "2025.8.3"), ("cffi", "2.0.0"),
    ("charset-normalizer", "3.4.3"), ("cycler", "0.12.1"), ("decorator", "5.2.1"),
    ("filelock", "3.19.1"), ("fonttools", "4.59.2"), ("fsspec", "2025.10.0"),
    ("hf-xet", "1.2.0"), ("huggingface-hub", "0.36.0"), ("idna", "3.10"),
    ("inflect", "5.3.0"), ("joblib", "1.5.2"), ("jsonpatch", "1.33"), ("jsonpointer", "3.0.0"),
    ("kiwisolver", "1.4.7"), ("librosa", "0.9.2"), ("llvmlite", "0.43.0"),
    ("matplotlib", "3.5.1"), ("numba", "0.60.0"), ("numpy", "1.26.4"), ("packaging", "25.0"),
    ("pillow", "8.4.0"), ("platformdirs", "4.4.0"), ("pooch", "1.8.2"),
    ("pycparser", "2.23"), ("pynndescent", "0.5.13"), ("pyparsing", "3.2.4"),
    ("pyqt5", "5.15.11"), ("pyqt5-qt5", "5.15.17"), ("pyqt5-sip", "12.17.0"),
    ("python-dateutil", "2.9.0.post0"), ("pyyaml", "6.0.3"), ("pyzmq", "27.1.0"),
    ("requests", "2.32.5"), ("resampy", "0.4.3"), ("scikit-learn", "1.0.2"),
    ("scipy", "1.13.1"), ("setuptools", "80.8.0"), ("six", "1.17.0"),
    ("sounddevice", "0.4.3"), ("soundfile", "0.10.3.post1"), ("threadpoolctl", "3.6.0"),
    ("torchfile", "0.1.0"), ("tornado", "6.5.2"), ("tqdm", "4.62.3"),
    ("typing-extensions", "4.15.0"), ("umap-learn", "0.5.2"), ("unidecode", "1.3.2"),
    ("urllib3", "1.26.7"), ("visdom", "0.1.8.9"), ("webrtcvad", "2.0.10"),
    ("websocket-client", "1.8.0"),
}
"""What `uv sync` installs from this lock on Linux x86_64, CPython 3.9, without extras."""
DEV_GROUP = {("exceptiongroup", "1.3.0"), ("iniconfig", "2.1.0"), ("pluggy", "1.6.0"),
             ("pygments", "2.19.2"), ("pytest", "8.4.2"), ("tomli", "2.2.1")}
"""The `dev` group uv installs by default (colorama only on Windows)."""


@pytest.mark.skipif(sys.platform != "linux", reason="the expected plan is Linux's")
@pytest.mark.parametrize(
    ("extras", "torch"),
    [
        ([], set()),
        # Was: left out, since `extra == 'extra-23-real-time-voice-cloning-cpu'` never held.
        (["--extra", "cpu"], {("torch", "1.10.2+cpu")}),
        (["--extra", "cuda"], {("torch", "1.10.2+cu113")}),
    ],
)
def test_uv_lock_conflicting_extras_follow_the_selection(
    served: Served, capsys: pytest.CaptureFixture[str], extras: list[str],
    torch: set[tuple[str, str]],
) -> None:
    """uv encodes `[tool.uv] conflicts` as `extra == 'extra-N-PKG-EXTRA'` markers: the selected
    extra's torch (and only it) is installed, from the index that extra names."""
    code, plan, findings = audit(
        served, capsys, "3.9", str(served.files["uv-lock-conflicts-voice-cloning/uv.lock"]),
        *extras)
    assert plan == VOICE_CLONING | DEV_GROUP | torch
    assert code == 0 and high_or_worse(findings) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the expected plan is Linux's")
@pytest.mark.parametrize(
    ("pyproject", "groups", "expected"),
    [
        ("[tool.uv]\ndefault-groups = []\n", [], VOICE_CLONING),
        ("[tool.uv]\ndefault-groups = []\n", ["--group", "dev"], VOICE_CLONING | DEV_GROUP),
        ('[tool.uv]\ndefault-groups = "all"\n', [], VOICE_CLONING | DEV_GROUP),
        ('[project]\nname = "real-time-voice-cloning"\n', [], VOICE_CLONING | DEV_GROUP),
    ],
)
def test_uv_lock_default_groups_come_from_the_pyproject_next_to_it(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path, pyproject: str,
    groups: list[str], expected: set[tuple[str, str]],
) -> None:
    """uv installs `dev` unless `[tool.uv] default-groups` says otherwise."""
    lock = tmp_path / "uv.lock"
    shutil.copy(served.files["uv-lock-conflicts-voice-cloning/uv.lock"], lock)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    code, plan, findings = audit(served, capsys, "3.9", str(lock), *groups)
    assert plan == expected
    assert code == 0 and high_or_worse(findings) == []
