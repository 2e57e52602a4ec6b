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
def hooks() -> dict[str, dict[str, Any]]:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(manifest, list)
    return {hook["id"]: hook for hook in manifest}


def selected_by(hooks: dict[str, dict[str, Any]], path: str) -> list[str]:
    return [hook_id for hook_id, hook in hooks.items() if re.search(hook["files"], path)]


def test_manifest_has_the_keys_pre_commit_reads(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks) == {"safepip-audit", "safepip-audit-lock"}
    for hook in hooks.values():
        assert REQUIRED <= set(hook) <= KNOWN
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True and hook["require_serial"] is True


def test_entry_is_the_installed_console_script_and_a_real_subcommand(
    hooks: dict[str, dict[str, Any]],
) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for hook in hooks.values():
        program, *arguments = shlex.split(hook["entry"])
        assert program in pyproject["project"]["scripts"]
        args, _ = build_parser().parse_known_args([*arguments, "uv.lock"])
        assert args.command == "audit"


@pytest.mark.parametrize(
    ("path", "hook_id", "fmt"),
    [
        ("requirements.txt", "safepip-audit", "requirements"),
        ("requirements-dev.txt", "safepip-audit", "requirements"),
        ("dev-requirements.in", "safepip-audit", "requirements"),
        ("requirements/base.txt", "safepip-audit", "requirements"),
        ("services/api/requirements/prod.txt", "safepip-audit", "requirements"),
        ("docs/requirements.txt", "safepip-audit", "requirements"),
        ("uv.lock", "safepip-audit-lock", "uv.lock"),
        ("app/uv.lock", "safepip-audit-lock", "uv.lock"),
        ("poetry.lock", "safepip-audit-lock", "poetry.lock"),
        ("pylock.toml", "safepip-audit-lock", "pylock"),
        ("pylock.dev.toml", "safepip-audit-lock", "pylock"),
    ],
)
def test_each_input_file_goes_to_exactly_one_hook(
    hooks: dict[str, dict[str, Any]], path: str, hook_id: str, fmt: str,
) -> None:
    assert selected_by(hooks, path) == [hook_id]
    # ... and `safepip audit` reads that name as an input file of the same kind, not as a spec.
    assert format_from_name(Path(path).name) == fmt


@pytest.mark.parametrize(
    "path",
    [
        "README.txt", "pyproject.toml", "setup.cfg", "constraints.txt", "package-lock.json",
        "Pipfile.lock", "pylock.a.b.toml", "notes/requirements.md", "uv.lock.bak",
        "requirements/README.md",
    ],
)
def test_patterns_leave_other_files_alone(hooks: dict[str, dict[str, Any]], path: str) -> None:
    assert selected_by(hooks, path) == []
