"""Real pip into throwaway venvs: the handoff installs exactly the vetted files, nothing else.

Each test gets a fresh venv lent ensurepip's pip (tests/integration/conftest.py). Every
subprocess runs with `clean_pip_environment`, so this machine's pip configuration cannot leak
in; the poisoning tests then put hostile pip settings back on purpose to show the handoff
neutralises them.
"""

from __future__ import annotations

import hashlib
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from safepip.cli import main
from safepip.errors import HashMismatchError
from safepip.pip.handoff import (
    VettedFile,
    build_pip_command,
    pip_environment,
    run_pip,
    stage_vetted_files,
    write_pinned_requirements,
)
from safepip.pip.handoff import handoff as pip_handoff
from safepip.pipeline import build_in_cage
from safepip.sandbox.cage import CageBuildError
from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer

pytestmark = pytest.mark.integration


def handoff(files: Sequence[VettedFile], **options: Any) -> int:
    """The handoff as `safepip install` calls it: sdists are built by the pipeline's cage."""
    return pip_handoff(files, build_sdists=build_in_cage, **options)

SETUPTOOLS_WHEEL_DIRS = (
    Path("/opt/pypi/files"), Path("/opt/wheels"), Path("/usr/share/python-wheels"),
)


@pytest.fixture
def env(pip_env: dict[str, str]) -> dict[str, str]:
    return pip_env


@pytest.fixture
def venv(make_venv: VenvFactory, tmp_path: Path) -> Path:
    """A fresh venv per test (pip lent by a .pth file): tests never see each other's installs."""
    return make_venv(tmp_path / "venv")


def _python(venv: Path) -> str:
    return str(venv / "bin" / "python")


def _vetted(path: Path, *, build: bool = False) -> VettedFile:
    if path.name.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(path.name)
    else:
        stem = path.name.removesuffix(".tar.gz")
        raw_name, _, raw_version = stem.rpartition("-")
        name, version = canonicalize_name(raw_name), Version(raw_version)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return VettedFile(name, version, path.name, digest, path, build)


def test_benign_tree_installs_exactly_the_pins(
    venv: Path, env: dict[str, str], tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    downloads = tmp_path / "downloads"
    files = [_vetted(make_wheel(downloads, "alpha-pkg", "1.0", requires_dist=["beta"])),
             _vetted(make_wheel(downloads, "beta", "2.0"))]
    make_wheel(downloads, "gamma", "3.0")  # lies next to them but was never vetted
    assert handoff(files, python=_python(venv), passthrough=[], environ=env) == 0
    assert installed_in(venv, env) == {"alpha-pkg": "1.0", "beta": "2.0"}
    assert "Successfully installed" in capfd.readouterr().out
    # Pins are exact: running it again reports them as already satisfied, like pip does.
    assert handoff(files, python=_python(venv), passthrough=[], environ=env) == 0
    assert capfd.readouterr().out.count("Requirement already satisfied") == 2


def test_pip_exit_code_passes_through(
    venv: Path, env: dict[str, str], tmp_path: Path,
) -> None:
    wheel = make_wheel(tmp_path / "d", "needs-new-python", "1.0", tag="py3-none-any",
                       requires_python=">=3.99")
    code = handoff([_vetted(wheel)], python=_python(venv), passthrough=["-q"], environ=env)
    assert code == 1
    assert installed_in(venv, env) == {}


def test_file_changed_after_vetting_stops_before_pip(
    venv: Path, env: dict[str, str], tmp_path: Path,
) -> None:
    good = _vetted(make_wheel(tmp_path / "d", "fine", "1.0"))
    changed = _vetted(make_wheel(tmp_path / "d", "victim", "1.0"))
    make_wheel(tmp_path / "d", "victim", "1.0", files={"victim/__init__.py": "CANARY = 1\n"})
    with pytest.raises(HashMismatchError):
        handoff([good, changed], python=_python(venv), passthrough=[], environ=env)
    assert installed_in(venv, env) == {}


def test_pip_refuses_bytes_swapped_inside_the_vetted_dir(
    venv: Path, env: dict[str, str], tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Second line of defence: even if the staged copy changed, --require-hashes refuses it."""
    files = [_vetted(make_wheel(tmp_path / "d", "fine", "1.0")),
             _vetted(make_wheel(tmp_path / "d", "victim", "1.0"))]
    staged = tmp_path / "staged"
    staged.mkdir()
    stage_vetted_files(files, staged)
    make_wheel(staged, "victim", "1.0", files={"victim/__init__.py": "CANARY = 1\n"})
    requirements = tmp_path / "requirements.txt"
    write_pinned_requirements(files, requirements)
    command = build_pip_command(_python(venv), staged, requirements, [])
    assert run_pip(command, pip_environment(env, staged)) != 0
    assert "DO NOT MATCH THE HASHES" in capfd.readouterr().err
    assert installed_in(venv, env) == {}


def _setuptools_wheel() -> Path:
    """A real setuptools wheel from this machine, new enough to build without `wheel`."""
    found = [p for d in SETUPTOOLS_WHEEL_DIRS if d.is_dir() for p in d.glob("setuptools-*.whl")]
    usable = [p for p in found if parse_wheel_filename(p.name)[1] >= Version("70.1")]
    if not usable:
        pytest.skip("no setuptools>=70.1 wheel on this machine to act as a vetted build dep")
    return max(usable, key=lambda p: parse_wheel_filename(p.name)[1])


POISON_BACKEND = '''\
import pathlib
pathlib.Path({canary!r}).write_text("poisoned setuptools ran")
raise SystemExit("poisoned setuptools ran")
'''


@pytest.fixture
def poisoned_env(env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The user's pip settings point at a poisoned setuptools 999 and a breaking constraint."""
    canary = tmp_path / "CANARY"
    poison = tmp_path / "poison"
    wheel = make_wheel(poison, "setuptools", "999.0", files={
        "setuptools/__init__.py": "", "setuptools/build_meta.py":
        POISON_BACKEND.format(canary=str(canary))})
    index = poison / "simple" / "setuptools"
    index.mkdir(parents=True)
    (index / "index.html").write_text(f'<a href="{wheel.as_uri()}">{wheel.name}</a>')
    constraint = _write(tmp_path / "constraints.txt", "built-pkg==0.5\n")
    config = _write(tmp_path / "pip.conf", f"[global]\nfind-links = {poison}\n"
                    f"extra-index-url = {(poison / 'simple').as_uri()}\n"
                    f"[install]\nconstraint = {constraint}\n")
    hostile = {**env, "PIP_CONFIG_FILE": str(config), "PIP_FIND_LINKS": str(poison),
               "PIP_INDEX_URL": (poison / "simple").as_uri(), "PIP_CONSTRAINT": str(constraint)}
    return hostile, canary


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sdist_build_takes_setuptools_only_from_the_vetted_dir(
    venv: Path, env: dict[str, str], tmp_path: Path,
    poisoned_env: tuple[dict[str, str], Path],
) -> None:
    hostile, canary = poisoned_env
    sdist = make_sdist(tmp_path / "d", "built-pkg", "1.0")
    files = [_vetted(sdist), _vetted(_setuptools_wheel(), build=True)]
    assert handoff(files, python=_python(venv), passthrough=["-q"], environ=hostile) == 0
    assert not canary.exists()
    # The build dependency was used in the isolated build, not installed into the venv.
    assert installed_in(venv, env) == {"built-pkg": "1.0"}


def test_sdist_build_with_the_newer_pip_of_the_running_interpreter(
    tmp_path: Path, poisoned_env: tuple[dict[str, str], Path],
) -> None:
    """Same proof with the dev venv's pip (newer build-isolation code), into a --target dir."""
    hostile, canary = poisoned_env
    sdist = make_sdist(tmp_path / "d", "built-pkg", "1.0")
    files = [_vetted(sdist), _vetted(_setuptools_wheel(), build=True)]
    target = tmp_path / "target"
    code = handoff(files, python=sys.executable, passthrough=["-q", "--target", str(target)],
                   environ=hostile)
    assert code == 0
    assert not canary.exists()
    assert (target / "built_pkg" / "__init__.py").is_file()
    assert not list(target.glob("setuptools*"))


def test_control_plain_pip_with_the_same_settings_runs_the_poison(
    venv: Path, tmp_path: Path, poisoned_env: tuple[dict[str, str], Path],
) -> None:
    """Without the handoff's neutralised environment, pip's own settings reach the poison."""
    hostile, canary = poisoned_env
    vetted = tmp_path / "vetted"
    make_sdist(vetted, "built-pkg", "1.0")
    shutil.copy(_setuptools_wheel(), vetted)
    naive = [_python(venv), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
             "--find-links", str(vetted), "built-pkg==1.0"]
    hostile = {k: v for k, v in hostile.items() if k != "PIP_CONSTRAINT"}
    subprocess.run(naive, env={**hostile, "PIP_CONFIG_FILE": os.devnull}, capture_output=True)
    assert canary.exists()


def test_passthrough_target_with_the_running_interpreter(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """`--target` passes through; this one runs the dev venv's (newer) pip."""
    files = [_vetted(make_wheel(tmp_path / "d", "alpha-pkg", "1.0"))]
    target = tmp_path / "target"
    code = handoff(files, python=sys.executable, passthrough=["--target", str(target), "-q"],
                   environ=env)
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == ["alpha_pkg", "alpha_pkg-1.0.dist-info"]


@pytest.fixture
def cli_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.mark.usefixtures("cli_env")
def test_non_install_commands_pass_through_to_pip(
    venv: Path, tmp_path: Path, env: dict[str, str], capfd: pytest.CaptureFixture[str],
) -> None:
    files = [_vetted(make_wheel(tmp_path / "d", "alpha-pkg", "1.0"))]
    assert handoff(files, python=_python(venv), passthrough=["-q"], environ=env) == 0
    capfd.readouterr()
    assert main(["show", "--python", _python(venv), "alpha-pkg"]) == 0
    assert "Version: 1.0" in capfd.readouterr().out
    assert main(["--python", _python(venv), "show", "no-such-thing"]) == 1
    assert main(["uninstall", "-y", "-q", f"--python={_python(venv)}", "alpha-pkg"]) == 0
    assert "alpha-pkg" not in installed_in(venv, env)


def test_unvetted_pip_commands_are_refused(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["download", "requests"]) == 2
    assert "python -m pip download" in capfd.readouterr().err


def test_no_command_help_explains_the_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "alias pip='safepip'" in out
    assert "python -m pip install ...` runs pip" in out.replace("\n", " ")


@pytest.mark.usefixtures("cli_env")
def test_pip_exit_code_of_a_passed_through_command(
    venv: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--python", str(venv)]) == 0  # an environment directory works too
    assert "No broken requirements" in capfd.readouterr().out
    assert main(["list", "--python", str(venv / "no-such-python")]) == 2
    assert "Cannot run" in capfd.readouterr().err


OPAQUE_SETUP = (
    "from setuptools import setup\n"
    "setup(name='opaque-deps', version='1.0', install_requires=open('r.txt').read().split())\n"
)
SETUPTOOLS_BACKEND = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
)


def _on_terminal(argv: list[str], env: dict[str, str], cwd: Path, answer: bytes) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its terminal; type `answer` at the prompt."""
    primary, secondary = os.openpty()
    child = subprocess.Popen(argv, stdin=secondary, stdout=secondary, stderr=secondary,
                             env=env, cwd=cwd, close_fds=True)
    os.close(secondary)
    seen, deadline = b"", time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if not select.select([primary], [], [], 0.5)[0]:
                continue
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child exited and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if answer and b"Proceed? [y/N]" in seen:
                os.write(primary, answer)
                answer = b""
        return child.wait(timeout=60), seen.decode(errors="replace")
    finally:
        os.close(primary)


@pytest.mark.parametrize(("options", "answer", "code", "installed"), [
    ([], b"n\r", 1, {}),
    ([], b"y\r", 0, {"opaque-deps": "1.0"}),
    (["--yes"], b"", 0, {"opaque-deps": "1.0"}),
])
def test_consent_on_a_real_terminal(
    options: list[str], answer: bytes, code: int, installed: dict[str, str],
    tmp_path: Path, venv: Path, env: dict[str, str], index_server: Callable[..., IndexServer],
) -> None:
    """A medium finding (dependencies only in setup.py) asks on a TTY; No installs nothing."""
    sdist = make_sdist(tmp_path / "dist", "opaque-deps", "1.0", setup_py=OPAQUE_SETUP,
                       pyproject_toml=SETUPTOOLS_BACKEND,
                       files={"r.txt": "", "opaque_deps/__init__.py": ""})
    server = index_server([sdist, _setuptools_wheel()])
    argv = [sys.executable, "-m", "safepip", "install", *options, "--python", _python(venv),
            "--index-url", server.index_url, "opaque-deps"]
    returncode, output = _on_terminal(argv, env, tmp_path, answer)
    assert returncode == code, output
    assert ("Proceed? [y/N]" in output) is (not options)
    assert "resolve/dynamic-metadata" in output
    assert installed_in(venv, env) == installed


def test_legacy_sdist_needing_an_unvetted_build_dep_fails_closed(
    venv: Path, env: dict[str, str], tmp_path: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    """pip 23 builds a setup.py-only sdist with `setuptools` *and* `wheel`; with only setuptools
    vetted, the build cannot get `wheel` from anywhere, so the install fails, nothing installed."""
    sdist = make_sdist(tmp_path / "d", "legacy-pkg", "1.0", setup_py=OPAQUE_SETUP.replace(
        "opaque-deps", "legacy-pkg"), files={"r.txt": "", "legacy_pkg/__init__.py": ""})
    files = [_vetted(sdist), _vetted(_setuptools_wheel(), build=True)]
    probe = ("import inspect, pip._internal.pyproject as p; "
             "print('\"wheel\"]' in inspect.getsource(p))")
    adds_wheel = subprocess.run([_python(venv), "-c", probe], env=env, capture_output=True,
                                text=True, check=True).stdout.strip()
    if adds_wheel != "True":
        pytest.skip("this pip no longer adds `wheel` to legacy build requirements")
    # The build cage builds it before pip installs anything, and fails closed (exit 3).
    with pytest.raises(CageBuildError, match="No matching distribution found for wheel"):
        handoff(files, python=_python(venv), passthrough=[], environ=env)
    assert installed_in(venv, env) == {}


def test_dynamic_build_requirement_cannot_reach_the_users_sources(
    venv: Path, env: dict[str, str], tmp_path: Path, capfd: pytest.CaptureFixture[str],
    poisoned_env: tuple[dict[str, str], Path],
) -> None:
    """`setup_requires` surfaces only when the backend runs (get_requires_for_build_wheel), so
    nothing vetted it; pip must fail rather than take it from the user's configured sources."""
    hostile, _ = poisoned_env
    poison = Path(hostile["PIP_FIND_LINKS"])
    canary = tmp_path / "HELPER-CANARY"
    make_sdist(poison, "helper-dep", "1.0", setup_py=(
        f"import pathlib\npathlib.Path({str(canary)!r}).write_text('ran')\n"
        "from setuptools import setup\nsetup(name='helper-dep', version='1.0')\n"))
    make_wheel(poison, "helper-dep", "1.0")
    sdist = make_sdist(tmp_path / "d", "needs-helper", "1.0", pyproject_toml=SETUPTOOLS_BACKEND,
                       setup_py="from setuptools import setup\n"
                       "setup(name='needs-helper', version='1.0', setup_requires=['helper-dep'])\n")
    files = [_vetted(sdist), _vetted(_setuptools_wheel(), build=True)]
    # The build cage builds it before pip installs anything, and fails closed (exit 3).
    with pytest.raises(CageBuildError, match="helper-dep"):
        handoff(files, python=_python(venv), passthrough=[], environ=hostile)
    assert not canary.exists()
    assert installed_in(venv, env) == {}
