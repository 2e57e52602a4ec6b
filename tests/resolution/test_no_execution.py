"""No execution, proven: every metadata rung runs over canary-bearing archives under an audit hook.

The hook (PEP 578) lives in a child process (tests/resolution/no_execution_driver.py; audit hooks
cannot be removed, so never in the pytest process). The hostile files would write a canary file
and spawn `touch` if any line of them ran. Each rung is called directly, then the whole resolver
runs over a loopback index of the same hostile files (PEP 658 on; off with ranges; off without
ranges). Positive controls show the canaries, the hook and the write guard really fire.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer
from tests.kit.isolation import clean_pip_environment

DRIVER = Path(__file__).with_name("no_execution_driver.py")
ServerFactory = Callable[..., IndexServer]


class Hostile:
    """Builds archives whose code would leave a canary file behind if it ever ran."""

    def __init__(self, root: Path) -> None:
        self.token = f"SAFEPIP_CANARY_{uuid.uuid4().hex}"
        self.canaries, self.dist = root / "canaries", root / "dist"
        self.canaries.mkdir()

    def payload(self, name: str) -> str:
        """Python that writes `canaries/<name>` and spawns a process that writes another."""
        path, spawned = self.canaries / name, self.canaries / f"{name}.spawned"
        return (f"# {self.token}\nimport os\nopen({str(path)!r}, 'w').write('ran')\n"
                f"os.system('touch ' + {str(spawned)!r})\n")

    def setup_py(self, name: str, tail: str) -> str:
        return self.payload(name) + "from setuptools import setup\n" + tail

    def in_tree_backend(self, name: str) -> str:
        return self.payload(name) + (
            "def get_requires_for_build_wheel(config_settings=None):\n"
            f"    open({str(self.canaries / (name + '.hook'))!r}, 'w').write('hook')\n"
            "    return ['injected']\n")

    def fired(self) -> list[str]:
        return sorted(p.name for p in self.canaries.iterdir())


def _sdists(h: Hostile) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Case name -> (archive, expected summary), one per sdist rung."""
    d, backend = h.dist, '[build-system]\nrequires = []\nbuild-backend = "canary_backend"\n' \
        'backend-path = ["_backend"]\n'
    return {
        "pkg-info-2.2": (make_sdist(
            d, "pkginfo", "1.0", metadata_version="2.2", requires_dist=["dep-pkginfo"],
            setup_py=h.setup_py("pkginfo", "setup(install_requires=['dep-pkginfo'])\n")),
            {"source": "pkg-info", "deps": ["dep-pkginfo"]}),
        "pyproject-static": (make_sdist(
            d, "pyproj", "1.0", pyproject_toml=backend + '[project]\nname = "pyproj"\n'
            'version = "1.0"\ndependencies = ["dep-pyproj"]\n',
            setup_py=h.setup_py("pyproj", "setup()\n"),
            files={"_backend/canary_backend.py": h.in_tree_backend("pyproj-backend")}),
            {"source": "static", "deps": ["dep-pyproj"]}),
        "in-tree-backend-dynamic": (make_sdist(
            d, "intree", "1.0", pyproject_toml=backend + '[project]\nname = "intree"\n'
            'version = "1.0"\ndynamic = ["dependencies"]\n',
            files={"_backend/canary_backend.py": h.in_tree_backend("intree-backend")}),
            {"source": "unknown", "deps": []}),
        "setup-cfg": (make_sdist(
            d, "cfgpkg", "1.0", setup_cfg="[options]\ninstall_requires = dep-cfg\n",
            setup_py=h.setup_py("cfgpkg", "setup()\n")),
            {"source": "static", "deps": ["dep-cfg"]}),
        "setup-py-literals": (make_sdist(
            d, "literal", "1.0", setup_py=h.setup_py(
                "literal", "REQS = ['dep-literal']\nsetup(install_requires=REQS + ['dep-two'])\n")),
            {"source": "static", "deps": ["dep-literal", "dep-two"]}),
        "setup-py-computed": (make_sdist(
            d, "computed", "1.0", setup_py=h.setup_py(
                "computed", "setup(install_requires=open('requirements.txt').read().split())\n")),
            {"source": "unknown", "deps": []}),
        "setup-py-zip": (make_sdist(
            d, "zipped", "1.0", fmt="zip", setup_py=h.setup_py(
                "zipped", "setup(install_requires=['dep-zip'])\n")),
            {"source": "static", "deps": ["dep-zip"]}),
    }


def _wheel(h: Hostile) -> Path:
    """A wheel whose package, .pth file and dist-info all carry the canary."""
    return make_wheel(h.dist, "wheelpkg", "1.0", requires_dist=["dep-wheel"], files={
        "wheelpkg/__init__.py": h.payload("wheel-import"),
        "wheelpkg-hook.pth": "import os; " + h.payload("wheel-pth").replace("\n", "; "),
    }, metadata_extra=f"Summary: {h.token}")


def _run(tmp_path: Path, h: Hostile, cases: list[dict[str, str]], *, hook: bool = True
         ) -> dict[str, Any]:
    spec, out = tmp_path / "spec.json", tmp_path / "out.json"
    spec.write_text(json.dumps({"token": h.token, "cases": cases, "hook": hook}))
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    completed = subprocess.run(
        [sys.executable, str(DRIVER), str(spec), str(out)], cwd=tmp_path,
        env=clean_pip_environment(os.environ, str(home)), capture_output=True, text=True,
        timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def test_no_rung_runs_package_code(tmp_path: Path, index_server: ServerFactory) -> None:
    h = Hostile(tmp_path)
    sdists, wheel = _sdists(h), _wheel(h)
    ranged, plain = index_server([wheel]), index_server([wheel], range_requests=False)
    cases = [{"name": f"{name}:{call}", "call": call, "target": str(path)}
             for name, (path, _) in sdists.items() for call in ("sdist", "build")]
    cases += [
        {"name": "wheel-file", "call": "wheel", "target": str(wheel)},
        {"name": "wheel-ranges", "call": "wheel_http", "target": ranged.file_url(wheel.name)},
        {"name": "wheel-no-ranges", "call": "wheel_http", "target": plain.file_url(wheel.name)},
        {"name": "pep658", "call": "pep658", "target": ranged.file_url(wheel.name) + ".metadata"},
    ]
    out = _run(tmp_path, h, cases)
    print(json.dumps(out, indent=1))

    assert out["violations"] == []
    assert h.fired() == []
    results = out["results"]
    for name, (_, expected) in sdists.items():
        for call in ("sdist", "build"):
            got = results[f"{name}:{call}"]
            assert "error" not in got, (name, got)
            assert {k: got[k] for k in expected} == expected, (name, got)
    for name in ("wheel-file", "wheel-ranges", "pep658"):
        assert results[name]["deps"] == ["dep-wheel"], (name, results[name])
    assert results["wheel-no-ranges"] == {"source": None}
    # The hook saw ast.parse compile every setup.py the ladder read, and allowed only that.
    assert out["parse_only"] >= 5 and out["compile_events"] >= out["parse_only"]


def test_build_inspection_reports_the_in_tree_backend_without_importing_it(
        tmp_path: Path) -> None:
    h = Hostile(tmp_path)
    path, _ = _sdists(h)["in-tree-backend-dynamic"]
    out = _run(tmp_path, h, [{"name": "b", "call": "build", "target": str(path)}])
    assert out["violations"] == [] and h.fired() == []
    assert out["results"]["b"]["requires"] == [] and out["results"]["b"]["in_tree"] is True
    assert "canary_backend" in out["results"]["b"]["detail"]


def _index_files(h: Hostile) -> list[Path]:
    """Hostile sdists, the hostile wheel, and plain wheels for everything they depend on."""
    deps = ["dep-pkginfo", "dep-pyproj", "dep-cfg", "dep-literal", "dep-two", "dep-zip",
            "dep-wheel", "setuptools"]
    return [*(path for path, _ in _sdists(h).values()), _wheel(h),
            *(make_wheel(h.dist / "deps", dep, "70.0") for dep in deps)]


@pytest.mark.parametrize(("options", "wheel_source"), [
    ({}, "pep658"),
    ({"metadata": False, "advertise_metadata": False}, "wheel"),
    ({"metadata": False, "advertise_metadata": False, "range_requests": False}, "wheel"),
])
def test_the_whole_resolver_runs_no_package_code(
        tmp_path: Path, index_server: ServerFactory, options: dict[str, Any],
        wheel_source: str) -> None:
    h = Hostile(tmp_path)
    server = index_server(_index_files(h), **options)
    roots = ["pkginfo", "pyproj", "intree", "cfgpkg", "literal", "computed", "zipped", "wheelpkg"]
    workdir = tmp_path / "resolver"
    out = _run(tmp_path, h, [{"name": "r", "call": "resolve", "target": server.index_url,
                              "specs": roots, "workdir": str(workdir)}])
    print(json.dumps(out, indent=1))

    assert out["violations"] == [] and h.fired() == []
    assert out["parse_only"] >= 4  # cfgpkg, literal, computed, zipped: setup.py parsed, not run
    packages = out["results"]["r"]["packages"]
    assert {name: packages[name][1] for name in roots} == {
        "pkginfo": "pkg-info", "pyproj": "static", "intree": "unknown", "cfgpkg": "static",
        "literal": "static", "computed": "unknown", "zipped": "static", "wheelpkg": wheel_source}
    assert {"dep-pkginfo", "dep-pyproj", "dep-cfg", "dep-literal", "dep-two", "dep-zip",
            "dep-wheel"} <= set(packages)
    assert packages["setuptools"][2] is True  # resolved as a build dependency of the sdists
    assert {"resolve/dynamic-metadata:intree", "resolve/dynamic-metadata:computed"} <= set(
        out["results"]["r"]["findings"])
    wheel_gets = server.requests_for("/files/wheelpkg-1.0-py3-none-any.whl", "GET")
    if options.get("metadata") is False and options.get("range_requests", True):
        assert wheel_gets and all("Range" in r.headers for r in wheel_gets)
    written = [p for p in workdir.rglob("*") if p.is_file()]
    assert not [p for p in written if p.name in {"setup.py", "setup.cfg", "pyproject.toml",
                                                 "PKG-INFO", "canary_backend.py"}]


def _extract_setup_py(h: Hostile, archive: Path, tmp_path: Path) -> Path:
    with zipfile.ZipFile(archive) as zipped:
        target = tmp_path / "extracted_setup.py"
        target.write_bytes(zipped.read("zipped-1.0/setup.py"))
    return target


def test_control_canaries_fire_when_code_really_runs(tmp_path: Path) -> None:
    h = Hostile(tmp_path)
    setup_py = _extract_setup_py(h, _sdists(h)["setup-py-zip"][0], tmp_path)
    setup_py.write_text(setup_py.read_text().split("from setuptools")[0])  # payload only
    out = _run(tmp_path, h, [{"name": "run", "call": "control_run", "target": str(setup_py)}],
               hook=False)
    assert out["results"]["run"] == {"ran": True}
    assert h.fired() == ["zipped", "zipped.spawned"]


@pytest.mark.parametrize(("call", "event"), [
    ("control_run", "compile"), ("control_spawn", "subprocess.Popen"), ("control_write", "open")])
def test_control_hook_catches_real_execution(tmp_path: Path, call: str, event: str) -> None:
    h = Hostile(tmp_path)
    setup_py = _extract_setup_py(h, _sdists(h)["setup-py-zip"][0], tmp_path)
    out = _run(tmp_path, h, [{"name": "c", "call": call, "target": str(setup_py)}])
    assert any(v.startswith(event) for v in out["violations"]), out
    assert "audit hook" in out["results"]["c"]["error"]
    assert h.fired() == []
