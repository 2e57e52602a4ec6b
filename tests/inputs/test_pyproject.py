"""pyproject.toml: dependencies, extras and PEP 735 groups with their lines; bad input refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.errors import ExitCode, InputError
from safepip.inputs import read_pyproject
from safepip.pip.requirement_line import RequirementLine
from tests.inputs.conftest import DATA

SAMPLE = DATA / "pyproject.toml"


def summary(lines: list[RequirementLine]) -> list[tuple[str, int | None]]:
    return [(str(line.requirement), line.source.line) for line in lines]


def test_project_dependencies_with_their_lines() -> None:
    lines = read_pyproject(SAMPLE)
    assert summary(lines) == [
        ("requests<3,>=2.31", 11),
        ("attrs>=23.1", 12),
        ('tomli>=2.0; python_version < "3.11"', 13),
        ("rich[jupyter]~=13.7", 14),
    ]
    assert all(line.source.path == str(SAMPLE) for line in lines)
    assert lines[1].text == "attrs >= 23.1"
    assert all(line.vettable_from_index for line in lines)


def test_extras_are_matched_normalised_and_self_references_expand() -> None:
    yaml_only = read_pyproject(SAMPLE, extras=["yaml"])
    assert summary(yaml_only)[-1] == ("pyyaml>=6.0.1", 18)
    everything = read_pyproject(SAMPLE, extras=["ALL"])
    names = [line.requirement.name for line in everything if line.requirement]
    assert names == ["requests", "attrs", "tomli", "rich", "PySocks", "pyyaml"]
    assert "demo-app" not in {n.lower() for n in names}


def test_dependency_groups_include_other_groups() -> None:
    lines = read_pyproject(SAMPLE, groups=["dev"], include_project=False)
    assert summary(lines) == [
        ("pytest>=8", 28), ("pytest-timeout", 29), ("mypy>=1.10", 31), ("types-requests", 31),
        ("ruff==0.6.9", 35),
    ]


def test_groups_add_to_project_dependencies() -> None:
    lines = read_pyproject(SAMPLE, groups=["typing"])
    assert [str(line.requirement) for line in lines][-2:] == ["mypy>=1.10", "types-requests"]
    assert len(lines) == 6


def test_a_cycle_of_included_groups_is_refused(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pyproject.toml", (
        '[dependency-groups]\n'
        'a = ["six", {include-group = "b"}]\n'
        'b = [{include-group = "C"}]\n'
        'c = [{include-group = "a"}]\n'
    ))
    with pytest.raises(InputError) as caught:
        read_pyproject(path, groups=["a"], include_project=False)
    assert "Cyclic dependency group" in caught.value.message
    assert caught.value.path == str(path)
    assert caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"extras": ["gui"]}, "no extra 'gui'"),
     ({"groups": ["docs"]}, "Dependency group 'docs' not found")],
)
def test_unknown_extras_and_groups_are_refused(kwargs: dict[str, list[str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_pyproject(SAMPLE, **kwargs)  # type: ignore[arg-type]


def test_invalid_requirement_is_reported_with_its_line(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("pyproject.toml", (
        '[project]\nname = "x"\nversion = "1"\n'
        'dependencies = [\n  "requests",\n  "bad name ===",\n  42,\n]\n'
    ))
    with pytest.raises(InputError) as caught:
        read_pyproject(path)
    assert caught.value.line == 6
    assert "'bad name ===' is not a valid requirement" in caught.value.message
    assert "line 4: `dependencies` entries must be requirement strings, not 42" in (
        caught.value.message)


def test_invalid_toml_names_file_and_line(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pyproject.toml", '[project]\nname = "x"\ndependencies = ["a",\n[tool]\n')
    with pytest.raises(InputError) as caught:
        read_pyproject(path)
    assert caught.value.path == str(path) and caught.value.line == 4
    assert caught.value.diagnostics().startswith(f"{path}:4: not valid TOML")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.poetry]\nname = "x"\n', r"no \[project\] table"),
        ('[project]\nname = "x"\ndynamic = ["dependencies"]\n', "dependencies are dynamic"),
        ('[project]\nname = "x"\ndependencies = "requests"\n', "must be a list of strings"),
    ],
)
def test_projects_without_static_dependencies_are_refused(
    write_file: Callable[[str, str], Path], text: str, message: str,
) -> None:
    with pytest.raises(InputError, match=message):
        read_pyproject(write_file("pyproject.toml", text))


def test_group_names_that_normalise_alike_clash(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("pyproject.toml", '[dependency-groups]\nDev = ["a"]\ndev = ["b"]\n')
    with pytest.raises(InputError, match="Duplicate dependency group names: dev"):
        read_pyproject(path, groups=["dev"], include_project=False)


def test_direct_references_are_kept_but_not_vettable_from_an_index(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("pyproject.toml", (
        '[project]\nname = "x"\nversion = "1"\n'
        'dependencies = ["tool @ https://example.org/tool-1.0.tar.gz"]\n'
    ))
    (line,) = read_pyproject(path)
    assert line.url == "https://example.org/tool-1.0.tar.gz"
    assert not line.vettable_from_index and line.source.line == 4


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the file"):
        read_pyproject(tmp_path / "missing" / "pyproject.toml")
