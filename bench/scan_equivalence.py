"""Prove a change to the hook scanner's Python analysis changes no finding, and time the walk.

    .venv/bin/python bench/scan_equivalence.py record OUT.json   # findings of the current code
    .venv/bin/python bench/scan_equivalence.py compare OUT.json  # same findings now? exit 1 if not
    .venv/bin/python bench/scan_equivalence.py time [--repeat N] # PythonScan walk, ast.parse apart

Sets (chosen deterministically, all local):
- `sdists`: every archive in bench/.cache/sdists (the calibration corpus, bench/corpus.txt);
- `wheels`: the 31 wheels of `fastapi uvicorn httpx pydantic sqlalchemy rich flask requests`
  (bench/data/scan_wheels.txt, names in /opt/pypi/files), scanned with the prefilter and again
  with `InstallHookCheck(prefilter=False)` so that every .py file goes through the walk;
- `extra`: every 3rd file of /opt/pypi/files by sorted name, files over 20 MB left out;
- `pyscan`: every .py member of the sdists and wheels above through `PythonScan` directly (all
  hits, info included, imports and console scripts: findings alone hide what import-time
  lowering drops);
- `fixtures`: every Python text the tests in tests/checks hand to `PythonScan` (captured by
  running them in-process), compared at the PythonScan level (hits, imports, console scripts),
  plus the hostile and near-miss sdists of tests/checks/hostile.py through `scan_path`.

`SCAN_EQUIVALENCE_CODE=DIR` imports safepip from DIR instead (e.g. `git archive` of an older
commit, or the working tree with older copies of the files under study): record with one, compare
with the other, on the same machine state.

Findings are stored as (artifact, rule, severity, path, line, message, evidence), sorted.
`time` reads the wheels' .py members in memory, parses each once (timed apart) and times
`PythonScan` on the tree (best of N per file), for the prefiltered files and for all files.
Times are CPU seconds of this process (time.process_time): on a shared 2-core machine the
wall clock mostly measures the neighbours.

Last run (2-core VM, load 1.6-2.8; two alternating runs each, `--repeat 3`; before = the
former walk as of commit ededcef (tracer memo already fixed); after = the commit that wrote
these figures): all 1375 .py files of the 31 wheels (22.7 MB, ast.parse 6.7-7.8 s): walk
12.64/11.66 s -> 2.54/2.52 s (4.6-5.0x); the 136 files the prefilter passes (6.0 MB):
3.22/2.81 s -> 0.68/0.69 s (4.1-4.7x). `compare` against the before-record: 394 artifact scans
(41 sdists, 31 wheels with and without prefilter, 271 other files, 20 hostile sdists) with 309
findings, 78,681 PythonScan rows over 7,099 .py members, 315 rows over 85 test texts: identical.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [os.environ.get("SCAN_EQUIVALENCE_CODE", str(ROOT)), str(ROOT)]
"""SCAN_EQUIVALENCE_CODE=DIR runs the safepip package found in DIR (a copy of older code)."""

from safepip.artifacts.unpack import DEFAULT_LIMITS, read_members  # noqa: E402
from safepip.checks.hooks import python as python_module  # noqa: E402
from safepip.checks.hooks.files import wanted_member  # noqa: E402
from safepip.checks.hooks.prefilter import worth_parsing  # noqa: E402
from safepip.checks.hooks.python import PythonScan  # noqa: E402
from safepip.checks.install_hooks import InstallHookCheck, scan_path  # noqa: E402
from safepip.errors import SafepipError  # noqa: E402

FILES = Path("/opt/pypi/files")
WHEELS = BENCH / "data" / "scan_wheels.txt"
SDISTS = BENCH / ".cache" / "sdists"
_EXTRA_STEP = 3
_EXTRA_MAX_BYTES = 20_000_000
_PYTEST_TMP = re.compile(r"/pytest-of-[^/]+/pytest-\d+/")

Row = list[Any]


def wheel_paths() -> list[Path]:
    names = [line.strip() for line in WHEELS.read_text().splitlines() if line.strip()]
    return [FILES / name for name in names]


def extra_paths() -> list[Path]:
    taken = {p.name for p in wheel_paths()}
    chosen = sorted(FILES.iterdir())[::_EXTRA_STEP]
    return [
        p for p in chosen if p.name not in taken and p.stat().st_size <= _EXTRA_MAX_BYTES
    ]


def finding_rows(label: str, path: Path, check: InstallHookCheck | None = None) -> list[Row]:
    try:
        findings = scan_path(path, check=check)
    except SafepipError as error:  # the same refusal before and after is also equivalence
        return [[label, path.name, "error", type(error).__name__, str(error)]]
    return [
        [
            label,
            path.name,
            f.rule,
            str(f.severity),
            f.location.path if f.location else None,
            f.location.line if f.location else None,
            f.message,
            f.evidence,
        ]
        for f in findings
    ]


def scan_rows(text: str) -> list[Row]:
    """PythonScan's whole output for one text, as rows."""
    scan = PythonScan(text, ast.parse(text))
    rows: list[Row] = [
        ["hit", h.rule, str(h.severity), h.line, h.message, h.evidence] for h in scan.hits
    ]
    rows += [["import", name] for name in sorted(scan.imports)]
    rows += [["script", name, line] for name, line in scan.console_scripts]
    return rows


def _parsed_rows(text: str) -> list[Row]:
    try:
        return scan_rows(text)
    except (SyntaxError, ValueError, RecursionError) as error:
        return [["unparsable", type(error).__name__]]


def captured_fixture_texts() -> list[str]:
    """Every text tests/checks give PythonScan, recorded by wrapping its constructor."""
    import pytest

    texts: set[str] = set()
    original = python_module.PythonScan.__init__

    def recording(self: PythonScan, source: str, tree: ast.Module, **options: Any) -> None:
        texts.add(_PYTEST_TMP.sub("/pytest-tmp/", source))  # canary paths differ between runs
        original(self, source, tree, **options)  # depth, entry, awake: as the caller gave them

    python_module.PythonScan.__init__ = recording  # type: ignore[method-assign]
    try:
        pytest.main(
            ["-q", "-p", "no:cacheprovider", "--continue-on-collection-errors",
             str(ROOT / "tests" / "checks")]
        )
    finally:
        python_module.PythonScan.__init__ = original  # type: ignore[method-assign]
    return sorted(texts)


def hostile_archives(folder: Path) -> Iterator[Path]:
    sys.path.insert(0, str(ROOT))
    from tests.checks.hostile import CASES, make_sdist, setup_py

    for index, case in enumerate(CASES):
        for kind, body in (("h", case.hostile), ("n", case.near_miss)):
            target = folder / f"{kind}{index}"
            target.mkdir()
            setup = setup_py(body, Path("/nonexistent/canary"))  # a fixed path: stable evidence
            yield make_sdist(target, f"demo{kind}{index}", "1.0", {"setup.py": setup})


def collect(
    progress: Callable[[str], None], texts: list[str] | None
) -> dict[str, list[Row]]:
    """All rows; `texts`: the fixture texts of an earlier record (the tests may have changed)."""
    result: dict[str, list[Row]] = {"archives": [], "pyscan": [], "fixtures": []}
    groups = [
        ("sdists", sorted(SDISTS.iterdir()), None),
        ("wheels", wheel_paths(), None),
        ("wheels-noprefilter", wheel_paths(), InstallHookCheck(prefilter=False)),
        ("extra", extra_paths(), None),
    ]
    for label, paths, check in groups:
        start = time.perf_counter()
        for path in paths:
            result["archives"] += finding_rows(label, path, check)
        progress(f"{label}: {len(paths)} artifacts in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        made = list(hostile_archives(Path(folder)))
        for path in made:
            result["archives"] += finding_rows("hostile", path)
        progress(f"hostile: {len(made)} sdists")
    start = time.perf_counter()
    members = 0
    for path in [*sorted(SDISTS.iterdir()), *wheel_paths()]:
        for member, text in python_members([path]):
            members += 1
            result["pyscan"] += [[path.name, member, *row] for row in _parsed_rows(text)]
    progress(f"pyscan: {members} .py members in {time.perf_counter() - start:.1f} s")
    if texts is None:
        texts = captured_fixture_texts()
    result["texts"] = [[text] for text in texts]
    for index, text in enumerate(texts):
        result["fixtures"] += [[index, *row] for row in scan_rows(text)]
    progress(f"fixtures: {len(texts)} texts from tests/checks")
    for key, rows in result.items():
        if key != "texts":
            rows.sort(key=lambda r: json.dumps(r))
    return result


def compare(stored: dict[str, list[Row]], now: dict[str, list[Row]]) -> bool:
    same = True
    for key in stored:
        old = [json.dumps(r) for r in stored[key]]
        new = [json.dumps(r) for r in now[key]]
        artifacts = len({r[1] for r in stored[key]}) if key == "archives" else None
        print(f"{key}: {len(old)} rows before, {len(new)} now"
              + (f" ({artifacts} artifacts with findings)" if artifacts else ""))
        if old != new:
            same = False
            gone, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
            for row in gone[:20]:
                print("  - " + row)
            for row in added[:20]:
                print("  + " + row)
    print("IDENTICAL" if same else "DIFFERENT")
    return same


def python_members(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        members = read_members(path, limits=DEFAULT_LIMITS, select=wanted_member, budget=256 << 20)
        if members is None:
            continue
        for name, data in sorted(members.files.items()):
            if name.endswith(".py"):
                try:
                    yield name, data.decode("utf-8")
                except UnicodeDecodeError:
                    continue


def time_walk(repeat: int) -> None:
    totals = {"parse": 0.0, "walk-prefiltered": 0.0, "walk-all": 0.0}
    count = {"all": 0, "prefiltered": 0}
    size = {"all": 0, "prefiltered": 0}
    for _, text in python_members(wheel_paths()):
        start = time.process_time()
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        totals["parse"] += time.process_time() - start
        best = min(_timed_scan(text, tree) for _ in range(repeat))
        passed = _passes_prefilter(text)
        for key in ("all", "prefiltered") if passed else ("all",):
            count[key] += 1
            size[key] += len(text)
            totals[f"walk-{key}"] += best
    print(os.popen("uptime").read().strip())  # noqa: S605 - a fixed command, for the record
    print(f"all .py: {count['all']} files, {size['all'] / 1e6:.1f} MB;"
          f" ast.parse {totals['parse']:.2f} s;"
          f" walk {totals['walk-all']:.2f} s (best of {repeat} per file)")
    print(f"prefiltered: {count['prefiltered']} files, {size['prefiltered'] / 1e6:.1f} MB;"
          f" walk {totals['walk-prefiltered']:.2f} s")


def _passes_prefilter(text: str) -> bool:
    """worth_parsing(text), or worth_parsing(data, text) in newer code."""
    if len(inspect.signature(worth_parsing).parameters) == 2:
        return bool(worth_parsing(text.encode("utf-8"), text))  # type: ignore[call-arg]
    return bool(worth_parsing(text))  # type: ignore[call-arg]


def _timed_scan(text: str, tree: ast.Module) -> float:
    start = time.process_time()
    PythonScan(text, tree)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["record", "compare", "time"])
    parser.add_argument("store", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "time":
        time_walk(args.repeat)
        return 0
    if args.store is None:
        parser.error("record and compare need a JSON file")
    stored = json.loads(args.store.read_text()) if args.mode == "compare" else None
    texts = [row[0] for row in stored["texts"]] if stored and "texts" in stored else None
    now = collect(lambda message: print(message, file=sys.stderr, flush=True), texts)
    if args.mode == "record":
        args.store.write_text(json.dumps(now, indent=0))
        print(f"recorded {sum(len(v) for v in now.values())} rows in {args.store}")
        return 0
    return 0 if compare(stored or {}, now) else 1


if __name__ == "__main__":
    sys.exit(main())
