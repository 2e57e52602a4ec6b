"""Handoff to pip: pins, argv, environment, pass-through screening, staging, cleanup.

The last tests run a recording stand-in for the interpreter (a real executable that writes what
it was given); real pip runs in tests/integration/test_handoff_pip.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.errors import ExitCode, HashMismatchError, SafepipError, UsageError
from safepip.pip.handoff import (
    VettedFile,
    build_pip_command,
    check_passthrough,
    handoff,
    pinned_requirement_lines,
    pip_environment,
    placement_from_pip_config,
    resolve_interpreter,
    run_pip,
    stage_vetted_files,
)
from safepip.pip.process import pip_argv


def _vetted(tmp_path: Path, name: str, version: str, *, data: bytes | None = None,
            build: bool = False, suffix: str = "-py3-none-any.whl") -> VettedFile:
    payload = data if data is not None else f"{name}-{version}".encode()
    filename = f"{name.replace('-', '_')}-{version}{suffix}"
    path = tmp_path / "downloads" / filename
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(payload)
    return VettedFile(canonicalize_name(name), Version(version), filename,
                      hashlib.sha256(payload).hexdigest(), path, build)


def test_pins_cover_installed_files_only_sorted(tmp_path: Path) -> None:
    b, a, tools = (_vetted(tmp_path, "b", "2.0"), _vetted(tmp_path, "a-pkg", "1.0"),
                   _vetted(tmp_path, "setuptools", "70.0", build=True))
    lines = pinned_requirement_lines([b, a, tools])
    assert lines == [f"a-pkg==1.0 --hash=sha256:{a.sha256}", f"b==2.0 --hash=sha256:{b.sha256}"]


def test_two_files_of_one_release_share_a_line_and_duplicates_collapse(tmp_path: Path) -> None:
    wheel = _vetted(tmp_path, "a", "1.0")
    sdist = _vetted(tmp_path, "a", "1.0", data=b"sdist", suffix=".tar.gz")
    shouting = VettedFile(wheel.name, wheel.version, wheel.filename, wheel.sha256.upper(),
                          wheel.path)
    (line,) = pinned_requirement_lines([wheel, sdist, shouting])
    assert line == f"a==1.0 --hash=sha256:{wheel.sha256} --hash=sha256:{sdist.sha256}"


def test_one_name_at_two_versions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SafepipError, match="two versions"):
        pinned_requirement_lines([_vetted(tmp_path, "a", "1.0"), _vetted(tmp_path, "a", "2.0")])


def test_command_is_an_argv_list_with_passthrough_last(tmp_path: Path) -> None:
    command = build_pip_command("/py", tmp_path / "v", tmp_path / "r.txt", ["--user", "-q"])
    assert command == [
        *pip_argv("/py", []), "install", "--no-deps", "--require-hashes", "--no-index",
        "--no-cache-dir", "--find-links", str(tmp_path / "v"), "-r", str(tmp_path / "r.txt"),
        "--user", "-q",
    ]


def test_environment_neutralises_pip_sources_and_keeps_placement(tmp_path: Path) -> None:
    user_env = {
        "PATH": "/bin", "HOME": "/home/u", "PIP_FIND_LINKS": "/opt/wheels",
        "PIP_INDEX_URL": "https://evil.example/simple", "PIP_EXTRA_INDEX_URL": "file:///x",
        "PIP_CONSTRAINT": "/c.txt", "PIP_REQUIREMENT": "/r.txt", "PIP_BUILD_CONSTRAINT": "/b",
        "pip_find_links": "/lower", "PIP_CONFIG_FILE": "/home/u/pip.conf", "PIP_NO_INDEX": "0",
        "PIP_PREFIX": "/p", "PIP_ROOT": "/r", "PIP_BREAK_SYSTEM_PACKAGES": "1",
        "PIP_USER": "1", "PIP_TARGET": "/t", "PIP_UPGRADE": "1",
    }
    env = pip_environment(user_env, tmp_path / "vetted")
    assert env["PIP_CONFIG_FILE"] == os.devnull
    assert env["PIP_NO_INDEX"] == "1" and "PIP_FIND_LINKS" not in env  # DIR: command line only
    for gone in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_REQUIREMENT",
                 "PIP_BUILD_CONSTRAINT", "pip_find_links",
                 # interpreted by safepip's request parser and handed over as options instead:
                 "PIP_USER", "PIP_TARGET", "PIP_UPGRADE"):
        assert gone not in env
    kept = (env["PIP_PREFIX"], env["PIP_ROOT"], env["PIP_BREAK_SYSTEM_PACKAGES"])
    assert kept == ("/p", "/r", "1")
    assert (env["PATH"], env["HOME"]) == ("/bin", "/home/u")


@pytest.mark.parametrize("args", [
    [], ["--user"], ["--target", "/t"], ["-t", "/t"], ["--prefix=/p"], ["--root", "/r"],
    ["-q"], ["-qq"], ["-vv"], ["--no-compile"], ["--force-reinstall"], ["-U"], ["--pre"],
    ["--no-build-isolation"], ["-C", "key=value"], ["--config-settings", "k=v"],
    ["--report", "-"], ["--no-warn-script-location"], ["-tfoo"], ["--require-virtualenv"],
    ["--python-version", "3.11"], ["--platform", "any"], ["--timeout", "30"], ["--src", "/s"],
    ["--ignore-installed"], ["--exists-action", "w"], ["--isolated"],
])
def test_passthrough_accepts_placement_and_output_options(args: list[str]) -> None:
    check_passthrough(args)


@pytest.mark.parametrize("args", [
    ["-i", "https://x"], ["--index-url=https://x"], ["--index", "https://x"],
    ["--extra-index-url", "https://x"], ["--extra", "https://x"], ["-f", "/d"], ["-f/d"],
    ["-qf", "/d"], ["--find-links", "/d"], ["--find=/d"], ["-c", "c.txt"], ["--constraint=c"],
    ["-r", "r.txt"], ["-Ur", "r.txt"], ["-e", "."], ["--editable", "."],
    ["--build-constraint", "b.txt"], ["--python", "/py"], ["--", "evil"], ["--group", "dev"],
    ["--requirements-from-script", "s.py"],
])
def test_passthrough_refuses_options_that_add_sources(args: list[str]) -> None:
    with pytest.raises(UsageError) as raised:
        check_passthrough(["--user", *args])
    assert raised.value.exit_code == ExitCode.USAGE
    assert "did not vet" in raised.value.diagnostics()


def test_staging_copies_exactly_the_vetted_files(tmp_path: Path) -> None:
    files = [_vetted(tmp_path, "a", "1.0"), _vetted(tmp_path, "setuptools", "70", build=True)]
    target = tmp_path / "stage"
    target.mkdir()
    stage_vetted_files([*files, files[0]], target)
    assert sorted(p.name for p in target.iterdir()) == sorted(f.filename for f in files)
    assert (target / files[0].filename).read_bytes() == files[0].path.read_bytes()


def test_staging_refuses_bytes_changed_after_vetting(tmp_path: Path) -> None:
    file = _vetted(tmp_path, "a", "1.0")
    file.path.write_bytes(b"swapped after vetting")
    target = tmp_path / "stage"
    target.mkdir()
    with pytest.raises(HashMismatchError, match="changed after it was vetted") as raised:
        stage_vetted_files([file], target)
    assert raised.value.exit_code == ExitCode.INCOMPLETE


@pytest.mark.parametrize("filename", ["../evil.whl", "sub/evil.whl", "..", ""])
def test_staging_refuses_unsafe_file_names(tmp_path: Path, filename: str) -> None:
    file = _vetted(tmp_path, "a", "1.0")
    bad = VettedFile(file.name, file.version, filename, file.sha256, file.path)
    with pytest.raises(SafepipError, match="unsafe file name"):
        stage_vetted_files([bad], tmp_path)


def test_nothing_to_install_does_not_run_pip(tmp_path: Path) -> None:
    build_only = _vetted(tmp_path, "setuptools", "70", build=True)
    assert handoff([build_only], python="/nonexistent/python", passthrough=[], environ={}) == 0


def test_missing_interpreter_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Cannot run /nonexistent/python"):
        handoff([_vetted(tmp_path, "a", "1.0")], python="/nonexistent/python", passthrough=[],
                environ={})


def test_environment_directory_stands_for_its_interpreter(tmp_path: Path) -> None:
    (tmp_path / "env" / "bin").mkdir(parents=True)
    (tmp_path / "env" / "bin" / "python").write_text("")
    assert resolve_interpreter(str(tmp_path / "env")) == str(tmp_path / "env" / "bin" / "python")
    assert resolve_interpreter("/usr/bin/python3") == "/usr/bin/python3"


def test_signal_exit_is_reported_like_a_shell() -> None:
    kill_self = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    assert run_pip([sys.executable, "-c", kill_self], dict(os.environ)) == 128 + 15


def _write_pip_conf(tmp_path: Path) -> Path:
    path = tmp_path / "pip.conf"
    path.write_text("[global]\nbreak-system-packages = true\nfind-links = /opt/wheels\n"
                    "prefix = /from-global\n[install]\nconstraint = /c.txt\n"
                    "prefix = /from-install-section\n", encoding="utf-8")
    return path


def test_placement_from_pip_config_keeps_only_allow_listed_settings(tmp_path: Path) -> None:
    environ = {"PIP_CONFIG_FILE": str(_write_pip_conf(tmp_path)), "HOME": str(tmp_path)}
    placement = placement_from_pip_config(environ, sys.executable)
    assert placement == {"PIP_BREAK_SYSTEM_PACKAGES": "true", "PIP_PREFIX": "/from-install-section"}
    env = pip_environment({"PIP_PREFIX": "/from-env"}, tmp_path, placement)
    assert env["PIP_PREFIX"] == "/from-env"  # variables beat config files, as in pip
    assert env["PIP_BREAK_SYSTEM_PACKAGES"] == "true"


RECORDER = textwrap.dedent('''\
    #!{python}
    import json, os, sys
    links = sys.argv[sys.argv.index("--find-links") + 1]
    reqs = sys.argv[sys.argv.index("-r") + 1]
    json.dump({{"argv": sys.argv[1:], "links": links, "listing": sorted(os.listdir(links)),
               "mode": os.stat(os.path.dirname(links)).st_mode & 0o777,
               "requirements": open(reqs).read(),
               "env": {{k: v for k, v in os.environ.items() if k.startswith("PIP_")}}}},
              open(os.environ["RECORD_TO"], "w"))
    sys.exit(7)
''')


def test_handoff_runs_the_interpreter_with_staged_files_and_cleans_up(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text(RECORDER.format(python=sys.executable))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    files = [_vetted(tmp_path, "a", "1.0"), _vetted(tmp_path, "setuptools", "70", build=True)]
    record = tmp_path / "record.json"
    environ = {"RECORD_TO": str(record), "PIP_FIND_LINKS": "/opt/wheels", "PIP_ROOT": "/r",
               "PIP_CONFIG_FILE": str(_write_pip_conf(tmp_path))}
    code = handoff(files, python=str(fake), passthrough=["--user", "-q"], environ=environ)
    assert code == 7  # pip's exit code passes through
    seen = json.loads(record.read_text())
    assert seen["argv"][0] == "-c" and "runpy.run_module(\"pip\"" in seen["argv"][1]
    assert seen["argv"][2:5] == ["install", "--no-deps", "--require-hashes"]
    assert seen["argv"][-2:] == ["--user", "-q"]
    assert seen["listing"] == sorted(f.filename for f in files)
    assert seen["mode"] == 0o700
    assert seen["requirements"] == f"a==1.0 --hash=sha256:{files[0].sha256}\n"
    assert "PIP_FIND_LINKS" not in seen["env"]  # the user's is dropped; DIR is on the command line
    assert seen["env"]["PIP_NO_INDEX"] == "1" and seen["env"]["PIP_ROOT"] == "/r"
    assert seen["env"]["PIP_CONFIG_FILE"] == os.devnull
    assert seen["env"]["PIP_BREAK_SYSTEM_PACKAGES"] == "true"  # carried over from the file
    assert seen["env"]["PIP_PREFIX"] == "/from-install-section"
    assert "PIP_CONSTRAINT" not in seen["env"]
    assert not Path(seen["links"]).exists()  # the vetted directory was cleaned up


def test_an_sdist_without_a_builder_is_refused_not_built_unconfined(tmp_path: Path) -> None:
    """The handoff never lets pip build an sdist itself: the pipeline's cage builds it, and a
    handoff given no builder refuses before pip runs."""
    sdist = _vetted(tmp_path, "needs-build", "1.0", suffix=".tar.gz")
    with pytest.raises(UsageError, match="no build cage"):
        handoff([sdist], python=sys.executable, passthrough=[], environ={"PATH": os.defpath})


def test_the_builder_replaces_each_sdist_with_what_it_built(tmp_path: Path) -> None:
    sdist = _vetted(tmp_path, "needs-build", "1.0", suffix=".tar.gz")
    seen: list[list[str]] = []

    def refuse_all(files: Sequence[VettedFile], vetted_dir: Path, python: str,
                   env: Mapping[str, str]) -> Sequence[VettedFile]:
        seen.append([f.filename for f in files])
        assert (vetted_dir / sdist.filename).is_file()  # staged (hash-checked) before building
        raise UsageError("built nothing")

    with pytest.raises(UsageError, match="built nothing"):
        handoff([sdist], python=sys.executable, passthrough=[], environ={"PATH": os.defpath},
                build_sdists=refuse_all)
    assert seen == [[sdist.filename]]
