"""The project's own hygiene: linters clean, no dangerous patterns in safepip itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DANGEROUS = re.compile(
    r"(^|[^._a-zA-Z])(eval|exec)\(|shell=True|pickle\.loads?\(|yaml\.load\("
    r"|tempfile\.mktemp\(|os\.system\("
)


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return path


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "safepip", "tests", "bench", "scripts"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_is_clean() -> None:
    result = subprocess.run(
        [_tool("bandit"), "-q", "-r", "safepip", "-c", "pyproject.toml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_dangerous_calls_in_safepip() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "safepip").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DANGEROUS.search(line)
    ]
    assert hits == []


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "safepip"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_wheel_ships_the_top_level_data(tmp_path: Path) -> None:
    """`data/` lives at the top of the repository (the layout) and must still reach the wheel."""
    env = {"PATH": str(Path(sys.executable).parent), "PIP_CONFIG_FILE": "/dev/null",
           "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(tmp_path / "dist"), str(ROOT)],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").glob("safepip-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"safepip/data/top_packages.json", "safepip/data/known_malicious.json"} <= names
