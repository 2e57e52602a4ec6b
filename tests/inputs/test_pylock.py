"""pylock.toml (PEP 751): samples written by `uv export --format pylock.toml` and `pip lock`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.version import Version

from safepip.errors import ExitCode, InputError
from safepip.inputs import read_pylock
from tests.inputs.conftest import DATA, LOCKED_BY_UV, REQUESTS_WHEEL, by_name, lines_hold_headers


def test_pylock_written_by_uv() -> None:
    path = DATA / "pylock.toml"
    packages = read_pylock(path)
    assert [p.name for p in packages] == LOCKED_BY_UV
    lines_hold_headers(path, packages, "[[packages]]")
    requests = by_name(packages)["requests"]
    assert requests.version == Version("2.34.2")
    assert requests.index_url == "https://pypi.org/simple"
    assert requests.files[1] == REQUESTS_WHEEL
    assert requests.files[0].filename == "requests-2.34.2.tar.gz"
    assert requests.files[0].kind == "sdist" and requests.files[1].kind == "wheel"
    assert all(p.vettable_from_index for p in packages)
    assert all(f.sha256 and len(f.sha256) == 64 for p in packages for f in p.files)


def test_pylock_markers_paths_names_and_direct_sources(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("pylock.toml", '''lock-version = "1.0"
created-by = "hand"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"

[[packages.wheels]]
name = "colorama-0.4.6-py2.py3-none-any.whl"
path = "wheels/colorama-0.4.6-py2.py3-none-any.whl"
hashes = {sha256 = "4F1D9991F5ACC0CA119F9D443620B77F9D6B33703E51011C16BAF57AFB285FC6"}

[[packages]]
name = "toolbox"
vcs = {type = "git", url = "https://git.example.org/toolbox.git", commit-id = "4b825dc6"}

[[packages]]
name = "mylib"
directory = {path = "../mylib", editable = true}
''')
    colorama, toolbox, mylib = read_pylock(path)
    assert colorama.name == "colorama" and colorama.marker == Marker("sys_platform == 'win32'")
    assert colorama.source.line == 4 and toolbox.source.line == 14 and mylib.source.line == 18
    (wheel,) = colorama.files
    assert wheel.path == "wheels/colorama-0.4.6-py2.py3-none-any.whl" and wheel.url is None
    assert wheel.sha256 == "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6"
    assert toolbox.direct == "vcs: https://git.example.org/toolbox.git"
    assert toolbox.version is None and not toolbox.vettable_from_index
    assert mylib.direct == "editable: ../mylib"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('lock-version = "2.0"\ncreated-by = "t"\npackages = []\n', "is not supported"),
        ('created-by = "x"\n', "Missing required value in 'lock-version'"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\n'
         '[[packages.wheels]]\nurl = "https://x.example/a-1-py3-none-any.whl"\n',
         "Missing required value in 'packages[0].wheels[0].hashes'"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\n'
         '[[packages.wheels]]\nurl = "https://x.example/a-1-py3-none-any.whl"\n'
         'hashes = {sha256 = "abc"}\n', "'abc' is not a sha256 hex digest"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "not a version"\n'
         'sdist = {url = "https://x.example/a.tar.gz", hashes = {sha256 = "' + "0" * 64 + '"}}\n',
         "Invalid version: 'not a version'"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\n',
         "Exactly one of vcs, directory, archive must be set"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nmarker = "os ==="\n'
         'sdist = {url = "https://x.example/a.tar.gz", hashes = {sha256 = "' + "0" * 64 + '"}}\n',
         "in 'packages[0].marker'"),
    ],
)
def test_pylock_problems_are_input_errors(
    write_file: Callable[[str, str], Path], body: str, message: str,
) -> None:
    body = body.replace("[[packages]]", 'created-by = "t"\n[[packages]]', 1)
    path = write_file("pylock.toml", body)
    with pytest.raises(InputError) as caught:
        read_pylock(path)
    assert message in caught.value.message
    assert caught.value.path == str(path)
    assert caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    "wheel",
    [
        'name = "../../../home/user/.bashrc"\nurl = "https://x.example/a-1-py3-none-any.whl"',
        'url = "https://x.example/files/..%2F..%2Fevil.whl"',
        'path = "wheels/.."',
        'name = "a-1-py3-none-any.whl\\u0000.sh"\nurl = "https://x.example/a"',
    ],
)
def test_file_names_that_could_escape_a_download_directory_are_refused(
    write_file: Callable[[str, str], Path], wheel: str,
) -> None:
    path = write_file("pylock.toml", (
        'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "a"\nversion = "1"\n'
        f'[[packages.wheels]]\n{wheel}\nhashes = {{sha256 = "{"0" * 64}"}}\n'
    ))
    with pytest.raises(InputError, match="Invalid wheel filename"):
        read_pylock(path)


def test_the_first_problem_names_its_package_line(
    write_file: Callable[[str, str], Path],
) -> None:
    path = write_file("pylock.toml", (
        'lock-version = "1.0"\ncreated-by = "t"\n'
        '[[packages]]\nname = "a"\nversion = "x y"\n'
        '[[packages]]\nname = "ok"\nversion = "1"\n'
        f'sdist = {{url = "https://x.example/ok-1.tar.gz", hashes = {{sha256 = "{"0" * 64}"}}}}\n'
        '[[packages]]\nname = "-bad-"\nversion = "1"\n'
    ))
    with pytest.raises(InputError) as caught:
        read_pylock(path)
    assert caught.value.line == 3
    assert "Invalid version: 'x y'" in caught.value.message


def test_pylock_written_by_pip_lock_in_table_form() -> None:
    """`pip lock` writes `[[packages.wheels]]` / `[packages.wheels.hashes]` tables, no `index`."""
    path = DATA / "pip-lock" / "pylock.toml"
    packages = read_pylock(path)
    assert [p.name for p in packages] == [
        "attrs", "certifi", "charset-normalizer", "idna", "requests", "urllib3"]
    lines_hold_headers(path, packages, "[[packages]]")
    requests = by_name(packages)["requests"]
    (wheel,) = requests.files
    assert wheel.filename == "requests-2.34.2-py3-none-any.whl"
    assert wheel.url == "file:///opt/pypi/files/requests-2.34.2-py3-none-any.whl"
    assert wheel.sha256 == REQUESTS_WHEEL.sha256
    assert requests.index_url is None and all(p.vettable_from_index for p in packages)
