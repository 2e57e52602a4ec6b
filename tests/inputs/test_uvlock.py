"""uv.lock: samples written by `uv lock` (against PyPI, and against a file-system index)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safepip.errors import InputError
from safepip.inputs import LockedFile, read_uv_lock
from tests.inputs.conftest import DATA, LOCKED_BY_UV, REQUESTS_WHEEL, by_name, lines_hold_headers


def test_uv_lock_written_by_uv() -> None:
    path = DATA / "uv.lock"
    packages = read_uv_lock(path, extras=["yaml"])
    assert [p.name for p in packages] == [*LOCKED_BY_UV[:3], "demo-app", *LOCKED_BY_UV[3:]]
    lines_hold_headers(path, packages, "[[package]]")
    found = by_name(packages)
    root = found.pop("demo-app")
    assert root.direct == "virtual: ." and root.files == () and not root.vettable_from_index
    assert all(p.vettable_from_index and p.index_url == "https://pypi.org/simple"
               for p in found.values())
    assert found["requests"].files[1] == REQUESTS_WHEEL
    assert [f.kind for f in found["charset-normalizer"].files] == ["sdist"] + ["wheel"] * 4


def test_uv_lock_against_a_local_index_records_paths() -> None:
    packages = by_name(read_uv_lock(DATA / "uv-local-index" / "uv.lock"))
    (wheel,) = packages["attrs"].files
    assert wheel == LockedFile(
        filename="attrs-26.1.0-py3-none-any.whl", url=None,
        sha256="c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309",
        path="/opt/pypi/files/attrs-26.1.0-py3-none-any.whl",
    )
    assert packages["attrs"].index_url == "/opt/pypi/simple"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("version = 2\n", "uv.lock version 2 is not supported"),
        ('version = 1\n[[package]]\nname = "a"\nversion = "1"\n', "`source` must be a table"),
        ('version = 1\n[[package]]\nname = "a"\nversion = "1"\n'
         'source = { registry = "https://pypi.org/simple" }\n',
         "a registry package lists no `sdist` or `wheels`"),
        ('version = 1\n[[package]]\nname = "a"\nversion = "1"\n'
         'source = { registry = "https://pypi.org/simple" }\n'
         'wheels = [{ url = "https://x.example/a-1-py3-none-any.whl", hash = "deadbeef" }]\n',
         "is not an `algorithm:digest` hash"),
        ('version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { magic = "x" }\n',
         "unknown `source` kind ['magic']"),
        ('version = 1\npackage = [1, 2]\n', "`package` must be an array of tables"),
        # found by tests/test_fuzz_locks.py: a root's groups were read outside the collector
        ('version = 1\n[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\n'
         'dev-dependencies = ""\n', "optional and dev dependencies must be tables of arrays"),
    ],
)
def test_uv_lock_problems_are_input_errors(
    write_file: Callable[[str, str], Path], body: str, message: str,
) -> None:
    with pytest.raises(InputError) as caught:
        read_uv_lock(write_file("uv.lock", body))
    assert message in caught.value.message


def test_uv_lock_git_source_is_direct(write_file: Callable[[str, str], Path]) -> None:
    path = write_file("uv.lock", (
        'version = 1\nrevision = 3\n\n[[package]]\nname = "toolbox"\nversion = "0.9.0"\n'
        'source = { git = "https://git.example.org/toolbox.git?rev=main#4b825dc6" }\n'
    ))
    (toolbox,) = read_uv_lock(path)
    assert toolbox.direct == "git: https://git.example.org/toolbox.git?rev=main#4b825dc6"
    assert toolbox.source.line == 4 and not toolbox.vettable_from_index


def test_a_lock_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b'version = 1\n# \xff\xfe\n')
    with pytest.raises(InputError, match="not UTF-8"):
        read_uv_lock(path)


def test_uv_lock_selects_what_the_project_reaches() -> None:
    """uv.lock is universal: pyyaml is only the `yaml` extra's, iniconfig the `dev` group's."""
    path = DATA / "uv.lock"
    default = [p.name for p in read_uv_lock(path)]
    assert default == [n for n in [*LOCKED_BY_UV[:3], "demo-app", *LOCKED_BY_UV[3:]]
                       if n != "pyyaml"]
    with pytest.raises(InputError, match="no extra or group named docs"):
        read_uv_lock(path, groups=["docs"])


def test_uv_lock_edge_markers_become_package_markers(
    write_file: Callable[[str, str], Path],
) -> None:
    wheel = 'wheels = [{{ url = "https://x.example/{0}-1-py3-none-any.whl", hash = "sha256:{1}" }}]'
    path = write_file("uv.lock", (
        'version = 1\nrequires-python = ">=3.11"\n'
        '[[package]]\nname = "app"\nversion = "0"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "a", marker = "python_full_version >= \'3.12\'" }, '
        '{ name = "b" }]\n'
        '[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://x.example" }\n'
        'dependencies = [{ name = "c", marker = "sys_platform == \'win32\'" }]\n'
        + wheel.format("a", "1" * 64) + '\n'
        '[[package]]\nname = "b"\nversion = "1"\nsource = { registry = "https://x.example" }\n'
        'dependencies = [{ name = "c" }]\n' + wheel.format("b", "2" * 64) + '\n'
        '[[package]]\nname = "c"\nversion = "1"\nsource = { registry = "https://x.example" }\n'
        + wheel.format("c", "3" * 64) + '\n'
        '[[package]]\nname = "orphan"\nversion = "1"\nsource = { registry = "https://x.example" }\n'
        + wheel.format("orphan", "4" * 64) + '\n'
    ))
    found = by_name(read_uv_lock(path))
    assert sorted(found) == ["a", "app", "b", "c"]
    assert found["a"].marker is not None and found["b"].marker is None
    assert found["c"].marker is None  # b needs it everywhere
    linux_311 = {"python_full_version": "3.11.9", "python_version": "3.11",
                 "sys_platform": "linux"}
    assert not found["a"].applies_to(linux_311)
    assert found["a"].applies_to({**linux_311, "python_full_version": "3.12.1"})
