"""Lock files from the second robustness sweep (bench/real_files.py over more real files).

Each directory under tests/data/real/ named here holds a file a public project committed (see
SOURCES.md). The tests pin what the sweep found: a uv script lock (`tool.py.lock`) taken for a
package name and read without its roots, a project-less workspace root's manifest requirements and
groups left out; and what the other new files read to, so that a later change that reads them
differently shows here (formats that record no markers are read whole: more than an install takes,
never less).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.markers import default_environment

from safepip.cli import main
from safepip.errors import InputError
from safepip.inputs import detect_format, input_file_format, read_lock
from safepip.pip.request import InstallRequest, parse_install_args

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
    # they are recorded only in the manifest. Before, they were left out of the audit. Seen in a
    # real lock (NixBiks/uv-monorepo-template, `[manifest] requirements = [{ name = "ruff" ...`,
    # the project-less root's `tool.uv.dev-dependencies`): ruff was the one package of 44 that
    # the audit skipped. That repository has no licence, so the lock stays in the bench's cache
    # and this lock has the same shape.
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


# --- lock files whose format records less than uv's: read as the tool would install them ---

def test_uv_lock_from_a_local_registry_keeps_paths_and_variant_wheels() -> None:
    # A registry that is a directory (`../../../files`), wheels by path without a hash, and
    # wheel-variant names (`...-any-cpu1.whl`): every file is kept as locked, none invented.
    packages = read_lock(REAL / "uv-lock-wheel-variants" / "uv.lock")
    assert [p.name for p in packages] == ["anyio", "built-by-uv", "cpu-user", "idna", "sniffio"]
    variants = packages[1]
    assert variants.index_url == "../../../files"
    assert [f.filename for f in variants.files] == [
        f"built_by_uv-0.1.0-py3-none-any-cpu{n}.whl" for n in range(1, 5)]
    assert all(f.path == f.filename and f.sha256 is None and f.url is None
               for p in packages for f in p.files)
    assert packages[2].direct == "editable: ."


def test_pip_lock_lists_one_environments_wheels_without_markers() -> None:
    # `pip lock` locks what one machine installs: no markers, so every package applies to any
    # target; the compiled projects only have their Windows wheels.
    packages = read_lock(REAL / "pip-pylock-windows-only" / "pylock.toml")
    assert len(packages) == 10
    assert all(p.marker is None for p in packages)
    assert installed(packages, "3.13") == {p.name for p in packages}
    windows_only = {p.name for p in packages
                    if all(f.filename.endswith("-win_amd64.whl") for f in p.files)}
    assert windows_only == {"pillow", "pillow-avif-plugin", "pillow-heif", "pillow-jxl-plugin",
                            "pygame", "pyyaml"}
    assert all(f.sha256 and f.url and f.url.endswith(f.filename) for p in packages
               for f in p.files)


def test_pdm_lock_without_package_groups_or_markers_takes_every_package() -> None:
    # lock_version 4.4 before `inherit_metadata` says neither which group needs a package nor
    # under which marker: pdm works that out from the pyproject at install time. Read alone, the
    # lock gives no ground to leave anything out, so the macOS-only pyobjc packages and the dev
    # tools are all vetted (more than a Linux install takes, never less).
    packages = read_lock(REAL / "pdm-lock-4.4-no-package-groups" / "pdm.lock")
    assert len(packages) == 14
    assert installed(packages, "3.11") == {p.name for p in packages}
    assert {"pyobjc-core", "pyobjc-framework-cocoa", "mypy", "ruff"} <= {p.name for p in packages}


def test_poetry_file_source_is_direct_and_an_index_package_without_files_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        read_lock(REAL / "poetry-lock-file-source" / "with-file-dependency.test", "poetry.lock")
    message = caught.value.diagnostics()
    assert "pendulum: no `files` are locked" in message
    assert "demo" not in message  # the file source itself is read: it is direct
    assert caught.value.line == 20  # pendulum's `[[package]]`


# --- requirements files: index options anywhere, -r relative to the including file ---

def read_requirements(path: Path) -> InstallRequest:
    return parse_install_args(["-r", str(path)], environ={}, cwd=path.parent, config_files=[])


def test_index_options_and_nested_files_of_pytorch_serve() -> None:
    serve = REAL / "requirements-torch-serve"
    cuda = read_requirements(serve / "torch_cu121_linux.txt")
    assert cuda.index.extra_index_urls == ("https://download.pytorch.org/whl/cu121",)
    assert [(str(line.requirement), Path(line.source.path).name, line.source.line)
            for line in cuda.requirements] == [
        ("cython==3.0.5", "torch_common.txt", 1), ("wheel==0.42.0", "torch_common.txt", 2),
        ("pillow==10.0.1", "torch_common.txt", 3),
        ('numpy==1.24.3; sys_platform != "win32"', "torch_common.txt", 4),
        ('numpy==1.22.0; sys_platform == "win32"', "torch_common.txt", 5),
        ('torch==2.2.0+cu121; sys_platform == "linux"', "torch_cu121_linux.txt", 4),
        ('torchvision==0.17.0+cu121; sys_platform == "linux"', "torch_cu121_linux.txt", 5),
        ('torchtext==0.17.0; sys_platform == "linux"', "torch_cu121_linux.txt", 6),
        ('torchaudio==2.2.0+cu121; sys_platform == "linux"', "torch_cu121_linux.txt", 7)]
    linux = [r for line in cuda.requirements if (r := line.requirement)
             and (r.marker is None or r.marker.evaluate(target("3.11")))]
    assert [str(r.specifier) for r in linux if r.name == "numpy"] == ["==1.24.3"]
    stable = read_requirements(serve / "torch_linux.txt")
    assert stable.index.find_links == ("https://download.pytorch.org/whl/torch_stable.html",)
    rocm = read_requirements(serve / "torch_rocm62.txt")
    assert rocm.index.index_url == "https://download.pytorch.org/whl/rocm6.2"
    assert rocm.index.extra_index_urls == ()


def test_an_index_option_after_the_requirements_applies_to_the_whole_file() -> None:
    path = REAL / "requirements-extra-index-midfile" / "requirements-optional.txt"
    assert not path.read_bytes().endswith(b"\n")
    request = read_requirements(path)
    assert request.index.extra_index_urls == ("https://pypi.python.org/simple",)
    assert [str(line.requirement) for line in request.requirements] == [
        "tiktoken>=0.3.2", "pydub>=0.25.1", "SpeechRecognition", "gTTS>=2.3.1", "pyttsx3>=2.90",
        "baidu_aip>=4.16.10", "dulwich", "wechaty>=0.10.7", "wechaty_puppet>=0.4.23",
        "pysilk_mod>=1.6.0", "web.py", "chatgpt_tool_hub>=0.3.5"]
    assert request.requirements[-1].source.line == 24
