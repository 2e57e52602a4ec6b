"""Issue 13 items 1-2: the environment users expect, and audits of the whole tree."""

from __future__ import annotations

import ensurepip
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from safepip.cli import main
from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]


def _safepip(args: Sequence[str], env: dict[str, str], cwd: Path
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "safepip", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _fake_installed(venv: Path, name: str, version: str) -> None:
    """A project recorded as installed (what the environment probe reads), without pip."""
    (site,) = venv.glob("lib/python*/site-packages")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


@pytest.fixture
def served(tmp_path: Path, index_server: Factory) -> IndexServer:
    dist = tmp_path / "dist"
    return index_server([make_wheel(dist, "orchard", "1.0", requires_dist=["pear-lib"]),
                         make_wheel(dist, "pear-lib", "0.3")])


@pytest.mark.integration
def test_install_goes_to_the_active_virtual_env_and_says_so(
    tmp_path: Path, served: IndexServer, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    venv = make_venv(tmp_path / "active")
    env = {**pip_env, "VIRTUAL_ENV": str(venv)}
    result = _safepip(["install", "--index-url", served.index_url, "orchard"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.splitlines()[0] == (
        f"safepip: using the environment {venv} (VIRTUAL_ENV)")
    assert installed_in(venv, pip_env) == {"orchard": "1.0", "pear-lib": "0.3"}
    listed = _safepip(["list", "--format", "json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "orchard" in {p["name"] for p in json.loads(listed.stdout)}
    assert listed.stderr.startswith(f"safepip: using the environment {venv} ")


@pytest.mark.integration
def test_a_dot_venv_in_a_parent_directory_is_found(
    tmp_path: Path, served: IndexServer, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    venv = make_venv(tmp_path / "project" / ".venv")
    work = tmp_path / "project" / "src" / "deep"
    work.mkdir(parents=True)
    result = _safepip(["install", "--index-url", served.index_url, "pear-lib"], pip_env, work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the environment {venv} (.venv)" in result.stderr.splitlines()[0]
    assert installed_in(venv, pip_env) == {"pear-lib": "0.3"}


def test_install_help_lists_python_and_pip_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--python PYTHON" in out and "VIRTUAL_ENV" in out
    assert "Every pip install option is accepted" in " ".join(out.split())


def test_audit_reports_the_whole_tree_whatever_is_installed(
    tmp_path: Path, served: IndexServer, make_venv: VenvFactory,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = make_venv(tmp_path / "venv")
    _fake_installed(venv, "pear-lib", "0.3")
    _fake_installed(venv, "orchard", "1.0")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    code = main(["audit", "orchard", "--index-url", served.index_url, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert {p["name"] for p in json.loads(out)["packages"]} == {"orchard", "pear-lib"}


def test_audit_without_inputs_audits_the_installed_packages(
    tmp_path: Path, served: IndexServer, make_venv: VenvFactory,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = make_venv(tmp_path / "venv")
    _fake_installed(venv, "pear-lib", "0.3")
    _fake_installed(venv, "orchard", "1.0")
    # The venv's pip (lent by a .pth file) is installed there too: the index serves a stand-in.
    served.add_file(make_wheel(tmp_path / "dist", "pip", ensurepip.version()))
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "--python", str(venv), "--index-url", served.index_url,
                 "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert {(p["name"], p["version"]) for p in json.loads(captured.out)["packages"]} == {
        ("orchard", "1.0"), ("pear-lib", "0.3"), ("pip", ensurepip.version())}
    assert captured.err.startswith(f"safepip: using the environment {venv} (--python)")


@pytest.mark.parametrize(("setup", "reason"), [
    ("pip_python", "PIP_PYTHON"), ("virtual_env", "VIRTUAL_ENV"), ("dot_venv", ".venv"),
    ("path", "python on PATH"),
])
def test_discovery_order(setup: str, reason: str, tmp_path: Path) -> None:
    from safepip.resolution.environment import discover_environment

    def venv(path: Path) -> Path:
        (path / "bin").mkdir(parents=True)
        (path / "bin" / "python").touch()
        (path / "pyvenv.cfg").touch()
        return path

    work = tmp_path / "work" / "sub"
    work.mkdir(parents=True)
    bin_dir = tmp_path / "usr-bin"
    bin_dir.mkdir()
    (bin_dir / "python3").touch(mode=0o755)
    environ = {"PATH": str(bin_dir)}
    order = ["pip_python", "virtual_env", "dot_venv", "path"]
    for later in order[order.index(setup):]:  # everything of lower rank is present too
        if later == "pip_python":
            environ["PIP_PYTHON"] = str(venv(tmp_path / "pp"))
        elif later == "virtual_env":
            environ["VIRTUAL_ENV"] = str(venv(tmp_path / "active"))
        elif later == "dot_venv":
            venv(tmp_path / "work" / ".venv")
    chosen = discover_environment(None, environ, work)
    assert chosen.reason == reason
    assert discover_environment(str(tmp_path / "x"), environ, work).reason == "--python"


def test_python_in_a_pip_config_file_chooses_the_environment_as_pip_does(
    tmp_path: Path,
) -> None:
    """pip reads `python` from `[global]` of its config files (PIP_PYTHON beats it, --python
    beats both); in `[install]` pip itself refuses it."""
    from safepip.errors import UsageError
    from safepip.resolution.environment import discover_environment

    def venv(path: Path) -> Path:
        (path / "bin").mkdir(parents=True)
        (path / "bin" / "python").touch()
        (path / "pyvenv.cfg").touch()
        return path

    configured, active = venv(tmp_path / "configured"), venv(tmp_path / "active")
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\npython = {configured}\n")
    environ = {"PIP_CONFIG_FILE": str(conf), "HOME": str(tmp_path / "home"),
               "VIRTUAL_ENV": str(active), "PATH": ""}
    chosen = discover_environment(None, environ, tmp_path)
    assert (chosen.python, chosen.reason) == (
        str(configured / "bin" / "python"), f"python in {conf}")
    with_variable = {**environ, "PIP_PYTHON": str(active)}
    assert discover_environment(None, with_variable, tmp_path).reason == "PIP_PYTHON"
    # pip's --isolated ignores the PIP_* variables (PIP_CONFIG_FILE is still read).
    assert discover_environment(None, with_variable, tmp_path, isolated=True
                                ).reason == f"python in {conf}"
    assert discover_environment(str(active), environ, tmp_path).reason == "--python"
    conf.write_text(f"[install]\npython = {configured}\n")
    with pytest.raises(UsageError, match=r"\[install\] section"):
        discover_environment(None, environ, tmp_path)


@pytest.mark.integration
def test_pass_through_commands_follow_python_in_pip_config(
    tmp_path: Path, make_venv: VenvFactory, pip_env: dict[str, str],
) -> None:
    venv = make_venv(tmp_path / "configured")
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\npython = {venv}\n")
    result = _safepip(["list", "--format", "json"], {**pip_env, "PIP_CONFIG_FILE": str(conf)},
                      tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"safepip: using the environment {venv} (python in {conf})")
