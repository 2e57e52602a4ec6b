"""Evaluate the name checks on typosquats published *after* the data the scoring was tuned on.

    python bench/names.py [--split 2023-06-30] [--pypi-list PATH] [--seed N] [--sample N]
                          [--review N] [--show N] [--fit] [--blind] [--no-speed]
                          [--calibrate]

Why this cannot flatter the detector:
- Time split. OSV `MAL-` reports published up to `--split` are the *fit* set (weights were tuned
  by looking at it only); reports published later are the *report* set. The headline is the
  report set. `--blind` prints nothing about the report set, so tuning can run without seeing it.
- Labels by a rule that shares no code with the detector: a malicious name is a positive when at
  most two mutations from the human-readable list below turn a top-15,000 project's name into it
  (`label()`), and the target is long enough that the mutation is unlikely to be a coincidence.
  `--review N` prints a seeded random sample of labelled positives, with their mutations, for a
  person to check.
      separator change      a `-` added or dropped            py-cord -> pycord
      python prefix/suffix  py-, python-, -py, -python, ...   colorama -> pycolorama
      omission              a letter dropped                  requests -> reqests
      insertion             a letter added                    requests -> requestsz
      doubled letter        a letter doubled or undoubled     pillow -> pilllow
      substitution          a letter replaced                 numpy -> numpi
      keyboard-adjacent     replaced or added by a neighbour  urllib3 -> urklib3
      visual confusable     l/1/i, 0/o, rn/m, vv/w, cl/d      jellyfish -> jeIlyfish
      transposition         two neighbours swapped            requests -> reqeusts
  That loose rule also matches about one ordinary PyPI name in twelve, so the headline uses
  *strict* labels: a loose label whose pattern (target rank band x mutations) is rare among
  ordinary names (`COMMON_PATTERNS`, recomputed by `--calibrate` on a calibration sample disjoint
  from the false-positive sample). Both are printed, each cell with the labels expected by chance.
- False positives are measured on names the detector must leave alone: projects ranked
  5,001-15,000 (real, popular: a flag is a false positive) and a seeded sample of 10,000 long-tail
  PyPI names that are in no malicious report (never used as an allowlist: the detector does not
  see them), plus the top 5,000, which must never be flagged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safepip.checks.typosquat import TyposquatCheck, best_match  # noqa: E402
from safepip.findings import Severity  # noqa: E402

try:  # absent before the index evidence existed: `--checkout` of an older commit
    from safepip.checks.typosquat import NameEvidence
    from safepip.index.models import ProjectHistory
except ImportError:
    NameEvidence = None  # type: ignore[assignment,misc]

SHARED = ROOT.parent / "shared" / "data"
if not SHARED.is_dir():  # a worktree sits at /work/wt/NAME, the data at /work/shared
    SHARED = Path("/work/shared/data")
PYPI_LIST = Path("/work/.library/env/packages/pypi.tsv")
BANDS = ((1, 100), (101, 1000), (1001, 5000), (5001, 15000))

# ---------------------------------------------------------------------------------------------
# The labelling rule (independent of safepip's code)

_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_AFFIXES = ("python3-", "python-", "python3", "python", "py3-", "py-", "py")
_CONFUSABLE_CHARS = ({"l", "1", "i"}, {"0", "o"})
_CONFUSABLE_RUNS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
MIN_LENGTH = {1: 4, 2: 7}
"""Shortest target (letters and digits) a name may differ from by 1 / 2 mutations and still be
labelled: two letters changed in a five-letter name is as likely a different word as a squat."""


def _neighbours() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for r, row in enumerate(_ROWS):
        for c, key in enumerate(row):
            near = found.setdefault(key, set())
            near.update(row[max(c - 1, 0):c] + row[c + 1:c + 2])
            for other, cols in ((r - 1, (c, c + 1)), (r + 1, (c - 1, c))):
                if 0 <= other < len(_ROWS):
                    near.update(_ROWS[other][k] for k in cols if 0 <= k < len(_ROWS[other]))
    return found


NEIGHBOURS = _neighbours()


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _osa_ops(a: str, b: str) -> list[tuple[str, int, int]]:
    """The edits (kind, index in `a`, index in `b`) of an optimal OSA alignment of a -> b."""
    rows, cols = len(a) + 1, len(b) + 1
    d = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        d[i][0] = i
    for j in range(cols):
        d[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    ops: list[tuple[str, int, int]] = []
    i, j = len(a), len(b)
    while i or j:
        if i and j and a[i - 1] == b[j - 1] and d[i][j] == d[i - 1][j - 1]:
            i, j = i - 1, j - 1
        elif (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
              and d[i][j] == d[i - 2][j - 2] + 1):
            ops.append(("transpose", i - 2, j - 2))
            i, j = i - 2, j - 2
        elif i and j and d[i][j] == d[i - 1][j - 1] + 1:
            ops.append(("replace", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            ops.append(("delete", i - 1, j))
            i -= 1
        else:
            ops.append(("insert", i, j - 1))
            j -= 1
    return ops[::-1]


def _around(word: str, index: int) -> str:
    return word[max(index - 1, 0):index] + word[index + 1:index + 2]


def _classify(target: str, name: str) -> list[str]:
    """Name each character edit turning `target` into `name`."""
    classes = []
    for op, i, j in _osa_ops(target, name):
        if op == "transpose":
            classes.append("transposition")
        elif op in ("insert", "delete"):
            word, at = (name, j) if op == "insert" else (target, i)
            char, near = word[at], _around(word, at)
            if char == "-":
                classes.append("separator change")
            elif char in near:
                classes.append("doubled letter")
            elif op == "insert" and any(c in NEIGHBOURS.get(char, ()) for c in near):
                classes.append("keyboard-adjacent")
            else:
                classes.append("insertion" if op == "insert" else "omission")
        else:
            old, new = target[i], name[j]
            if "-" in (old, new):
                classes.append("substitution")
            elif any({old, new} <= group for group in _CONFUSABLE_CHARS):
                classes.append("visual confusable")
            elif new in NEIGHBOURS.get(old, ()):
                classes.append("keyboard-adjacent")
            else:
                classes.append("substitution")
    return classes


def _forms(name: str) -> list[tuple[str, list[str]]]:
    """`name` and what one whole-word mutation (affix, confusable run) would undo."""
    forms: list[tuple[str, list[str]]] = [(name, [])]
    for affix in _AFFIXES:
        if name.startswith(affix) and len(name) - len(affix) >= 3:
            forms.append((name[len(affix):].strip("-"), ["python prefix/suffix"]))
        suffix = "-" + affix.strip("-") if affix.endswith("-") else affix
        for end in {suffix, suffix.lstrip("-")}:
            if name.endswith(end) and len(name) - len(end) >= 3:
                forms.append((name[:-len(end)].strip("-"), ["python prefix/suffix"]))
    for many, one in _CONFUSABLE_RUNS:
        for old, new in ((many, one), (one, many)):
            start = name.find(old)
            while start >= 0:
                forms.append((name[:start] + new + name[start + len(old):],
                              ["visual confusable"]))
                start = name.find(old, start + 1)
    return forms


# The strict label set. The rule above also matches about one ordinary PyPI name in twelve, so
# a loose label is often a coincidence (`styler` is one keyboard slip from `style`). A label is
# *strict* unless its pattern -- target rank band and mutations -- is common among ordinary names:
# more than one in 3,000 of a calibration sample of long-tail names (30,000, seed 99, disjoint
# from the false-positive sample; `--calibrate` recomputes this list and prints the counts). What
# stays strict: typing slips and look-alikes against any target, free letter changes against the
# top 100 only. It is measured without the detector and without the malicious names.
CALIBRATION_SEED, CALIBRATION_SIZE, COMMON_PER_30K = 99, 30_000, 10
COMMON_PATTERNS = frozenset({
    ("1-100", ("substitution", "substitution")),
    ("101-1,000", ("substitution",)), ("101-1,000", ("substitution", "substitution")),
    ("101-1,000", ("omission", "substitution")), ("101-1,000", ("keyboard-adjacent",)),
    ("101-1,000", ("insertion", "substitution")),
    ("101-1,000", ("keyboard-adjacent", "substitution")), ("101-1,000", ("insertion",)),
    ("101-1,000", ("python prefix/suffix",)),
    ("1,001-5,000", ("substitution",)), ("1,001-5,000", ("substitution", "substitution")),
    ("1,001-5,000", ("omission", "substitution")),
    ("1,001-5,000", ("keyboard-adjacent", "substitution")),
    ("1,001-5,000", ("keyboard-adjacent",)), ("1,001-5,000", ("insertion",)),
    ("1,001-5,000", ("insertion", "substitution")), ("1,001-5,000", ("omission",)),
    ("1,001-5,000", ("omission", "omission")), ("1,001-5,000", ("python prefix/suffix",)),
    ("1,001-5,000", ("keyboard-adjacent", "keyboard-adjacent")),
    ("1,001-5,000", ("keyboard-adjacent", "omission")),
    ("5,001-15,000", ("substitution", "substitution")), ("5,001-15,000", ("substitution",)),
    ("5,001-15,000", ("omission", "substitution")),
    ("5,001-15,000", ("keyboard-adjacent", "substitution")),
    ("5,001-15,000", ("keyboard-adjacent",)), ("5,001-15,000", ("insertion", "substitution")),
    ("5,001-15,000", ("insertion",)), ("5,001-15,000", ("python prefix/suffix",)),
    ("5,001-15,000", ("omission",)), ("5,001-15,000", ("omission", "omission")),
    ("5,001-15,000", ("keyboard-adjacent", "omission")),
    ("5,001-15,000", ("insertion", "insertion")),
    ("5,001-15,000", ("insertion", "keyboard-adjacent")),
    ("5,001-15,000", ("doubled letter", "substitution")),
    ("5,001-15,000", ("keyboard-adjacent", "keyboard-adjacent")),
    ("5,001-15,000", ("substitution", "transposition")),
    ("5,001-15,000", ("python prefix/suffix", "substitution")),
    ("5,001-15,000", ("doubled letter",)), ("5,001-15,000", ("insertion", "omission")),
})
"""Patterns (band, sorted mutations) above `COMMON_PER_30K` in the calibration sample."""


@dataclass(frozen=True)
class Label:
    """Why a malicious name counts as a typosquat."""

    target: str
    rank: int
    mutations: tuple[str, ...]

    @property
    def distance(self) -> int:
        return len(self.mutations)

    @property
    def pattern(self) -> tuple[str, tuple[str, ...]]:
        return band_of(self.rank), tuple(sorted(self.mutations))

    @property
    def strict(self) -> bool:
        """The pattern is rare among ordinary names (see `COMMON_PATTERNS`)."""
        return self.pattern not in COMMON_PATTERNS


class Labeller:
    """A name's nearest top-15,000 target by the mutation list (shortest path, best rank)."""

    def __init__(self, top: dict[str, int]) -> None:
        self.top = top
        self.forms: dict[int, list[tuple[str, str, list[str]]]] = {}
        for target in sorted(top, key=top.__getitem__):
            for form, steps in _forms(target):
                self.forms.setdefault(len(form), []).append((form, target, steps))

    def label(self, name: str) -> Label | None:
        if name in self.top:
            return None
        best: Label | None = None
        for form, steps in _forms(name):
            for size in range(len(form) - 2, len(form) + 3):
                entries = self.forms.get(size, [])
                choices = [e[0] for e in entries]
                for _, distance, index in process.extract(
                        form, choices, scorer=OSA.distance, score_cutoff=2, limit=None):
                    tform, target, tsteps = entries[index]
                    if len(steps) + len(tsteps) + distance > 2 or target == name:
                        continue
                    mutations = tuple(steps + tsteps + _classify(tform, form))
                    if not mutations or len(mutations) > 2:
                        continue
                    if len(tform.replace("-", "")) < MIN_LENGTH[len(mutations)]:
                        continue
                    label = Label(target, self.top[target], mutations)
                    if best is None or (label.distance, label.rank) < (best.distance, best.rank):
                        best = label
        return best


# ---------------------------------------------------------------------------------------------
# Data


def load_top() -> dict[str, int]:
    lines = (SHARED / "top-pypi-packages.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ranks: dict[str, int] = {}
    for line in lines:
        rank, name = line.split("\t")
        ranks.setdefault(normalize(name), int(rank))
    return ranks


def load_reports() -> list[dict[str, str]]:
    raw = json.loads((SHARED / "osv-malicious-pypi.json").read_text(encoding="utf-8"))
    return [r for r in raw["records"] if not r["withdrawn"]]


def split(reports: list[dict[str, str]], cut: str) -> tuple[list[str], list[str]]:
    """(fit, report) name lists: the first publication of a name decides its side."""
    first: dict[str, str] = {}
    for report in reports:
        name = report["normalized"]
        first[name] = min(first.get(name, report["published"]), report["published"])
    fit = sorted(n for n, when in first.items() if when[:10] <= cut)
    return fit, sorted(n for n, when in first.items() if when[:10] > cut)


def ordinary_names(top: dict[str, int], malicious: set[str], path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return sorted({normalize(line.split("\t", 1)[0]) for line in lines} - set(top) - malicious)


def long_tail(names: list[str], size: int, seed: int) -> list[str]:
    return random.Random(seed).sample(names, size)


def calibrate(labeller: Labeller, names: list[str], tail: list[str]) -> None:
    """Count label patterns among ordinary names (a sample disjoint from `tail`) and print the
    patterns common enough to be coincidences: the source of `COMMON_PATTERNS`."""
    pool = sorted(set(names) - set(tail))
    sample = random.Random(CALIBRATION_SEED).sample(pool, CALIBRATION_SIZE)
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    for name in sample:
        if (lab := labeller.label(name)) is not None:
            counts[lab.pattern] = counts.get(lab.pattern, 0) + 1
    print(f"label patterns among {CALIBRATION_SIZE:,} ordinary names (seed {CALIBRATION_SEED}),"
          f" common ones (> {COMMON_PER_30K}) marked *:")
    for pattern, count in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1])):
        mark = "*" if count > COMMON_PER_30K else " "
        print(f"  {mark} {pattern[0]:14} {' + '.join(pattern[1]):48} {count:5}")
    common = {p for p, c in counts.items() if c > COMMON_PER_30K}
    print(f"matches COMMON_PATTERNS: {common == set(COMMON_PATTERNS)}")


# ---------------------------------------------------------------------------------------------
# Measures


def severity_of(name: str) -> Severity | None:
    match = best_match(name)
    return match.severity if match is not None else None


def flagged(names: Iterable[str], floor: Severity) -> list[str]:
    return [n for n in names if (s := severity_of(n)) is not None and s >= floor]


def band_of(rank: int) -> str:
    low, high = next(b for b in BANDS if b[0] <= rank <= b[1])
    return f"{low:,}-{high:,}"


def _inside(label: Label, low: int, high: int, distance: int | None) -> bool:
    return low <= label.rank <= high and (distance is None or label.distance == distance)


def recall_table(title: str, labels: dict[str, Label], floor: Severity,
                 chance: dict[str, Label] | None = None, scale: float = 0.0) -> None:
    """Recall per cell; with `chance` (labels of the long-tail sample) also how many labels a
    cell would get by coincidence from as many ordinary names (`scale` = set size / sample)."""
    hits = set(flagged(labels, floor))
    print(f"\n{title}: recall at {floor.label}+ (flagged/labelled"
          + (", [labels expected by chance])" if chance is not None else ")"))
    print(f"  {'target rank':14} {'1 mutation':>18} {'2 mutations':>18} {'all':>18}")
    for low, high in BANDS:
        cells = []
        for distance in (1, 2, None):
            names = [n for n, lab in labels.items() if _inside(lab, low, high, distance)]
            cell = f"{sum(n in hits for n in names)}/{len(names)}"
            if chance is not None:
                expected = scale * sum(_inside(lab, low, high, distance)
                                       for lab in chance.values())
                cell += f" [{expected:.0f}]"
            cells.append(cell)
        print(f"  {f'{low:,}-{high:,}':14} {cells[0]:>18} {cells[1]:>18} {cells[2]:>18}")
    total = len(labels)
    found = len(hits & set(labels))
    print(f"  {'all':14} {'':>18} {'':>18} {f'{found}/{total}':>18}  "
          f"= {100.0 * found / max(total, 1):.1f}%")
    if chance is not None:
        # Take out the labels ordinary names would get by coincidence, and the share of them
        # the detector flags too: what is left estimates recall on the real squats.
        expected = scale * len(chance)
        expected_hits = scale * len(set(flagged(chance, floor)))
        if not 0 <= found - expected_hits <= total - expected:
            print(f"  {'chance-corrected':14} not meaningful here: ~{expected:.0f} chance labels "
                  "by set size, but this set is not shaped like ordinary names")
            return _top_row(labels, hits)
        print(f"  {'chance-corrected':14} {'':>18} {'':>18} "
              f"{f'{found - expected_hits:.0f}/{total - expected:.0f}':>18}  "
              f"= {100.0 * (found - expected_hits) / max(total - expected, 1):.1f}%  "
              f"(~{expected:.0f} chance labels, ~{expected_hits:.0f} of them flagged)")
    _top_row(labels, hits)


def _top_row(labels: dict[str, Label], hits: set[str]) -> None:
    top = [n for n, lab in labels.items() if lab.rank <= 5000]
    print(f"  {'targets 1-5,000':14} {'':>18} {'':>18} "
          f"{f'{sum(n in hits for n in top)}/{len(top)}':>18}  "
          f"= {100.0 * sum(n in hits for n in top) / max(len(top), 1):.1f}%")


def rate(label: str, names: list[str], floor: Severity) -> None:
    hits = flagged(names, floor)
    print(f"  {label:44} {len(hits):6,}/{len(names):<7,} {100.0 * len(hits) / len(names):6.2f}%")


def at_install_time(labels: dict[str, Label], reports: list[dict[str, str]],
                    floor: Severity) -> None:
    """Recall had each report-set squat been installed the day after its first upload, with
    the index evidence safepip weighs (releases = the versions its report lists, first upload =
    the report's publication: an assumption, the OSV data has no upload times). There is no
    matching figure for legitimate names: a young long-tail project that looks like a popular
    name is raised the same way, so its false-positive rate is the name-only rate at low+."""
    first: dict[str, dict[str, str]] = {}
    for report in reports:
        if report["normalized"] not in first or report["published"] < first[
                report["normalized"]]["published"]:
            first[report["normalized"]] = report
    hits = set()
    for name in labels:
        report = first[name]
        published = dt.datetime.fromisoformat(report["published"].replace("Z", "+00:00"))
        versions = report["versions"]
        releases = len(versions) if isinstance(versions, list) else 1
        evidence = NameEvidence(ProjectHistory(releases, published, fully_dated=True),
                                now=published + dt.timedelta(days=1))
        match = best_match(name)
        severity = evidence.weigh(match)[0] if match is not None else None
        if severity is not None and severity >= floor:
            hits.add(name)
    print(f"\nREPORT set at install time, with index evidence (assumed, see at_install_time): "
          f"recall at {floor.label}+")
    print(f"  {'target rank':14} {'1 mutation':>12} {'2 mutations':>12} {'all':>12}")
    for low, high in BANDS:
        cells = []
        for distance in (1, 2, None):
            names = [n for n, lab in labels.items() if low <= lab.rank <= high
                     and (distance is None or lab.distance == distance)]
            cells.append(f"{sum(n in hits for n in names)}/{len(names)}")
        print(f"  {f'{low:,}-{high:,}':14} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12}")
    print(f"  {'all':14} {'':>12} {'':>12} {f'{len(hits)}/{len(labels)}':>12}  "
          f"= {100.0 * len(hits) / max(len(labels), 1):.1f}%")


def review(labels: dict[str, Label], count: int, seed: int) -> None:
    sample = random.Random(seed).sample(sorted(labels), min(count, len(labels)))
    print(f"\nrandom sample of {len(sample)} labelled positives (seed {seed}), for review:")
    for name in sample:
        lab = labels[name]
        sev = severity_of(name)
        print(f"  {name:28} <- {lab.target:24} rank {lab.rank:>6,}  "
              f"{' + '.join(lab.mutations):40} {sev.label if sev else '-'}")


def show(labels: dict[str, Label], negatives: dict[str, list[str]], count: int) -> None:
    missed = sorted(set(labels) - set(flagged(labels, Severity.MEDIUM)))
    print(f"\nmissed at medium+ ({len(missed)}):")
    for name in missed[:count]:
        match = best_match(name)
        got = (f"{match.candidate.target} {match.candidate.kind} {match.confidence:.2f}"
               if match else "no candidate")
        print(f"  {name:28} <- {labels[name].target:24} {' + '.join(labels[name].mutations):36}"
              f" [{got}]")
    for title, names in negatives.items():
        hits = flagged(names, Severity.MEDIUM)
        print(f"\nflagged at medium+ in {title} ({len(hits)}):")
        for name in hits[:count]:
            match = best_match(name)
            assert match is not None
            print(f"  {name:28} -> {match.candidate.target:24} {match.candidate.kind:22} "
                  f"{match.confidence:.2f}")


def throughput(names: list[str], repeats: int = 5) -> tuple[float, float, float]:
    """(first pass seconds incl. index build, median names/s by wall clock, by CPU time).

    CPU time is quoted beside wall time because a shared machine's load inflates wall time."""
    start = time.perf_counter()
    check = TyposquatCheck()
    for name in names:  # the first pass builds the per-length indexes
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Name-check evaluation (time split)")
    parser.add_argument("--split", default="2023-06-30", help="last publication day of the fit set")
    parser.add_argument("--pypi-list", type=Path, default=PYPI_LIST)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--review", type=int, default=40, help="labelled positives to print")
    parser.add_argument("--show", type=int, default=0, help="print N misses and false positives")
    parser.add_argument("--runs", type=int, default=11, help="processes per start-up figure")
    parser.add_argument("--no-speed", action="store_true", help="skip throughput and start-up")
    parser.add_argument("--calibrate", action="store_true",
                        help="recount the label patterns common among ordinary names and exit")
    parser.add_argument("--fit", action="store_true",
                        help="review and show misses from the fit set (for tuning)")
    parser.add_argument("--blind", action="store_true",
                        help="print nothing about the report set (tune without seeing it)")
    args = parser.parse_args()

    top, reports = load_top(), load_reports()
    fit_names, report_names = split(reports, args.split)
    labeller = Labeller(top)
    ordinary = ordinary_names(top, {r["normalized"] for r in reports}, args.pypi_list)
    tail = long_tail(ordinary, args.sample, args.seed)
    if args.calibrate:
        calibrate(labeller, ordinary, long_tail(ordinary, 10_000, 20261128))
        return
    loose_fit = {n: lab for n in fit_names if (lab := labeller.label(n)) is not None}
    loose_held = {n: lab for n in report_names if (lab := labeller.label(n)) is not None}
    fit = {n: lab for n, lab in loose_fit.items() if lab.strict}
    held = {n: lab for n, lab in loose_held.items() if lab.strict}
    mid = sorted(n for n, rank in top.items() if 5000 < rank <= 15000)
    top5k = sorted(n for n, rank in top.items() if rank <= 5000)
    tail_labels = {n: lab for n in tail if (lab := labeller.label(n)) is not None}
    strict_tail = {n: lab for n, lab in tail_labels.items() if lab.strict}
    print(f"split at {args.split}: fit set {len(fit_names):,} malicious names "
          f"({len(fit):,} strict labels, {len(loose_fit):,} loose), report set "
          f"{len(report_names):,} ({len(held):,} strict, {len(loose_held):,} loose)")
    print(f"the loose rule also matches {len(tail_labels)}/{len(tail):,} long-tail names "
          f"({100.0 * len(tail_labels) / len(tail):.1f}%), the strict rule "
          f"{len(strict_tail)} ({100.0 * len(strict_tail) / len(tail):.1f}%)")

    scale = len(report_names) / len(tail)
    if args.blind:
        held, loose_held = {}, {}
    else:
        recall_table(f"REPORT set (published after {args.split}), STRICT labels", held,
                     Severity.MEDIUM, strict_tail, scale)
        recall_table(f"REPORT set (published after {args.split}), loose labels", loose_held,
                     Severity.MEDIUM, tail_labels, scale)
    fit_scale = len(fit_names) / len(tail)
    recall_table(f"fit set (published up to {args.split}), STRICT labels", fit,
                 Severity.MEDIUM, strict_tail, fit_scale)
    recall_table(f"fit set (published up to {args.split}), loose labels", loose_fit,
                 Severity.MEDIUM, tail_labels, fit_scale)
    if NameEvidence is not None and not args.blind:
        at_install_time(held, reports, Severity.MEDIUM)
    for floor in (Severity.MEDIUM, Severity.HIGH, Severity.LOW):
        print(f"\nflagged at {floor.label}+:")
        if not args.blind:
            rate("report-set typosquats, strict (recall)", sorted(held), floor)
            rate("report-set typosquats, loose (recall)", sorted(loose_held), floor)
        rate("fit-set typosquats, strict (recall)", sorted(fit), floor)
        rate("fit-set typosquats, loose (recall)", sorted(loose_fit), floor)
        rate("ranks 5,001-15,000 (false positives)", mid, floor)
        rate(f"long tail, seed {args.seed} (false positives)", tail, floor)
        rate("top 5,000 (must be 0)", top5k, floor)
    shown = fit if args.fit or args.blind else held
    if args.review:
        review(shown, args.review, args.seed)
    if args.show:
        show(shown, {"ranks 5,001-15,000": mid, "long tail": tail}, args.show)
    if not args.no_speed:
        build, wall, cpu = throughput(tail)
        print(f"\nthroughput over {len(tail):,} long-tail names, median of 5 passes: "
              f"{wall:,.0f} names/s wall clock, {cpu:,.0f} names/s CPU time; "
              f"first pass incl. index build {build:.2f} s")
        startup(args.runs)


if __name__ == "__main__":
    main()
