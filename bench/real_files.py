"""Robustness sweep: safepip's own readers over a cache of real files (offline, no resolution).

Every file under the cache (default `/work/cache/realfiles`, laid out as
`<kind>/<owner__repo>/<path in the repository>` with a `manifest.tsv` beside the kinds) is read the
way `safepip audit FILE` reads it: requirements files through `parse_install_args(["-r", FILE])`
(pip's grammar, nested `-r`/`-c` relative to the file, no pip configuration, no environment
variables), pyproject.toml through `read_pyproject` (as given, then with every extra and every
dependency group), lock files through `read_lock`. Then each marker is evaluated for a Linux
CPython 3.11 and 3.13 target. Nothing touches the network and nothing is resolved.

Per kind it prints: files, parsed OK, clean refusals (a SafepipError with exit code 2, the
sentence a user would see) and crashes (any other exception: a defect). For requirements files it
also compares each file's requirement-looking lines with what the parser returned from that file,
so a requirement silently dropped shows up as `dropped`. `empty` counts files read without error
that select nothing by default (legitimate for an options-only file or a project without
dependencies, suspect otherwise: each is listed), `unnamed` the files whose name `safepip audit
FILE` does not recognise (nested `-r` files, tools' own fixtures: informational).

    .venv/bin/python bench/real_files.py [--cache DIR] [--verbose] [--pip]

`--pip` also runs pip's own requirements-file parser (the reference) over every requirements file
and compares the verdicts: a file pip accepts and safepip refuses, or the reverse, is listed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker, default_environment

from safepip.errors import ExitCode, SafepipError
from safepip.inputs import read_lock, read_pyproject
from safepip.inputs.detect import format_from_name
from safepip.inputs.models import LockedPackage
from safepip.pip.request import parse_install_args
from safepip.pip.requirement_line import RequirementLine

KINDS = ("requirements", "pyproject", "uv.lock", "poetry.lock", "pdm.lock", "pylock")
TARGETS = ("3.11", "3.13")


def target_markers(python: str) -> dict[str, str]:
    """A Linux x86_64 CPython `python` target (the running interpreter's values otherwise)."""
    env = dict(default_environment())
    env.update(python_version=python, python_full_version=f"{python}.0", sys_platform="linux",
               platform_system="Linux", os_name="posix", platform_machine="x86_64",
               implementation_name="cpython", platform_python_implementation="CPython")
    return env


@dataclass
class Outcome:
    path: Path
    status: str = "ok"
    """`ok`, `refused` or `crash`."""
    detail: str = ""
    counts: str = ""
    dropped: list[str] = field(default_factory=list)
    selected: int = 0
    """Requirements or packages the default read selects (0 for a file that says nothing)."""
    named: bool = True
    """Whether `safepip audit FILE` tells this file's format from its name."""


def _evaluate(marker: Marker | None) -> None:
    if marker is not None:
        for python in TARGETS:
            marker.evaluate({**target_markers(python), "extra": ""})


def read_requirements(path: Path, root: Path) -> tuple[str, list[str], int]:
    # `safepip audit FILE` hands a requirements file to pip's parser as `-r FILE`; relative
    # requirement paths (`-e .`) are relative to the working directory: the repository's root.
    request = parse_install_args(["-r", str(path)], environ={}, cwd=root, config_files=[])
    lines = [*request.requirements, *request.constraints]
    for line in lines:
        _evaluate(line.requirement.marker if line.requirement else line.marker)
    applies = {p: sum(1 for line in request.requirements if _line_applies(line, p))
               for p in TARGETS}
    counts = (f"{len(request.requirements)} reqs, {len(request.constraints)} constraints, "
              f"applies 3.11/3.13: {applies['3.11']}/{applies['3.13']}")
    return counts, _dropped(path, root, lines), len(lines)


def _line_applies(line: RequirementLine, python: str) -> bool:
    marker = line.requirement.marker if line.requirement else line.marker
    return marker is None or marker.evaluate({**target_markers(python), "extra": ""})


_COMMENT = re.compile(r"(^|\s+)#.*$")


def _expected_lines(text: str) -> list[str]:
    """Requirement-looking logical lines, counted independently of safepip's parser."""
    logical, pending = [], ""
    for raw in text.splitlines():
        if raw.endswith("\\") and not _COMMENT.match(raw):
            pending += raw[:-1]
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line and (not line.startswith("-") or line.startswith(("-e", "--editable"))):
            logical.append(line)
    return logical


def _dropped(path: Path, root: Path, lines: list[RequirementLine]) -> list[str]:
    """Files whose requirement-looking lines outnumber what the parser returned from them."""
    found = Counter(os.path.abspath(root / line.source.path) for line in lines)
    out = []
    seen = {os.path.abspath(path)} | {os.path.abspath(root / line.source.path) for line in lines}
    for name in sorted(seen):
        if not os.path.isfile(name):
            continue
        expected = len(_expected_lines(Path(name).read_text(encoding="utf-8-sig",
                                                            errors="replace")))
        if expected > found[name]:
            out.append(f"{os.path.relpath(name, root)}: {expected} lines, {found[name]} parsed")
    return out


def read_pyproject_all(path: Path) -> tuple[str, int]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lines = read_pyproject(path)  # as `safepip audit pyproject.toml` reads it
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    flit = (tool.get("flit") or {}).get("metadata") or {} if isinstance(tool.get("flit"), dict) \
        else {}
    extras = sorted({*(project.get("optional-dependencies", {}) or {}),
                     *(poetry.get("extras", {}) or {}), *(flit.get("requires-extra", {}) or {})})
    groups = sorted({*(data.get("dependency-groups", {}) or {}), *(poetry.get("group", {}) or {}),
                     *(["dev"] if "dev-dependencies" in poetry else [])})
    full = read_pyproject(path, extras=extras, groups=groups)
    for line in full:
        _evaluate(line.requirement.marker if line.requirement else None)
    return (f"{len(lines)} deps, {len(full)} with {len(extras)} extras + {len(groups)} groups",
            len(lines))


def read_lock_file(path: Path, fmt: str) -> tuple[str, int]:
    packages: list[LockedPackage] = read_lock(path, fmt)  # type: ignore[arg-type]
    applies = {p: sum(1 for pkg in packages if pkg.applies_to(target_markers(p)))
               for p in TARGETS}
    direct = sum(1 for pkg in packages if pkg.direct)
    return (f"{len(packages)} packages ({direct} direct), applies 3.11/3.13: "
            f"{applies['3.11']}/{applies['3.13']}", len(packages))


def sweep_one(kind: str, path: Path, root: Path) -> Outcome:
    outcome = Outcome(path, named=format_from_name(path.name) == kind)
    try:
        if kind == "requirements":
            outcome.counts, outcome.dropped, outcome.selected = read_requirements(path, root)
        elif kind == "pyproject":
            outcome.counts, outcome.selected = read_pyproject_all(path)
        else:
            outcome.counts, outcome.selected = read_lock_file(path, kind)
    except SafepipError as error:
        if error.exit_code == ExitCode.USAGE:
            outcome.status, outcome.detail = "refused", error.diagnostics().splitlines()[0]
        else:
            outcome.status, outcome.detail = "crash", f"{type(error).__name__}: {error}"
    except Exception as error:  # anything else is the defect this sweep looks for
        frame = traceback.extract_tb(error.__traceback__)[-1]
        outcome.status = "crash"
        outcome.detail = (f"{type(error).__name__}: {error} "
                          f"({Path(frame.filename).name}:{frame.lineno})")
    return outcome


def pip_agreement(cache: Path) -> tuple[int, list[str]]:
    """pip's own parser (the reference) over every requirements file: (agreeing, differences).

    pip accepts a file when `parse_requirements` and `install_req_from_parsed_requirement` take
    every line; safepip when `read_requirements` does. Only the verdicts are compared."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    session, agree, differences = PipSession(), 0, []
    here = os.getcwd()
    try:
        for path, root in files_of(cache, "requirements"):
            os.chdir(root)  # pip takes requirement paths from the working directory too
            try:
                for parsed in parse_requirements(str(path), session=session):
                    install_req_from_parsed_requirement(parsed)
                pip_ok, pip_says = True, "accepts"
            except Exception as error:  # pip's refusals have many types; any one is a refusal
                pip_ok, pip_says = False, str(error).splitlines()[0][:120]
            ours = sweep_one("requirements", path, root)
            if (ours.status == "ok") == pip_ok:
                agree += 1
            else:
                differences.append(f"{path.relative_to(cache)}: pip: {pip_says}; safepip: "
                                   f"{ours.status} {ours.detail}")
    finally:
        os.chdir(here)
    return agree, differences


def files_of(cache: Path, kind: str) -> Iterable[tuple[Path, Path]]:
    """(file, repository root) for every top-level input of this kind in the cache."""
    base = cache / kind
    if not base.is_dir():
        return
    for repo in sorted(p for p in base.iterdir() if p.is_dir()):
        for path in sorted(repo.rglob("*")):
            if path.is_file() and _is_input(kind, path):
                yield path, repo


def _is_input(kind: str, path: Path) -> bool:
    if kind == "requirements":
        return True  # every fetched file, nested ones too: each is audited on its own
    if kind == "pyproject":
        return path.name == "pyproject.toml"
    # Any file in a lock kind's folder is read as that kind (tools' own test fixtures are named
    # `*.test`), except a pyproject.toml kept beside a lock.
    return path.name != "pyproject.toml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/realfiles"))
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per file")
    parser.add_argument("--pip", action="store_true",
                        help="also compare each requirements file's verdict with pip's parser")
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    print(f"{'kind':<13} {'files':>5} {'ok':>4} {'refused':>7} {'crash':>5} {'dropped':>7} "
          f"{'empty':>5} {'unnamed':>7}")
    problems: dict[str, list[Outcome]] = defaultdict(list)
    for kind in KINDS:
        outcomes = [sweep_one(kind, path, root) for path, root in files_of(args.cache, kind)]
        if not outcomes:
            continue
        status = Counter(o.status for o in outcomes)
        dropped = sum(1 for o in outcomes if o.dropped)
        empty = sum(1 for o in outcomes if o.status == "ok" and not o.selected)
        unnamed = sum(1 for o in outcomes if not o.named)
        print(f"{kind:<13} {len(outcomes):>5} {status['ok']:>4} {status['refused']:>7} "
              f"{status['crash']:>5} {dropped:>7} {empty:>5} {unnamed:>7}")
        totals.update(status)
        totals.update(files=len(outcomes), dropped=dropped, empty=empty, unnamed=unnamed)
        for outcome in outcomes:
            if args.verbose:
                print(f"    {outcome.status:<8} {outcome.path.relative_to(args.cache)}: "
                      f"{outcome.detail or outcome.counts}")
            if outcome.status != "ok" or outcome.dropped or not outcome.selected:
                problems[kind].append(outcome)
    print(f"{'total':<13} {totals['files']:>5} {totals['ok']:>4} {totals['refused']:>7} "
          f"{totals['crash']:>5} {totals['dropped']:>7} {totals['empty']:>5} "
          f"{totals['unnamed']:>7}")
    for kind, outcomes in problems.items():
        print(f"\n{kind}:")
        for outcome in outcomes:
            where = outcome.path.relative_to(args.cache / kind)
            if outcome.status != "ok":
                print(f"  {outcome.status.upper():<8} {where}: {outcome.detail}")
            elif not outcome.selected:
                print(f"  EMPTY    {where}: {outcome.counts}")
            for drop in outcome.dropped:
                print(f"  DROPPED  {where}: {drop}")
    differences: list[str] = []
    if args.pip:
        agree, differences = pip_agreement(args.cache)
        print(f"\npip's parser agrees on {agree} of {agree + len(differences)} requirements "
              "files (accepted by both or refused by both)")
        for difference in differences:
            print(f"  DIFFERS  {difference}")
    return 1 if totals["crash"] or totals["dropped"] or differences else 0


if __name__ == "__main__":
    sys.exit(main())
