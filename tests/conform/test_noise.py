"""Issue 13 item 8: no noise - mirrors are not confusion, ignores cover a rule everywhere,
nothing is said twice."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.cli import main
from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]


def _two_indexes(tmp_path: Path, index_server: Factory) -> tuple[IndexServer, IndexServer]:
    """Two indexes with the same bytes for the chosen files, each also serving releases the
    other lacks: neither is a mirror of the other."""
    orchard = make_wheel(tmp_path / "a", "orchard", "1.0", requires_dist=["pear-lib"])
    pear = make_wheel(tmp_path / "a", "pear-lib", "0.3")
    first = index_server([orchard, pear, make_wheel(tmp_path / "c", "orchard", "0.8"),
                          make_wheel(tmp_path / "c", "pear-lib", "0.1")])
    mirror = index_server([orchard, pear, make_wheel(tmp_path / "b", "orchard", "0.9"),
                           make_wheel(tmp_path / "b", "pear-lib", "0.2")])
    return first, mirror


def test_an_identical_or_partial_mirror_is_silent(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wheel = make_wheel(tmp_path / "a", "orchard", "1.0")
    first = index_server([wheel, make_wheel(tmp_path / "b", "orchard", "0.9")])
    mirror = index_server([wheel])
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "orchard", "--index-url", first.index_url, "--extra-index-url",
                 mirror.index_url, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["verdict"] == "allow" and report["findings"] == []


def test_an_ignore_entry_without_a_package_covers_every_package(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, mirror = _two_indexes(tmp_path, index_server)
    monkeypatch.chdir(tmp_path)
    args = ["audit", "orchard", "--index-url", first.index_url, "--extra-index-url",
            mirror.index_url, "--format", "json"]
    assert main(args) == 0
    noisy = json.loads(capsys.readouterr().out)
    assert {f["package"] for f in noisy["findings"]} == {"orchard", "pear-lib"}
    Path("safepip.toml").write_text(
        '[[ignore]]\nrule = "resolve/multiple-indexes"\n'
        'reason = "our mirror lags the primary index; reviewed"\n')
    assert main(args) == 0
    quiet = json.loads(capsys.readouterr().out)
    assert quiet["findings"] == [] and quiet["verdict"] == "allow"


@pytest.mark.integration
def test_without_a_terminal_nothing_is_said_twice(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    first, mirror = _two_indexes(tmp_path, index_server)
    venv = make_venv(tmp_path / "venv")
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "install", "--python", str(venv), "--index-url",
         first.index_url, "--extra-index-url", mirror.index_url, "orchard"],
        env=pip_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    both = result.stdout + result.stderr
    assert both.count("resolve/multiple-indexes") == 2  # one finding per package, once each
    links = [line for line in both.splitlines() if line.startswith("Looking in links:")]
    assert len(links) == 1 and ", " not in links[0], links
    assert installed_in(venv, pip_env) == {"orchard": "1.0", "pear-lib": "0.3"}


@pytest.mark.integration
@pytest.mark.parametrize("flag", ["--no-input", "--no-inp"])
def test_no_input_in_any_spelling_pip_takes_never_prompts(
    flag: str, tmp_path: Path, index_server: Factory, make_venv: VenvFactory,
    pip_env: dict[str, str],
) -> None:
    from tests.integration.test_handoff_pip import _on_terminal

    first, mirror = _two_indexes(tmp_path, index_server)
    venv = make_venv(tmp_path / "venv")
    argv = [sys.executable, "-m", "safepip", "install", flag, "--python", str(venv),
            "--index-url", first.index_url, "--extra-index-url", mirror.index_url, "orchard"]
    code, output = _on_terminal(argv, pip_env, tmp_path, b"")
    assert code == 0, output
    assert "Proceed? [y/N]" not in output and "resolve/multiple-indexes" in output
    assert installed_in(venv, pip_env) == {"orchard": "1.0", "pear-lib": "0.3"}
