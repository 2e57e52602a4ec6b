"""The pre-commit hook: a valid manifest whose entry is a real safepip command and whose file
pattern picks requirements and lock files and nothing else."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from safepip.cli import build_parser
from safepip.inputs.detect import format_from_name

ROOT = Path(__file__).resolve().parent.parent.parent
REQUIRED = {"id", "name", "entry", "language"}
KNOWN = REQUIRED | {
    "alias", "files", "exclude", "types", "types_or", "exclude_types", "always_run", "fail_fast",
    "verbose", "pass_filenames", "require_serial", "description", "language_version",
    "minimum_pre_commit_version", "args", "stages", "additional_dependencies",
}


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(manifest, list) and len(manifest) == 1
    entry: dict[str, Any] = manifest[0]
    return entry


def test_manifest_has_the_keys_pre_commit_reads(hook: dict[str, Any]) -> None:
    assert REQUIRED <= set(hook) <= KNOWN
    assert hook["id"] == "safepip-audit"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True


def test_entry_is_the_installed_console_script_and_a_real_subcommand(hook: dict[str, Any]) -> None:
    program, *arguments = shlex.split(hook["entry"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert program in pyproject["project"]["scripts"]
    args, _ = build_parser().parse_known_args([*arguments, "uv.lock"])
    assert args.command == "audit"


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt", "requirements-dev.txt", "dev-requirements.in", "requirements.in",
        "requirements/base.txt", "services/api/requirements/prod.txt", "docs/requirements.txt",
        "uv.lock", "app/uv.lock", "poetry.lock", "pylock.toml", "pylock.dev.toml",
    ],
)
def test_pattern_selects_requirements_and_lock_files(hook: dict[str, Any], path: str) -> None:
    assert re.search(hook["files"], path)
    # Every selected name is one `safepip audit` reads as an input file, not as a spec.
    assert format_from_name(Path(path).name) in {"requirements", "pylock", "uv.lock",
                                                 "poetry.lock"}


@pytest.mark.parametrize(
    "path",
    [
        "README.txt", "pyproject.toml", "setup.cfg", "constraints.txt", "package-lock.json",
        "Pipfile.lock", "pylock.a.b.toml", "notes/requirements.md", "uv.lock.bak",
        "requirements/README.md",
    ],
)
def test_pattern_leaves_other_files_alone(hook: dict[str, Any], path: str) -> None:
    assert not re.search(hook["files"], path)
