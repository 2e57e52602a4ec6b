"""Build real wheels and sdists for tests: pip-installable, with exactly the metadata asked for.

`make_wheel` writes a PEP 427 wheel (dist-info with METADATA, WHEEL, RECORD carrying sha256
lines). `make_sdist` writes a PEP 625-style sdist with the usual `{name}-{version}/` top directory
and any `setup.py` / `pyproject.toml` / `setup.cfg` / `PKG-INFO` the test hands it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from packaging.utils import canonicalize_name

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_TAR_TIME = 1577836800  # 2020-01-01: reproducible archives


def escape_name(name: str) -> str:
    """The wheel/sdist filename form of a project name (PEP 427 / PEP 625 escaping)."""
    return re.sub(r"[-_.]+", "_", canonicalize_name(name))


def metadata_text(
    name: str, version: str, *, metadata_version: str = "2.1",
    requires_dist: Sequence[str] = (), requires_python: str | None = None,
    provides_extra: Sequence[str] = (), dynamic: Sequence[str] = (), extra: str = "",
) -> str:
    """A core-metadata document (the METADATA / PKG-INFO format)."""
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    lines += [f"Dynamic: {field}" for field in dynamic]
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Provides-Extra: {extra_name}" for extra_name in provides_extra]
    lines += [f"Requires-Dist: {req}" for req in requires_dist]
    text = "\n".join(lines) + "\n"
    if extra:
        text += extra if extra.endswith("\n") else extra + "\n"
    return text + "\n"


def _to_bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make_wheel(
    directory: Path, name: str, version: str, *,
    requires_dist: Sequence[str] = (), requires_python: str | None = None,
    provides_extra: Sequence[str] = (), tag: str = "py3-none-any", metadata_version: str = "2.1",
    files: Mapping[str, str | bytes] | None = None, entry_points: str | None = None,
    metadata_extra: str = "",
) -> Path:
    """Write `{name}-{version}-{tag}.whl` into `directory` and return its path.

    Without `files`, the wheel holds a package `{escaped_name}/__init__.py`; with `files`, exactly
    those members (plus the dist-info). `metadata_extra` is appended to METADATA verbatim.
    """
    directory.mkdir(parents=True, exist_ok=True)
    escaped = escape_name(name)
    dist_info = f"{escaped}-{version}.dist-info"
    members: dict[str, bytes] = {
        path: _to_bytes(content)
        for path, content in (files or {f"{escaped}/__init__.py": f'__version__ = "{version}"\n'})
        .items()
    }
    members[f"{dist_info}/METADATA"] = metadata_text(
        name, version, metadata_version=metadata_version, requires_dist=requires_dist,
        requires_python=requires_python, provides_extra=provides_extra, extra=metadata_extra,
    ).encode()
    members[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: safepip-tests\nRoot-Is-Purelib: true\nTag: {tag}\n\n"
    ).encode()
    if entry_points is not None:
        members[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    record = [_record_line(path, data) for path, data in members.items()]
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{escaped}-{version}-{tag}.whl"
    _write_zip(path, members)
    return path


def _default_pyproject(name: str, version: str, requires_dist: Sequence[str]) -> str:
    deps = ", ".join(f'"{req}"' for req in requires_dist)
    return (
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{deps}]\n'
    )


def make_sdist(
    directory: Path, name: str, version: str, *,
    setup_py: str | None = None, pyproject_toml: str | None = None, setup_cfg: str | None = None,
    pkg_info: str | None = None, metadata_version: str = "2.1",
    requires_dist: Sequence[str] = (), dynamic: Sequence[str] = (),
    files: Mapping[str, str | bytes] | None = None,
    fmt: Literal["tar.gz", "zip"] = "tar.gz",
) -> Path:
    """Write `{name}-{version}.{fmt}` with a `{name}-{version}/` top directory; return its path.

    `pkg_info=None` generates PKG-INFO from `metadata_version`, `requires_dist` and `dynamic`.
    When none of setup_py / pyproject_toml / setup_cfg is given, a static setuptools
    pyproject.toml declaring `requires_dist` is written so the sdist is buildable. `files` are
    extra members relative to the top directory (default: `{escaped_name}/__init__.py`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    top = f"{name}-{version}"
    members: dict[str, bytes] = {
        path: _to_bytes(content)
        for path, content in (files or {f"{escape_name(name)}/__init__.py": ""}).items()
    }
    if pkg_info is None:
        pkg_info = metadata_text(
            name, version, metadata_version=metadata_version, requires_dist=requires_dist,
            dynamic=dynamic,
        )
    members["PKG-INFO"] = pkg_info.encode()
    if setup_py is None and pyproject_toml is None and setup_cfg is None:
        pyproject_toml = _default_pyproject(name, version, requires_dist)
    for member, content in (("setup.py", setup_py), ("pyproject.toml", pyproject_toml),
                            ("setup.cfg", setup_cfg)):
        if content is not None:
            members[member] = content.encode()
    path = directory / f"{top}.{fmt}"
    writer = _write_zip if fmt == "zip" else _write_tar
    writer(path, {f"{top}/{member}": data for member, data in members.items()})
    return path


def _write_tar(path: Path, members: Mapping[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), _FIXED_TAR_TIME, 0o644
            archive.addfile(info, io.BytesIO(data))


def _write_zip(path: Path, members: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            info = zipfile.ZipInfo(member, _FIXED_ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, data)
