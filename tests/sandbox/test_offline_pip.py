"""The pip that installs the vetted files has no network: code that runs in that pip process
(here a `.pth` of the target environment, as a planted one would) cannot reach even this
machine's loopback, and the install itself still works; where no network namespace can be made,
the output says pip ran with the network."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.pip import offline as offline_module
from safepip.pip.handoff import Handoff, VettedFile, handoff
from safepip.pip.offline import candidates, offline
from tests.integration.conftest import installed_in
from tests.kit.archives import make_wheel
from tests.sandbox.test_cage import CanaryServer

pytestmark = pytest.mark.integration

PROBE = """\
import os, socket
out = os.environ.get("NET_PROBE_OUT")
if out:
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
        result = "connected"
    except OSError as error:
        result = type(error).__name__
    with open(out, "a") as stream:
        stream.write(result + "\\n")
"""
"""Runs at the start of every Python of the venv (through a `.pth`) when NET_PROBE_OUT is set:
tries the host canary and writes what happened."""


@pytest.fixture
def canary() -> Iterator[CanaryServer]:
    server = CanaryServer()
    yield server
    server.close()


@pytest.fixture
def offline_required() -> None:
    if not offline().enforced:
        pytest.skip(f"no network namespace here: {offline().reason}")


def _probing_venv(venv: Path, canary: CanaryServer) -> None:
    (site_packages,) = venv.glob("lib/python*/site-packages")
    port = canary.tcp.getsockname()[1]
    (site_packages / "_netprobe.py").write_text(PROBE.format(port=port), encoding="utf-8")
    (site_packages / "zz_netprobe.pth").write_text("import _netprobe\n", encoding="utf-8")


def _files(tmp_path: Path) -> list[VettedFile]:
    wheel = make_wheel(tmp_path / "d", "alpha", "1.0", files={"alpha/__init__.py": "A = 1\n"})
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return [VettedFile(canonicalize_name("alpha"), Version("1.0"), wheel.name, digest, wheel)]


def test_control_the_probe_reaches_the_canary_outside_the_handoff(
    venv: Path, pip_env: dict[str, str], canary: CanaryServer, tmp_path: Path,
) -> None:
    _probing_venv(venv, canary)
    out = tmp_path / "probe.txt"
    subprocess.run([str(venv / "bin" / "python"), "-c", "pass"],
                   env=dict(pip_env, NET_PROBE_OUT=str(out)), check=True)
    assert out.read_text().split() == ["connected"]
    # The canary records the connection on its own thread, which a loaded machine may run late.
    deadline = time.monotonic() + 10
    while not canary.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert canary.received == [b"tcp:"]


@pytest.mark.usefixtures("offline_required")
@pytest.mark.parametrize("early", [True, False], ids=["waiting-pip", "pip-started-at-handoff"])
def test_the_handoff_pip_has_no_network_and_still_installs(
    venv: Path, pip_env: dict[str, str], canary: CanaryServer, tmp_path: Path, early: bool,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _probing_venv(venv, canary)
    out = tmp_path / "probe.txt"
    environ = dict(pip_env, NET_PROBE_OUT=str(out))
    python = str(venv / "bin" / "python")
    if early:
        with Handoff(python=python, passthrough=[], environ=environ, start_pip=True) as ready:
            assert ready._pip is not None
            assert ready.install(_files(tmp_path)) == 0
    else:
        assert handoff(_files(tmp_path), python=python, passthrough=[], environ=environ) == 0
    assert out.read_text().split() == ["OSError"]  # ENETUNREACH: not even the loopback is up
    assert canary.received == []
    assert "with network access" not in capfd.readouterr().err
    out.unlink()
    assert installed_in(venv, pip_env) == {"alpha": "1.0"}
    (site_packages,) = venv.glob("lib/python*/site-packages")
    installed = site_packages / "alpha" / "__init__.py"
    assert installed.read_text() == "A = 1\n"
    assert (installed.stat().st_uid, installed.stat().st_gid) == (os.getuid(), os.getgid())


def test_without_a_network_namespace_the_output_says_pip_had_the_network(
    venv: Path, pip_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """No `unshare` on PATH (as on a machine without util-linux): pip runs as before, and the
    user is told so, with why it is still bounded."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    offline_module.offline.cache_clear()
    try:
        assert not offline().enforced
        assert handoff(_files(tmp_path), python=str(venv / "bin" / "python"), passthrough=[],
                       environ=pip_env) == 0
    finally:
        offline_module.offline.cache_clear()
    err = capfd.readouterr().err
    assert "pip installs the vetted files with network access: the `unshare` command" in err
    assert "hash-pinned" in err and "--no-index" in err
    assert installed_in(venv, pip_env) == {"alpha": "1.0"}


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to become another user, and setpriv")
def test_an_ordinary_user_keeps_its_uid_in_the_namespace() -> None:
    """As a user that is not root, the prefix maps the uid onto itself: the process sees its
    own uid (pip shows no root warning) and the files it writes are owned by that user."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare command")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    with tempfile.TemporaryDirectory() as shared:  # pytest's own folders are root's alone
        folder = Path(shared)
        folder.chmod(0o777)
        _as_nobody(nobody, unshare, folder)


def _as_nobody(nobody: list[str], unshare: str, folder: Path) -> None:
    prefix = candidates(unshare, 65534, 65534)[0]
    assert "--user" in prefix and "--map-current-user" in prefix
    seen = subprocess.run([*nobody, *prefix, "id", "-u"], capture_output=True, text=True,
                          check=False)
    if seen.returncode != 0:
        pytest.skip(f"this kernel refuses user namespaces to other users: {seen.stderr}")
    assert seen.stdout.split() == ["65534"]
    subprocess.run([*nobody, *prefix, "touch", str(folder / "written")], check=True)
    assert (folder / "written").stat().st_uid == 65534
    links = subprocess.run([*nobody, *prefix, "cat", "/proc/net/dev"], capture_output=True,
                           text=True, check=True).stdout
    assert [line.split(":")[0].strip() for line in links.splitlines()[2:]] == ["lo"]
