"""Lock files from the second robustness sweep (bench/real_files.py over more real files).

Each directory under tests/data/real/ named here holds a file a public project committed (see
SOURCES.md). The tests pin what the sweep found: a uv script lock (`tool.py.lock`) taken for a
package name and read without its roots, ...
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.markers import default_environment

from safepip.cli import main
from safepip.errors import InputError
from safepip.inputs import detect_format, input_file_format, read_lock

REAL = Path(__file__).resolve().parent.parent / "data" / "real"


def target(python: str) -> dict[str, str]:
    """Marker values of a Linux x86_64 CPython `python` target."""
    return {**default_environment(), "python_version": python,
            "python_full_version": f"{python}.0", "sys_platform": "linux",
            "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
            "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def installed(packages: list, python: str) -> set[str]:  # type: ignore[type-arg]
    return {p.name for p in packages if p.applies_to(target(python))}


# --- uv script locks: `uv lock --script tool.py` writes tool.py.lock ---

SCRIPT_LOCK = REAL / "uv-script-lock" / "issue-triage-preview.py.lock"


def test_a_script_lock_is_told_by_its_name() -> None:
    # Before, `safepip audit tool.py.lock` asked the index for a project `tool-py-lock`.
    assert detect_format(SCRIPT_LOCK) == "uv.lock"
    assert input_file_format(str(SCRIPT_LOCK)) == "uv.lock"
    for name in ("flufl.lock", ".py.lock", "py.lock"):
        with pytest.raises(InputError):
            detect_format(name)


def test_a_script_lock_starts_from_its_manifest_requirements() -> None:
    # `[manifest] requirements = [{ name = "httpx" }]` are the roots: anyio needs
    # typing-extensions only below Python 3.13, and a 3.13 install leaves it out. Before, every
    # package of a lock without a project was taken unconditionally.
    packages = read_lock(SCRIPT_LOCK)
    assert [p.name for p in packages] == ["anyio", "certifi", "h11", "httpcore", "httpx", "idna",
                                          "typing-extensions"]
    typing = packages[-1]
    assert str(typing.marker) == 'python_full_version < "3.13"'
    assert installed(packages, "3.11") == {p.name for p in packages}
    assert installed(packages, "3.13") == {p.name for p in packages} - {"typing-extensions"}
    assert all(p.vettable_from_index for p in packages)


def test_a_script_lock_leaves_out_what_its_requirements_do_not_reach(
    write_file: Callable[[str, str], Path],
) -> None:
    text = SCRIPT_LOCK.read_text(encoding="utf-8").replace(
        '[{ name = "httpx" }]',
        """[{ name = "h11" }, { name = "idna", marker = "sys_platform == 'win32'" }]""")
    packages = read_lock(write_file("x.py.lock", text))
    assert [(p.name, str(p.marker) if p.marker else None) for p in packages] == [
        ("h11", None), ("idna", 'sys_platform == "win32"')]
    with pytest.raises(InputError, match=r"the script in this uv\.lock has no extra .* cli"):
        read_lock(write_file("y.py.lock", text), extras=["cli"])


def test_audit_of_a_script_lock_reads_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An unreachable index: the audit must fail on the index (exit 3) with the lock's packages,
    # not look the file name up as a project.
    (tmp_path / SCRIPT_LOCK.name).write_bytes(SCRIPT_LOCK.read_bytes())
    monkeypatch.chdir(tmp_path)
    code = main(["audit", SCRIPT_LOCK.name, "--index-url", "http://127.0.0.1:9/simple"])
    out, err = capsys.readouterr()
    assert "issue-triage-preview-py-lock" not in out + err
    assert code != 0


# --- [manifest.dependency-groups]: a workspace root without [project] ---

_VIRTUAL_ROOT = '''version = 1
revision = 3
requires-python = ">=3.10"

[manifest]
members = ["app"]
requirements = [{ name = "ruff", marker = "sys_platform != 'win32'" }]

[manifest.dependency-groups]
dev = [{ name = "pytest" }]
docs = [{ name = "mkdocs" }]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "app" }

[[package]]
name = "mkdocs"
version = "1.6.1"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://example.invalid/mkdocs-1.6.1-py3-none-any.whl", hash = "sha256:HASH" }]

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://example.invalid/pytest-8.3.3-py3-none-any.whl", hash = "sha256:HASH" }]

[[package]]
name = "ruff"
version = "0.8.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://example.invalid/ruff-0.8.0-py3-none-any.whl", hash = "sha256:HASH" }]
'''.replace("HASH", "a" * 64)


def test_a_project_less_workspace_root_installs_its_manifest_groups(
    write_file: Callable[[str, str], Path],
) -> None:
    # `uv sync` in a virtual workspace installs the root's requirements and its `dev` group;
    # they are recorded only in the manifest. Before, they were left out of the audit.
    lock = write_file("ws/uv.lock", _VIRTUAL_ROOT)
    packages = read_lock(lock)
    assert [(p.name, str(p.marker) if p.marker else None) for p in packages] == [
        ("app", None), ("pytest", None), ("ruff", 'sys_platform != "win32"')]
    assert [p.name for p in read_lock(lock, groups=["docs"])] == ["app", "mkdocs", "pytest",
                                                                 "ruff"]
    broken = write_file("bad/uv.lock", _VIRTUAL_ROOT.replace(
        'requirements = [{ name = "ruff"', 'requirements = [{ nam = "ruff"'))
    with pytest.raises(InputError) as caught:
        read_lock(broken)
    assert caught.value.line == 5
