"""pip requirements files, read exactly as pip's `req/req_file.py` reads them.

Lines are joined at a trailing `\\`, comments (`#` at the start or after whitespace) dropped, and
`${NAME}` (upper case, digits, `_`) expanded from the environment; an unset or empty variable
stays as written, as in pip. Nested `-r`/`-c` are relative to the including file; a chain that
comes back to a file on it is refused. Includes over http(s) are refused: safepip reads only
local files (download the file and pass the local copy). Requirement paths stay relative to the
working directory, as pip has them.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import shlex
import stat
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from safepip.errors import InputError, UsageError
from safepip.findings import Location
from safepip.pip.groups import group_specs
from safepip.pip.pipconfig import FILE_OPTIONS, ParsedOption, split_args
from safepip.pip.requirement_line import (
    RequirementLine,
    parse_editable_spec,
    parse_requirement_spec,
)
from safepip.tomlfile import TomlError, parse_toml, read_toml

logger = logging.getLogger(__name__)

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")
_CODING_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF16, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"))
STRONG_HASHES = ("sha256", "sha384", "sha512")
_LINE_OPTIONS = ("--config-settings", "--global-option", "--install-option")


@dataclass(frozen=True)
class FileOptions:
    """The global options one line of a requirements file sets (pip's `handle_option_line`)."""

    source: Location
    """Where the line is."""
    index_url: str | None = None
    """`-i`: replaces every index URL known so far, extra ones included (as pip does)."""
    extra_index_urls: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    """First `-f` value, made relative to the file when that path exists (pip's rule)."""
    trusted_hosts: tuple[str, ...] = ()
    format_ops: tuple[tuple[str, str], ...] = ()
    """(`--no-binary` | `--only-binary`, value) in the order written."""
    release_ops: tuple[tuple[str, str], ...] = ()
    """(`--all-releases` | `--only-final`, value) in the order written."""
    pre: bool = False
    prefer_binary: bool = False
    require_hashes: bool = False
    no_require_hashes: bool = False


@dataclass(frozen=True)
class RequirementsFile:
    """What one requirements file (with everything it includes) asks for."""

    path: Path
    """The file as given."""
    requirements: tuple[RequirementLine, ...] = ()
    """Requirements, from this file and files it includes with `-r`."""
    constraints: tuple[RequirementLine, ...] = ()
    """Constraints: lines of a constraints file and of files included with `-c`."""
    options: tuple[FileOptions, ...] = ()
    """Global option lines, in the order pip applies them."""
    files: tuple[Path, ...] = ()
    """Every file read, this one first."""

    @property
    def index_urls(self) -> tuple[str, ...]:
        """`-i`/`--extra-index-url` values found, in order."""
        return tuple(u for o in self.options for u in ((o.index_url or ""), *o.extra_index_urls)
                     if u)

    @property
    def find_links(self) -> tuple[str, ...]:
        return tuple(link for o in self.options for link in o.find_links)


@dataclass
class _Collector:
    environ: Mapping[str, str]
    cwd: Path
    requirements: list[RequirementLine] = field(default_factory=list)
    constraints: list[RequirementLine] = field(default_factory=list)
    options: list[FileOptions] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def parse_requirements_file(
    path: Path, *, environ: Mapping[str, str], constraint: bool = False,
    cwd: Path | None = None,
) -> RequirementsFile:
    """Parse `path` (a requirements file, or a constraints file with `constraint=True`)."""
    collector = _Collector(environ, Path(os.path.abspath(cwd or Path.cwd())))
    _parse(collector, collector.cwd / _local_path(str(path), None), constraint, chain=())
    return RequirementsFile(path, tuple(collector.requirements), tuple(collector.constraints),
                            tuple(collector.options), tuple(collector.files))


def _parse(out: _Collector, path: Path, constraint: bool, chain: tuple[Path, ...]) -> None:
    chain = (*chain, Path(os.path.abspath(path)))
    out.files.append(path)
    display = _display(path, out.cwd)
    for number, line in preprocess(_read(path, constraint), out.environ):
        where = Location(display, number)
        args_text, tokens = _split_line(line, where)
        editables = [t.value for t in tokens if t.option and t.option.key == "--editable"]
        if args_text or editables:
            _requirement_line(out, where, args_text, editables, tokens, constraint)
            continue
        nested = next((t for t in tokens if t.option and t.option.key in
                       ("--requirement", "--constraint")), None)
        if nested is None:
            out.options.append(_option_line(where, path, tokens))
            continue
        target = _local_path(nested.value or "", path)
        _refuse_cycle(target, chain, where)
        _parse(out, target, _key(nested) == "--constraint", chain)


def preprocess(content: str, environ: Mapping[str, str]) -> Iterator[tuple[int, str]]:
    """pip's `preprocess`: join continuations, drop comments and blank lines, expand `${VAR}`."""
    for number, line in _join_lines(content.splitlines()):
        line = _COMMENT_RE.sub("", line).strip()
        if line:
            yield number, _ENV_VAR_RE.sub(lambda m: environ.get(m["name"]) or m["var"], line)


def _join_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    # A `\` at the end joins the next line, except on a comment line; the joined line keeps the
    # number of its first physical line.
    first, parts = 0, list[str]()
    for number, line in enumerate(lines, 1):
        if not line.endswith("\\") or _COMMENT_RE.match(line):
            if _COMMENT_RE.match(line):
                line = " " + line  # so the comment is still stripped after joining
            if parts:
                yield first, "".join([*parts, line])
                parts = []
            else:
                yield number, line
        else:
            first = first if parts else number
            parts.append(line.strip("\\"))
    if parts:
        yield first, "".join(parts)


def _split_line(line: str, where: Location) -> tuple[str, list[ParsedOption]]:
    # pip's break_args_options: the requirement is every word before the first `-word`
    # (it is not shlex-split, so markers survive); only the options are shlex-split.
    words = line.split(" ")
    cut = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
    options_text = " ".join(words[cut:])
    try:
        arguments = shlex.split(options_text) if options_text else []
        parts = list(split_args(arguments, FILE_OPTIONS, origin=""))
    except ValueError as error:
        raise InputError(f"Cannot split the options of {line!r}: {error}.",
                         path=where.path, line=where.line) from None
    except UsageError as error:
        raise InputError(error.message, path=where.path, line=where.line) from None
    tokens = [t for t in parts if isinstance(t, ParsedOption)]
    unknown = [t.raw[0] for t in tokens if t.option is None]
    if unknown:
        raise InputError(f"pip does not allow the option {unknown[0]} in a requirements file.",
                         path=where.path, line=where.line)
    extra = [t for t in parts if isinstance(t, str)]
    if extra:
        logger.warning("%s:%s: pip ignores %s after the options", where.path, where.line, extra)
    return " ".join(words[:cut]), tokens


def _requirement_line(
    out: _Collector, where: Location, args_text: str, editables: list[str | None],
    tokens: list[ParsedOption], constraint: bool,
) -> None:
    if args_text and editables:
        raise InputError("A line holds both a requirement and -e; put each on its own line.",
                         path=where.path, line=where.line)
    ignored = [_key(t) for t in tokens if _key(t) not in ("--hash", "--editable", *_LINE_OPTIONS)]
    if ignored:
        logger.warning("%s:%s: pip ignores %s on a requirement line", where.path, where.line,
                       ", ".join(ignored))
    hashes = tuple(_hash(t.value or "", where) for t in tokens if _key(t) == "--hash")
    options = tuple((_key(t), t.value or "") for t in tokens if _key(t) in _LINE_OPTIONS)
    for name, _ in options:
        if name != "--config-settings":
            logger.warning("%s:%s: %s is recorded but not passed to pip (pip 23.3+ removed it)",
                           where.path, where.line, name)
    if args_text:
        line = parse_requirement_spec(args_text, where, cwd=out.cwd, hashes=hashes,
                                      options=options)
    else:
        line = parse_editable_spec(editables[0] or "", where, cwd=out.cwd, options=options)
    if constraint:
        _check_constraint(line)
    (out.constraints if constraint else out.requirements).append(line)


def _option_line(where: Location, path: Path, tokens: list[ParsedOption]) -> FileOptions:
    values: dict[str, list[str]] = {}
    for token in tokens:
        values.setdefault(_key(token), []).append(token.value or "")
    if "--hash" in values:
        logger.warning("%s:%s has --hash but no requirement; pip ignores it",
                       where.path, where.line)
    links = values.get("--find-links", [])[:1]
    if links:
        beside = os.path.join(os.path.dirname(os.path.abspath(path)), links[0])
        links = [beside] if os.path.exists(beside) else links
    return FileOptions(
        where, index_url=values.get("--index-url", [""])[-1] or None,
        extra_index_urls=tuple(values.get("--extra-index-url", ())),
        no_index="--no-index" in values, find_links=tuple(links),
        trusted_hosts=tuple(values.get("--trusted-host", ())),
        format_ops=tuple((_key(t), t.value or "") for t in tokens
                         if _key(t) in ("--no-binary", "--only-binary")),
        release_ops=tuple((_key(t), t.value or "") for t in tokens
                          if _key(t) in ("--all-releases", "--only-final")),
        pre="--pre" in values, prefer_binary="--prefer-binary" in values,
        require_hashes="--require-hashes" in values,
        no_require_hashes="--no-require-hashes" in values,
    )


def _key(token: ParsedOption) -> str:
    return token.option.key if token.option else ""


def _hash(value: str, where: Location) -> str:
    algorithm, sep, digest = value.partition(":")
    if not sep or algorithm not in STRONG_HASHES or not re.fullmatch(r"[0-9a-fA-F]+", digest):
        raise InputError(f"--hash={value} is not a hash pip accepts: write --hash=ALGO:HEXDIGEST "
                         f"with ALGO one of {', '.join(STRONG_HASHES)}.",
                         path=where.path, line=where.line)
    return f"{algorithm}:{digest.lower()}"


def _check_constraint(line: RequirementLine) -> None:
    # pip's check_invalid_constraint_type: constraints must be named, not editable, no extras.
    problem = None
    if line.editable:
        problem = "Editable requirements are not allowed as constraints"
    elif line.project_name is None:
        problem = "Unnamed requirements are not allowed as constraints"
    elif line.extras or (line.requirement is not None and line.requirement.extras):
        problem = "Constraints cannot have extras"
    if problem:
        raise InputError(f"{problem}: {line.text!r}.", path=line.source.path,
                         line=line.source.line)


def _local_path(value: str, including: Path | None) -> Path:
    scheme = urllib.parse.urlsplit(value).scheme.lower()
    where = str(including) if including else None
    if scheme in ("http", "https"):
        raise InputError(
            f"Requirements file {value!r} is a web address; safepip reads only local files.",
            path=where, hint="Download the file, review it, and pass the local copy.")
    if scheme == "file":
        return Path(urllib.request.url2pathname(urllib.parse.urlsplit(value).path))
    if including is None:
        return Path(value)
    return Path(os.path.normpath(os.path.join(os.path.dirname(including), value)))


def _display(path: Path, cwd: Path) -> str:
    """The path relative to the working directory when it is inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    return str(absolute.relative_to(cwd)) if absolute.is_relative_to(cwd) else str(absolute)


def _refuse_cycle(target: Path, chain: tuple[Path, ...], where: Location) -> None:
    absolute = Path(os.path.abspath(target))
    if absolute in chain:
        loop = " -> ".join(str(p) for p in (*chain[chain.index(absolute):], absolute))
        raise InputError(f"Requirements files include each other in a cycle: {loop}.",
                         path=where.path, line=where.line,
                         hint="Remove one of the -r/-c lines that close the loop.")


MAX_REQUIREMENTS_FILE = 16 * 1024 * 1024
"""Bytes a requirements file may have; real ones are a few kilobytes."""
_PSEUDO_FILESYSTEMS = ("/proc", "/sys", "/dev")
"""Files there look regular but are the kernel's views (`/proc/self/environ` holds secrets):
never read as requirements, since an error quoting a "line" would print them."""


def _read(path: Path, constraint: bool) -> str:
    if "\0" in str(path):  # no file has such a name; open() would raise ValueError
        raise InputError("A requirements file name contains a NUL character.",
                         hint="Check the -r/-c line; nothing was read.")
    kind = "constraints" if constraint else "requirements"
    real = os.path.realpath(path)
    if any(real == root or real.startswith(root + "/") for root in _PSEUDO_FILESYSTEMS):
        raise _not_a_file(path, kind)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise InputError(f"Could not open {kind} file: {error.strerror}.", path=str(path),
                         hint="Check the path; nested files are relative to the including file."
                         ) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _not_a_file(path, kind)
        data = handle.read(MAX_REQUIREMENTS_FILE + 1)
    if len(data) > MAX_REQUIREMENTS_FILE:
        raise InputError(f"The {kind} file is larger than {MAX_REQUIREMENTS_FILE} bytes; it is "
                         "not read.", path=str(path))
    return _decode(data, path)


def _not_a_file(path: Path, kind: str) -> InputError:
    # The contents are never quoted: only the name, which the user typed.
    return InputError(f"This is not a regular file (a pipe, a device or a kernel view such as "
                      f"/proc), so it is not read as a {kind} file.", path=str(path),
                      hint="Save the requirements to a file and pass that file with -r.")


def _decode(data: bytes, path: Path) -> str:
    # pip's _decode_req_file: a BOM, else a PEP 263 coding line (first two lines), else UTF-8
    encoding, start = "utf-8", 0
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding, start = bom_encoding, len(bom)
            break
    else:
        for line in data.split(b"\n")[:2]:
            match = _CODING_RE.search(line) if line[:1] == b"#" else None
            if match:
                encoding = match.group(1).decode("ascii")
                break
    try:
        return data[start:].decode(encoding)
    except (UnicodeError, LookupError) as error:  # UnicodeError: punycode and friends
        raise InputError(f"The file cannot be decoded as {encoding}: {error}.", path=str(path),
                         hint="Save it as UTF-8 or declare its encoding with a coding comment."
                         ) from None


# --- other files pip takes requirements from ---

_SCRIPT_BLOCK_RE = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


def dependency_group_requirements(values: list[str], *, cwd: Path) -> list[RequirementLine]:
    """`--group [path:]name` (PEP 735): the group's requirements from a pyproject.toml."""
    lines: list[RequirementLine] = []
    for value in values:
        path_text, sep, group = value.rpartition(":")
        path = cwd / (path_text if sep else "pyproject.toml")
        if path.name != "pyproject.toml":
            raise UsageError(f"--group {value}: safepip reads dependency groups only from "
                             "pyproject.toml files (pylock.toml groups: use `safepip audit`).")
        specs = group_specs(read_toml(path)[0], [group], path=str(path))
        where = Location(str(path), None)
        lines += [parse_requirement_spec(spec, where, cwd=cwd) for spec in specs]
    return lines


def script_requirements(path: Path, *, cwd: Path) -> list[RequirementLine]:
    """`--requirements-from-script`: the `dependencies` of a PEP 723 `# /// script` block."""
    text = _read(path, constraint=False)
    blocks = [m for m in _SCRIPT_BLOCK_RE.finditer(text) if m["type"] == "script"]
    if len(blocks) != 1:
        raise InputError(f"Expected one `# /// script` metadata block, found {len(blocks)}.",
                         path=str(path))
    body = "".join(line[2:] if line.startswith("# ") else line[1:]
                   for line in blocks[0]["content"].splitlines(keepends=True))
    line_number = text[:blocks[0].start()].count("\n") + 1
    try:
        dependencies = parse_toml(body).get("dependencies", [])
    except TomlError as error:
        raise InputError(f"The script metadata block: {error}.",
                         path=str(path), line=line_number) from None
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise InputError("The script's `dependencies` must be a list of strings.",
                         path=str(path), line=line_number)
    where = Location(str(path), line_number)
    return [parse_requirement_spec(spec, where, cwd=cwd) for spec in dependencies]


