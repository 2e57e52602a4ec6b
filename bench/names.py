"""Evaluate the name checks: recall on labelled typosquats, false positives on legitimate names,
and throughput.

    python bench/names.py [--pypi-list PATH] [--seed N] [--sample N] [--show N]

Labelled sets (built from the raw data, independently of the detector's internals):
- positives: OSV `MAL-` reports (not withdrawn) whose name is not itself a top-15,000 project and
  which are a near miss of a top-5,000 project T: with separators removed, Damerau-Levenshtein
  distance 1 when T has at least 5 characters, or distance 2 when T has at least 10; plus every
  report the snapshot marks `typosquat_hint`. Ties between targets do not matter: a name counts
  as found when the detector flags it at all.
- negatives (a): projects ranked 5,001-15,000; (b) a fixed-seed random sample of real PyPI project
  names outside the top list that appear in no malicious report (from the environment's list of
  every PyPI project). Neither set is shipped: they only calibrate.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safepip.checks.typosquat import TyposquatCheck, best_match  # noqa: E402
from safepip.findings import Severity  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
PYPI_LIST = Path("/work/.library/env/packages/pypi.tsv")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def strip(name: str) -> str:
    return name.replace("-", "")


def load_top() -> dict[str, int]:
    lines = (SHARED / "top-pypi-packages.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ranks: dict[str, int] = {}
    for line in lines:
        rank, name = line.split("\t")
        ranks.setdefault(normalize(name), int(rank))
    return ranks


def load_reports() -> list[dict[str, object]]:
    raw = json.loads((SHARED / "osv-malicious-pypi.json").read_text(encoding="utf-8"))
    return [r for r in raw["records"] if not r["withdrawn"]]


def label_positives(
    top: dict[str, int], reports: list[dict[str, object]],
) -> dict[str, tuple[str, str]]:
    """Malicious name -> (the popular name it misses, why it is labelled)."""
    by_length: dict[int, list[str]] = {}
    for name, rank in sorted(top.items(), key=lambda item: item[1]):
        if rank <= 5000 and len(strip(name)) >= 5:
            by_length.setdefault(len(strip(name)), []).append(name)
    positives: dict[str, tuple[str, str]] = {}
    for name in sorted({str(r["normalized"]) for r in reports} - set(top)):
        plain = strip(name)
        for size in range(len(plain) - 2, len(plain) + 3):
            targets = by_length.get(size, [])
            hit = process.extractOne(plain, [strip(t) for t in targets], score_cutoff=2,
                                     scorer=DamerauLevenshtein.distance)
            if hit is not None and (hit[1] == 1 or (hit[1] == 2 and size >= 10)):
                positives[name] = (targets[hit[2]], f"distance {int(hit[1])}")
                break
    for report in reports:
        if report["typosquat_hint"] and str(report["normalized"]) not in top:
            positives.setdefault(str(report["normalized"]), ("?", "typosquat_hint only"))
    return positives


def long_tail(top: dict[str, int], reports: list[dict[str, object]], path: Path,
              size: int, seed: int) -> list[str]:
    malicious = {str(r["normalized"]) for r in reports}
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    names = sorted({normalize(line.split("\t", 1)[0]) for line in lines} - set(top) - malicious)
    return random.Random(seed).sample(names, size)


def flagged(names: list[str], floor: Severity) -> list[str]:
    found = []
    for name in names:
        match = best_match(name)
        if match is not None and match.severity is not None and match.severity >= floor:
            found.append(name)
    return found


def row(label: str, names: list[str], floor: Severity) -> tuple[str, int, int, float]:
    hits = flagged(names, floor)
    return label, len(names), len(hits), 100.0 * len(hits) / max(len(names), 1)


def throughput(names: list[str], repeats: int = 5) -> tuple[float, float, float]:
    """(first pass seconds incl. index build, median names/s by wall clock, by CPU time).

    CPU time is quoted beside wall time because a shared machine's load inflates wall time."""
    start = time.perf_counter()
    check = TyposquatCheck()
    for name in names:  # the first pass builds the per-length deletion indexes
        check.check_name(name, None)  # type: ignore[arg-type]
    build = time.perf_counter() - start
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for name in names:
            check.check_name(name, None)  # type: ignore[arg-type]
        wall.append(len(names) / (time.perf_counter() - start))
        cpu.append(len(names) / max(time.process_time() - start_cpu, 1e-9))
    return build, statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description="Name-check evaluation")
    parser.add_argument("--pypi-list", type=Path, default=PYPI_LIST)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--show", type=int, default=0, help="print N misses and false positives")
    parser.add_argument("--runs", type=int, default=11, help="processes per start-up figure")
    args = parser.parse_args()
    top, reports = load_top(), load_reports()
    positives = label_positives(top, reports)
    mid = [n for n, rank in top.items() if 5000 < rank <= 15000]
    tail = long_tail(top, reports, args.pypi_list, args.sample, args.seed)
    top5k = [n for n, rank in top.items() if rank <= 5000]
    print(f"{'set':42} {'names':>7} {'flagged':>8} {'rate':>7}")
    for floor in (Severity.MEDIUM, Severity.HIGH, Severity.LOW):
        rows = [row(f"typosquats (recall) at {floor.label}+", sorted(positives), floor),
                row(f"ranks 5,001-15,000 at {floor.label}+", mid, floor),
                row(f"long tail (seed {args.seed}) at {floor.label}+", tail, floor),
                row(f"top 5,000 at {floor.label}+", top5k, floor)]
        for label, total, hits, rate in rows:
            print(f"{label:42} {total:7,} {hits:8,} {rate:6.2f}%")
    build, wall, cpu = throughput(tail)
    print(f"\nthroughput over {len(tail):,} long-tail names, median of 5 passes: "
          f"{wall:,.0f} names/s wall clock, {cpu:,.0f} names/s CPU time; "
          f"first pass incl. index build {build:.2f} s")
    print("\nrecall at medium+ by labelling reason:")
    for reason in sorted({why for _, why in positives.values()}):
        label, total, hits, rate = row(
            reason, sorted(n for n, (_, why) in positives.items() if why == reason),
            Severity.MEDIUM)
        print(f"  {label:40} {total:7,} {hits:8,} {rate:6.2f}%")
    hinted = sorted({str(r["normalized"]) for r in reports if r["typosquat_hint"]} - set(top))
    label, total, hits, rate = row("every typosquat_hint report", hinted, Severity.MEDIUM)
    print(f"  {label:40} {total:7,} {hits:8,} {rate:6.2f}%")
    startup(args.runs)
    if args.show:
        show(positives, mid, tail, args.show)


def median_times(argv: list[str], runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `runs` processes; CPU (user+system of the child) is quoted
    because wall time on a shared machine measures the other tenants as much as safepip."""
    # As after `pip install` (which byte-compiles): let the warm-up run write __pycache__.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, check=False, capture_output=True, env=env)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True, env=env)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def startup(runs: int) -> None:
    """Time of `safepip check-name` in fresh interpreters, and what the name checks add."""
    base = [sys.executable, "-m", "safepip"]
    version = median_times([*base, "--version"], runs)
    print(f"\nstart-up, median of {runs} fresh processes (wall / CPU):")
    print(f"  safepip --version                            {version[0]:.3f} s / {version[1]:.3f} s")
    for names in (["requests"], ["requests", "urlib3", "jeIlyfish"]):
        wall, cpu = median_times([*base, "check-name", *names], runs)
        print(f"  safepip check-name {' '.join(names):25} {wall:.3f} s / {cpu:.3f} s "
              f"(+{wall - version[0]:.3f} s / +{cpu - version[1]:.3f} s over --version)")
    probe = ("import time; s = time.perf_counter(); "
             "from safepip.checks.names import data_summary, default_name_checks; "
             "[c.check_name('requests', None) for c in default_name_checks()]; data_summary(); "
             "print(time.perf_counter() - s)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    own = statistics.median(
        float(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                             text=True, env=env).stdout) for _ in range(runs))
    print(f"  name checks alone (imports + data, in-process)  {own:.3f} s")


def show(positives: dict[str, tuple[str, str]], mid: list[str], tail: list[str],
         count: int) -> None:
    missed = sorted(set(positives) - set(flagged(sorted(positives), Severity.MEDIUM)))
    print("\nmissed:", ", ".join(f"{n}>{positives[n][0]}" for n in missed[:count]))
    for label, names in (("ranks 5,001-15,000", mid), ("long tail", tail)):
        hits = flagged(names, Severity.MEDIUM)
        described = []
        for name in hits[:count]:
            match = best_match(name)
            assert match is not None
            described.append(f"{name}>{match.candidate.target}({match.candidate.kind},"
                             f"{match.confidence})")
        print(f"\nflagged {label}:", ", ".join(described))


if __name__ == "__main__":
    main()
