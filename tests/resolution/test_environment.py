"""The target environment probe: this interpreter, another one, and pip's override options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.tags import Tag, sys_tags

from safepip.errors import UsageError
from safepip.pip.request import TargetOptions
from safepip.resolution.environment import (
    TargetInterpreterError,
    probe_target,
    start_probe,
)


def test_current_interpreter_matches_packaging() -> None:
    env = probe_target(TargetOptions())
    assert env.tags[0] == next(iter(sys_tags()))
    assert str(env.python_version).startswith(f"{sys.version_info.major}.{sys.version_info.minor}")


def test_other_interpreter_is_probed_in_a_subprocess(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    dist_info = site / "installedthing-1.2.dist-info"
    dist_info.mkdir()
    metadata = "Metadata-Version: 2.1\nName: InstalledThing\nVersion: 1.2\n"
    (dist_info / "METADATA").write_text(metadata)
    env = probe_target(TargetOptions(python=str(venv / "bin" / "python")))
    assert "installedthing" in env.installed
    assert str(env.installed["installedthing"].version) == "1.2"  # type: ignore[index]


def test_a_probe_started_early_gives_the_same_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    options = TargetOptions(python=str(venv / "bin" / "python"))
    assert start_probe(TargetOptions()) is None  # the running interpreter: read in-process
    with start_probe(options) as started:
        assert started is not None
        assert probe_target(options, started) == probe_target(options)
    other = TargetOptions(python=sys.executable + "-other")
    with start_probe(options) as started, pytest.raises(TargetInterpreterError):
        probe_target(other, started)  # a probe of another interpreter is not taken


def test_a_probe_left_unused_is_ended(tmp_path: Path) -> None:
    with start_probe(TargetOptions(python=sys.executable + "-not-this")) as started:
        assert started is not None
    sleeper = tmp_path / "python"
    sleeper.write_text("#!/bin/sh\nexec sleep 30\n")
    sleeper.chmod(0o755)
    with start_probe(TargetOptions(python=str(sleeper))) as started:
        assert started is not None
        process = started._process
        assert process is not None and process.poll() is None
    assert process.poll() is not None


def test_target_dir_ignores_installed_projects() -> None:
    assert probe_target(TargetOptions(target_dir=os.devnull)).installed == {}


def test_overrides_follow_pip() -> None:
    env = probe_target(TargetOptions(python_version="3.9", platforms=("manylinux2014_x86_64",)))
    assert str(env.python_version) == "3.9.0"
    assert env.tags[0] == Tag("cp39", "cp39", "manylinux2014_x86_64")
    assert Tag("cp39", "cp39", "manylinux1_x86_64") in env.tags
    assert Tag("py3", "none", "any") in env.tags


def test_bad_python_version_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        probe_target(TargetOptions(python_version="three"))


def test_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TargetInterpreterError, match="Could not run"):
        probe_target(TargetOptions(python=str(tmp_path / "nope")))


@pytest.mark.parametrize(("document", "expected"), [
    ("Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n\nName: not-a-header\n", ("Foo", "1.0")),
    ("name: foo\nSummary: x\n  Version: 9 (a continuation, not a header)\nVERSION: 2\n",
     ("foo", "2")),
    ("Metadata-Version: 2.1\nName: first\nName: second\nVersion: 1\n", ("first", "1")),
    ("Metadata-Version: 2.1\nName: headless\n\nVersion: 1.0\n", ("headless", None)),
    ("", (None, None)),
    ("Metadata-Version: 2.1\nnot a header\nName: hidden\nVersion: 1\n", (None, None)),
    ("Name : spaced\nVersion: 1\n", (None, None)),
    ("Name:tight\nVersion:\t3.0 \n", ("tight", "3.0")),
])
def test_installed_metadata_headers_are_read_as_the_email_parser_reads_them(
    document: str, expected: tuple[str | None, str | None],
) -> None:
    from email.parser import HeaderParser

    from safepip.resolution.environment import _name_and_version

    headers = HeaderParser().parsestr(document, headersonly=True)
    assert _name_and_version(document.splitlines(keepends=True)) == expected
    # (the email parser keeps surrounding whitespace, which Version() and names ignore)
    assert tuple(v.strip() if v else v for v in (headers["Name"], headers["Version"])) == expected


def test_installed_projects_without_name_or_version_are_skipped(tmp_path: Path) -> None:
    from safepip.resolution.environment import _installed_projects

    for name, text in {"good-1.0": "Name: good\nVersion: 1.0\n", "noversion-1.0": "Name: x\n",
                       "badversion-1.0": "Name: bad\nVersion: not a version\n"}.items():
        (tmp_path / f"{name}.dist-info").mkdir()
        (tmp_path / f"{name}.dist-info" / "METADATA").write_text(text)
    assert {str(k): str(v.version) for k, v in _installed_projects([str(tmp_path)]).items()} == {
        "good": "1.0"}
