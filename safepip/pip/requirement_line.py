"""One requirement as pip reads it: PEP 508, `name @ url`, a URL, a local path or archive, or an
`-e` value, kept with where it was written.

The requirements-file reader (`pip.reqfile`) and the request assembly (`pip.request`) both build on
this grammar; it imports neither, so the two do not depend on each other in a circle.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from safepip.errors import InputError
from safepip.findings import Location
from safepip.index.filenames import ARCHIVE_SUFFIXES


@dataclass(frozen=True)
class RequirementLine:
    """One requirement as written by the user, with where it was written."""

    requirement: Requirement | None
    """Parsed requirement; None for editable/VCS/path entries that have no PEP 508 form."""
    source: Location
    """File and line it came from (`<command line>` for arguments)."""
    text: str
    """The original text, for messages."""
    hashes: tuple[str, ...] = ()
    """`--hash` values as `algo:hexdigest`."""
    editable: bool = False
    """`-e` / `--editable`: recorded, but not vettable from an index."""
    url: str | None = None
    """Direct URL, VCS URL or local path (as a `file:` URL); not vettable from an index."""
    project_name: str | None = None
    """Normalised project name when known (PEP 508 name, `#egg=` fragment, wheel filename)."""
    extras: frozenset[str] = frozenset()
    """Extras of a path or URL entry (`./pkg[cli]`); PEP 508 entries keep them in `requirement`."""
    marker: Marker | None = None
    """Environment marker of a path or URL entry; PEP 508 entries keep it in `requirement`."""
    options: tuple[tuple[str, str], ...] = ()
    """Per-line build options (`--config-settings`, legacy `--global-option`), recorded only."""

    @property
    def vettable_from_index(self) -> bool:
        return self.requirement is not None and self.requirement.url is None and not self.editable

    @property
    def kind(self) -> str:
        """`index`, `editable`, `vcs`, `path` (local file or directory) or `url`."""
        if self.vettable_from_index:
            return "index"
        if self.editable:
            return "editable"
        scheme = urllib.parse.urlsplit(self.url or "").scheme
        if "+" in scheme:
            return "vcs"
        return "path" if scheme == "file" else "url"


# --- one requirement as pip reads it (pip's req/constructors.py) ---

VCS_NAMES = ("git", "hg", "svn", "bzr")
ARCHIVE_EXTENSIONS = ARCHIVE_SUFFIXES  # pip's list, kept in the one filename reader
_VCS_SCHEMES = {"bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
                "git+http", "git+https", "git+ssh", "git+git", "git+file", "hg+file", "hg+http",
                "hg+https", "hg+ssh", "hg+static-http", "svn+ssh", "svn+http", "svn+https",
                "svn+svn", "svn+file"}
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_PROJECT_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")
COMMAND_LINE = "<command line>"


def is_url(text: str) -> bool:
    """pip's `is_url`: http(s)/file/ftp or a VCS scheme such as `git+https`."""
    scheme = urllib.parse.urlsplit(text).scheme
    return scheme in ("http", "https", "file", "ftp") or scheme in _VCS_SCHEMES


def parse_requirement_spec(
    text: str, source: Location, *, cwd: Path, hashes: tuple[str, ...] = (),
    options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """`_parse_requirement_spec`, with a URL urllib cannot split reported as bad input."""
    try:
        return _parse_requirement_spec(text, source, cwd=cwd, hashes=hashes, options=options)
    except ValueError as error:  # urlsplit: "Invalid IPv6 URL", a port out of range, ...
        raise _bad_url(text, source, error) from None


def _bad_url(text: str, source: Location, error: ValueError) -> InputError:
    return InputError(f"Invalid requirement {text!r}: {error}.", path=source.path,
                      line=source.line, hint="Check the URL or path in it.")


def _parse_requirement_spec(
    text: str, source: Location, *, cwd: Path, hashes: tuple[str, ...] = (),
    options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """Read one requirement as pip does: PEP 508, `name @ url`, a URL, or a local path/archive.

    Local paths are relative to `cwd` (pip resolves them against the working directory, even
    inside requirements files). Markers after a URL need a space before the `;`, as in pip.
    """
    spec, marker = _split_marker(text, source)
    line = RequirementLine(None, source, text, hashes=hashes, options=options, marker=marker)
    url = spec if is_url(spec) else _url_from_path(spec, cwd, source)
    if url is not None:
        path_extras = frozenset() if is_url(spec) else _strip_extras(spec, source)[1]
        return replace(line, url=url, project_name=_name_from_url(url, source),
                        extras=path_extras)
    if source.path == COMMAND_LINE and _names_a_missing_file(spec, cwd):
        raise InputError(
            f"File not found: {spec}. It looks like a file name, but there is no such file "
            f"in {cwd}.", hint="Check the spelling and the working directory (requirements "
                               "files may also be given as -r FILE).")
    requirement = _pep508(spec, source)
    if marker is not None:
        requirement.marker = marker
    return replace(line, requirement=requirement, marker=None, url=requirement.url,
                    project_name=canonicalize_name(requirement.name))


def parse_editable_spec(
    text: str, source: Location, *, cwd: Path, options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """`_parse_editable_spec`, with a URL urllib cannot split reported as bad input."""
    try:
        return _parse_editable_spec(text, source, cwd=cwd, options=options)
    except ValueError as error:
        raise _bad_url(text, source, error) from None


def _parse_editable_spec(
    text: str, source: Location, *, cwd: Path, options: tuple[tuple[str, str], ...] = (),
) -> RequirementLine:
    """Read an `-e` value as pip's `parse_editable`: `name @ url`, a local project, or a VCS URL."""
    line = RequirementLine(None, source, f"-e {text}", editable=True, options=options)
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        requirement = None
    if requirement is not None and requirement.url:
        return replace(line, requirement=requirement, url=requirement.url,
                        project_name=canonicalize_name(requirement.name))
    bare, extras = _strip_extras(text, source)
    if (cwd / bare).is_dir():
        url = (cwd / bare).resolve().as_uri()
        return replace(line, url=url, extras=extras, project_name=_name_from_url(url, source))
    url = next((f"{v}+{text}" for v in VCS_NAMES if text.lower().startswith(f"{v}:")), text)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _VCS_SCHEMES and scheme != "file":
        missing = f" There is no directory {cwd / bare}." if _looks_like_path(bare) else ""
        raise InputError(
            f"{text!r} is not a valid editable requirement: it should be a path to a local "
            f"project or a VCS URL (such as git+https://...).{missing}",
            path=source.path, line=source.line,
            hint="Paths in requirements files are relative to the working directory, not to "
            "the file: run safepip from the directory pip would be run from." if missing
            else None,
        )
    return replace(line, url=url, project_name=_name_from_url(url, source))


def _split_marker(text: str, source: Location) -> tuple[str, Marker | None]:
    separator = "; " if is_url(text) else ";"
    if separator not in text:
        return text.strip(), None
    spec, marker_text = text.split(separator, 1)
    if not marker_text.strip():
        return spec.strip(), None
    try:
        return spec.strip(), Marker(marker_text.strip())
    except InvalidMarker as error:
        raise InputError(f"Invalid environment marker in {text.strip()!r}: {error}",
                         path=source.path, line=source.line) from None


def _strip_extras(spec: str, source: Location) -> tuple[str, frozenset[str]]:
    match = _EXTRAS_RE.match(spec)
    if not match:
        return spec, frozenset()
    extras = _pep508("placeholder" + match.group(2).lower(), source).extras
    return match.group(1).rstrip(), frozenset(extras)


_INPUT_SUFFIXES = (".txt", ".in", ".toml")
"""Endings of the files people pass (requirements, pyproject, pylock). `.py`, `.lock` and `.cfg`
are left out: `discord.py` and `flufl.lock` are project names people type."""
_LOCK_NAMES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "pipfile.lock", "requirements.lock",
                         "requirements-dev.lock"})
"""With `SCRIPT.py.lock` (what `uv lock --script` writes): lock files, never project names."""


def _names_a_missing_file(spec: str, cwd: Path) -> bool:
    if "@" in spec or any(op in spec for op in _OPERATORS):
        return False
    bare = _EXTRAS_RE.sub(r"\1", spec)
    looks = (_looks_like_path(bare) or bare.lower().endswith(_INPUT_SUFFIXES)
             or bare.lower() in _LOCK_NAMES or bare.lower().endswith(".py.lock"))
    return looks and not (cwd / bare).exists()


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or (os.altsep is not None and os.altsep in spec) or spec.startswith(".")


def _url_from_path(spec: str, cwd: Path, source: Location) -> str | None:
    """pip's `_get_url_from_path`: installable directories and archive files become file URLs."""
    bare, _ = _strip_extras(spec, source)
    path = Path(os.path.normpath(cwd / bare))
    if _looks_like_path(spec) and path.is_dir():
        if (path / "pyproject.toml").is_file() or (path / "setup.py").is_file():
            return path.as_uri()
        raise InputError(f"Directory {spec!r} is not installable: it has neither "
                         "setup.py nor pyproject.toml.", path=source.path, line=source.line)
    if not path.name.lower().endswith(ARCHIVE_EXTENSIONS):
        return None
    if path.is_file():
        return path.as_uri()
    before_at = spec.split("@", 1)
    if len(before_at) == 2 and not _looks_like_path(before_at[0]):
        return None  # `name @ ...archive`: a PEP 508 URL requirement
    raise InputError(f"Requirement {spec!r} looks like a file name, but the file does not exist.",
                     path=source.path, line=source.line,
                     hint="Check the path (it is relative to the working directory).")


def _name_from_url(url: str, source: Location) -> str | None:
    filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    if filename.endswith(".whl"):
        try:
            return str(parse_wheel_filename(filename)[0])
        except InvalidWheelFilename as error:
            raise InputError(f"Invalid wheel file name in {url!r}: {error}",
                             path=source.path, line=source.line) from None
    match = _EGG_RE.search(url)
    if match is None:
        return None
    if not _PROJECT_RE.match(match.group(1)):
        raise InputError(f"The #egg= fragment of {url!r} is not a project name.",
                         path=source.path, line=source.line)
    return canonicalize_name(match.group(1))


def _pep508(text: str, source: Location) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        hint = None
        if os.sep in text:
            hint = "It looks like a path; check that it exists and is a project or an archive."
        elif "=" in text and not any(op in text for op in _OPERATORS):
            hint = "= is not a valid operator. Did you mean == ?"
        raise InputError(f"Invalid requirement {text!r}: {error}", path=source.path,
                         line=source.line, hint=hint) from None
