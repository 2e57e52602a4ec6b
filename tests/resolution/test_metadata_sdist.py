"""Rungs 3-5 on real sdists: PKG-INFO (PEP 643), pyproject, setup.cfg, setup.py, unknown."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from safepip.errors import ArchiveError
from safepip.resolution import archive_members
from safepip.resolution.metadata import (
    MetadataInvalidError,
    MetadataMismatchError,
    StaticMetadata,
    inspect_sdist,
    metadata_from_sdist_file,
)
from tests.kit.archives import make_sdist, metadata_text

SETUP_MIN = "from setuptools import setup\nsetup()\n"
PYPROJECT_SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n')


def _tar(path: Path, members: dict[str, str | bytes], links: dict[str, str] | None = None) -> Path:
    """An sdist built by hand, for shapes the kit does not make (no PKG-INFO, links)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return path


def _deps(meta: StaticMetadata) -> list[str]:
    return [str(r) for r in meta.requires_dist]


def test_pkg_info_2_2_with_static_requires_dist_answers(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", metadata_version="2.2",
                       requires_dist=["a>=1", "b; extra == 'x'"],
                       pyproject_toml=PYPROJECT_SETUPTOOLS + '[project]\nname="demo"\n'
                       'version="1.0"\ndependencies=["IGNORED"]\n')
    meta = metadata_from_sdist_file(sdist)
    assert (meta.source, meta.name, str(meta.version)) == ("pkg-info", "demo", "1.0")
    assert _deps(meta) == ["a>=1", 'b; extra == "x"']
    assert "PEP 643" in meta.detail and meta.metadata_version == "2.2"


def test_pkg_info_2_2_with_no_requires_dist_means_no_dependencies(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", metadata_version="2.4", setup_py=SETUP_MIN)
    meta = metadata_from_sdist_file(sdist)
    assert (meta.source, meta.requires_dist) == ("pkg-info", ())


def test_pkg_info_with_dynamic_requires_dist_falls_through(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", metadata_version="2.2", requires_dist=["stale"],
                       dynamic=["Requires-Dist"], pyproject_toml=PYPROJECT_SETUPTOOLS
                       + '[project]\nname="demo"\nversion="1.0"\ndependencies=["fresh"]\n')
    meta = metadata_from_sdist_file(sdist)
    assert (meta.source, _deps(meta)) == ("static", ["fresh"])
    assert meta.detail == "pyproject.toml [project]"


def test_pkg_info_older_than_2_2_is_not_trusted_for_dependencies(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", metadata_version="2.1", requires_dist=["stale"],
                       setup_py=SETUP_MIN, setup_cfg="[options]\ninstall_requires = fresh\n")
    meta = metadata_from_sdist_file(sdist)
    assert (meta.source, _deps(meta), meta.detail) == (
        "static", ["fresh"], "setup.py (ast literals) + setup.cfg [options]")


def test_pyproject_project_table_with_extras_and_python(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=PYPROJECT_SETUPTOOLS + (
        '[project]\nname = "demo"\nversion = "1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["attrs>=20", "tomli; python_version < \'3.11\'"]\n'
        '[project.optional-dependencies]\nTest_Suite = ["pytest", "cov; os_name == \'posix\'"]\n'))
    meta = metadata_from_sdist_file(sdist)
    assert meta.source == "static" and str(meta.requires_python) == ">=3.9"
    assert _deps(meta) == ["attrs>=20", 'tomli; python_version < "3.11"',
                           'pytest; extra == "test-suite"',
                           'cov; os_name == "posix" and extra == "test-suite"']
    assert meta.provides_extra == {"test-suite"}


def test_dynamic_dependencies_with_setuptools_read_setup_cfg(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=PYPROJECT_SETUPTOOLS + (
        '[project]\nname = "demo"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
        '[project.optional-dependencies]\nx = ["xx"]\n'),
        setup_cfg="[options]\ninstall_requires =\n    one\n    # a comment\n    two>=2\n")
    meta = metadata_from_sdist_file(sdist)
    assert (meta.source, _deps(meta)) == ("static", ["one", "two>=2", 'xx; extra == "x"'])
    assert meta.detail == "pyproject.toml [project] + setup.cfg [options]"


@pytest.mark.parametrize(("backend", "project", "needle"), [
    ("hatchling.build", 'name="demo"\nversion="1.0"\ndynamic=["dependencies"]\n',
     "dependencies dynamic; build backend 'hatchling.build'"),
    ("poetry.core.masonry.api", None, "no [project] table; build backend 'poetry"),
])
def test_other_backends_computing_dependencies_are_unknown(
        tmp_path: Path, backend: str, project: str | None, needle: str) -> None:
    text = f'[build-system]\nrequires = ["x"]\nbuild-backend = "{backend}"\n'
    text += f"[project]\n{project}" if project else '[tool.poetry.dependencies]\nx = "^1"\n'
    meta = metadata_from_sdist_file(make_sdist(tmp_path, "demo", "1.0", pyproject_toml=text))
    assert (meta.source, meta.requires_dist, meta.is_static) == ("unknown", (), False)
    assert needle in meta.detail


def test_tool_setuptools_dynamic_file_directive_is_unknown(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml=PYPROJECT_SETUPTOOLS + (
        '[project]\nname="demo"\nversion="1.0"\ndynamic=["dependencies"]\n'
        '[tool.setuptools.dynamic]\ndependencies = {file = ["requirements.txt"]}\n'))
    meta = metadata_from_sdist_file(sdist)
    assert meta.source == "unknown" and "tool.setuptools.dynamic" in meta.detail


def test_setup_cfg_with_extras_markers_and_python_requires(tmp_path: Path) -> None:
    cfg = ("[options]\ninstall_requires = a; b>=2\npython_requires = >=3.8\n"
           "[options.extras_require]\nfast = ujson\nwin =\n    pywin32; sys_platform == 'win32'\n")
    meta = metadata_from_sdist_file(make_sdist(tmp_path, "demo", "1.0", setup_cfg=cfg,
                                               setup_py=SETUP_MIN))
    assert meta.source == "static"
    assert _deps(meta) == ["a", "b>=2", 'ujson; extra == "fast"',
                           'pywin32; sys_platform == "win32" and extra == "win"']
    assert meta.provides_extra == {"fast", "win"} and str(meta.requires_python) == ">=3.8"


@pytest.mark.parametrize(("cfg", "needle"), [
    ("[options]\ninstall_requires = file: requirements.txt\n", "file: directive"),
    ("[options]\ninstall_requires = a%(x)s\n", "interpolation"),
    ("[options\nbroken", "setup.cfg cannot be read"),
    ("[options]\ninstall_requires = not a valid requirement!!\n", "not static"),
])
def test_setup_cfg_that_is_not_static_is_unknown(tmp_path: Path, cfg: str, needle: str) -> None:
    meta = metadata_from_sdist_file(make_sdist(tmp_path, "demo", "1.0", setup_cfg=cfg,
                                               setup_py=SETUP_MIN))
    assert meta.source == "unknown" and needle in meta.detail


def test_setup_py_literals_names_and_concatenation(tmp_path: Path) -> None:
    setup_py = (
        "import setuptools\nfrom setuptools import setup\n"
        "BASE = ['requests>=2', 'idna']\nTESTS: list = ['pytest']\nPY = '>=3.7'\n"
        "EXTRAS = {'test': TESTS, 'all': BASE + TESTS,\n"
        "          ':python_version<\"3.8\"': 'importlib-metadata'}\n"
        "setup(name='demo', version='1.0', install_requires=BASE + ['six'],\n"
        "      extras_require=EXTRAS, python_requires=PY)\n")
    meta = metadata_from_sdist_file(make_sdist(tmp_path, "demo", "1.0", setup_py=setup_py))
    assert (meta.source, meta.detail) == ("static", "setup.py (ast literals)")
    assert _deps(meta) == [
        "requests>=2", "idna", "six", 'pytest; extra == "test"', 'requests>=2; extra == "all"',
        'idna; extra == "all"', 'pytest; extra == "all"',
        'importlib-metadata; python_version < "3.8"']
    assert meta.provides_extra == {"test", "all"} and str(meta.requires_python) == ">=3.7"


def test_setup_py_keywords_win_over_setup_cfg(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0",
                       setup_py="from setuptools import setup\nsetup(install_requires=['py'])\n",
                       setup_cfg="[options]\ninstall_requires = cfg\npython_requires = >=3\n")
    meta = metadata_from_sdist_file(sdist)
    assert _deps(meta) == ["py"] and str(meta.requires_python) == ">=3"
    assert meta.detail == "setup.py (ast literals) + setup.cfg [options]"


@pytest.mark.parametrize(("setup_py", "needle"), [
    ("from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n",
     "line 2: Call expression is computed"),
    ("from setuptools import setup\nR = ['a']\nR.append('b')\nsetup(install_requires=R)\n",
     "'R' is not a module-level name bound once"),
    ("from setuptools import setup\nimport sys\nR = ['a'] if sys.platform else []\n"
     "setup(install_requires=R)\n", "IfExp expression is computed"),
    ("print('no setup call here')\n", "no setup() calls found"),
    ("this is not python(\n", "does not parse"),
])
def test_setup_py_that_computes_dependencies_is_unknown(
        tmp_path: Path, setup_py: str, needle: str) -> None:
    meta = metadata_from_sdist_file(make_sdist(tmp_path, "demo", "1.0", setup_py=setup_py))
    assert (meta.source, meta.requires_dist) == ("unknown", ())
    assert needle in meta.detail


def test_zip_sdists_are_read_too(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", fmt="zip", setup_py=SETUP_MIN,
                       setup_cfg="[options]\ninstall_requires = zipped\n")
    assert _deps(metadata_from_sdist_file(sdist)) == ["zipped"]


def test_sdist_without_pkg_info_takes_identity_from_pyproject(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/pyproject.toml": PYPROJECT_SETUPTOOLS
                 + '[project]\nname = "Demo"\nversion = "1.0"\ndependencies = ["a"]\n'})
    meta = metadata_from_sdist_file(sdist)
    assert (meta.name, str(meta.version), _deps(meta)) == ("demo", "1.0", ["a"])


def test_sdist_without_leading_directory(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {
        "setup.py": "from setuptools import setup\nsetup(install_requires=['root'])\n",
        "pkg/setup.py": "from setuptools import setup\nsetup(install_requires=['nested'])\n"})
    assert _deps(metadata_from_sdist_file(sdist)) == ["root"]


def test_files_below_the_project_directory_are_ignored(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {
        "demo-1.0/setup.py": "from setuptools import setup\nsetup(install_requires=['top'])\n",
        "demo-1.0/sub/setup.py": "from setuptools import setup\nsetup(install_requires=['x'])\n"})
    assert _deps(metadata_from_sdist_file(sdist)) == ["top"]


def test_symlinked_setup_py_is_not_followed(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz",
                 {"demo-1.0/setup.cfg": "[options]\ninstall_requires = decoy\n"},
                 links={"demo-1.0/setup.py": "/etc/passwd"})
    meta = metadata_from_sdist_file(sdist)
    assert meta.source == "unknown" and "setup.py" in meta.detail and "link" in meta.detail


def test_pkg_info_naming_another_project_is_refused(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "good", "1.0", pkg_info=metadata_text("evil", "1.0"),
                       setup_py=SETUP_MIN)
    with pytest.raises(MetadataMismatchError, match="evil"):
        metadata_from_sdist_file(sdist)


def test_invalid_requires_dist_in_static_pkg_info_is_an_error(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", metadata_version="2.2",
                       requires_dist=["bad req !!"], setup_py=SETUP_MIN)
    with pytest.raises(MetadataInvalidError, match="bad req"):
        metadata_from_sdist_file(sdist)


def test_setup_cfg_alone_is_not_a_project_as_for_pip(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_cfg="[options]\ninstall_requires = a\n")
    with pytest.raises(MetadataInvalidError, match=r"neither setup\.py nor pyproject\.toml"):
        metadata_from_sdist_file(sdist)


def test_invalid_pyproject_toml_is_an_error(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", pyproject_toml="[project\n")
    with pytest.raises(MetadataInvalidError, match="not valid TOML"):
        inspect_sdist(sdist)


def test_oversized_member_is_refused(tmp_path: Path) -> None:
    big = "# padding\n" * (archive_members.SDIST_FILE_LIMITS["setup.py"] // 10 + 1)
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_py=big)
    with pytest.raises(ArchiveError, match="limit"):
        metadata_from_sdist_file(sdist)


def test_too_many_members_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_members, "MAX_MEMBERS", 5)
    sdist = make_sdist(tmp_path, "demo", "1.0", setup_py=SETUP_MIN,
                       files={f"f{i}.txt": "" for i in range(10)})
    with pytest.raises(ArchiveError, match="too many members"):
        metadata_from_sdist_file(sdist)


def test_gzip_bomb_is_refused_before_decompressing_it(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        info = tarfile.TarInfo("demo-1.0/zeros.bin")
        info.size = 64 << 20
        archive.addfile(info, io.BytesIO(bytes(info.size)))
        info = tarfile.TarInfo("demo-1.0/setup.py")
        info.size = len(SETUP_MIN)
        archive.addfile(info, io.BytesIO(SETUP_MIN.encode()))
    assert sdist.stat().st_size < 200_000
    with pytest.raises(ArchiveError, match="decompression bomb"):
        metadata_from_sdist_file(sdist)


def test_corrupt_archive_is_an_archive_error(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    sdist.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ArchiveError, match="cannot read the sdist"):
        metadata_from_sdist_file(sdist)


def test_nothing_is_written_next_to_the_archive(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "dist", "demo", "1.0", setup_py=SETUP_MIN)
    metadata_from_sdist_file(sdist)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["demo-1.0.tar.gz", "dist"]
