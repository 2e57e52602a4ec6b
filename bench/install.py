"""Benchmark: `safepip install` vs plain `pip install` of the same set into fresh venvs (issue 6).

Both tools install the same requirement set from the same LOCAL index (default: the file:// copy
of part of PyPI at /opt/pypi/simple; `--index http` serves that tree on 127.0.0.1 with
Cache-Control headers so that HTTP caches take part). Every run installs into a FRESH venv,
copied from a template before the clock starts (venv creation is not timed). Both tools use the
same pip: the template venv is seeded with the pip wheel found in the local index, and
safepip hands off to the target venv's own pip (`--python VENV/bin/python`), exactly as plain pip
runs it (`VENV/bin/python -m pip install ...`).

    .venv/bin/python bench/install.py [--runs 5] [--specs "fastapi uvicorn ..."]
                                      [--modes cold,warm] [--index file|http] [--profile]

Modes (what is fair):
- cold: pip `--no-cache-dir`; safepip with a fresh cache directory (XDG_CACHE_HOME) per run,
  so neither its HTTP cache nor its scan cache (keyed by sha256) helps.
- warm: pip with one cache directory primed by an untimed run; safepip with one cache
  directory primed by an untimed run. (With a file:// index pip has nothing to cache: it caches
  HTTP responses and wheels it built, and every file here is a wheel read from disk.)
Runs alternate pip / safepip so load changes on a shared machine hit both alike. The table
gives median wall time and median CPU time (user+sys of the process tree, which is far less
sensitive to the load average than wall time), and the safepip/pip ratios (goal: <= 1.3x).

Isolation: PIP_CONFIG_FILE=/dev/null, no PIP_* variables, a throwaway HOME; this machine's pip
configuration adds an extra index, find-links and a constraints file, which must not leak in.
This machine sets PYTHONDONTWRITEBYTECODE=1, and the dev checkout is an editable install
without byte code, so every safepip process would compile ~90 modules from source (~0.8 s CPU),
which an installed safepip never does. safepip therefore runs through a two-line shim
(bench/.cache/safepip_shim.py) that sets `sys.pycache_prefix` to bench/.cache/pycache and allows
byte-code writes *in its own process only*, and an untimed warm-up run fills that cache. The
variable itself is left alone, so pip (plain, and safepip's handoff) runs exactly as it would.

`--profile [cold|warm]` runs safepip once (cold cache, or a primed one) under `python -X
importtime` and under cProfile and prints the slowest imports and the top 25 functions by
cumulative time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
PYPI_ROOT = Path("/opt/pypi")
# 31 packages, all wheels, entirely within /opt/pypi (checked with pip --dry-run --report).
DEFAULT_SPECS = "fastapi uvicorn httpx pydantic sqlalchemy rich flask requests"


def clean_env(home: Path, cache_home: Path | None = None) -> dict[str, str]:
    """This machine's pip config adds indexes, find-links and constraints: none may leak in."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "UV_", "SAFEPIP_"))}
    for name in ("VIRTUAL_ENV", "PYTHONPYCACHEPREFIX", "PYTHONPATH"):
        env.pop(name, None)
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1",
               HOME=str(home), XDG_CACHE_HOME=str(cache_home or home / ".cache"),
               XDG_CONFIG_HOME=str(home / ".config"))
    return env


SHIM = """\
import runpy, sys
sys.pycache_prefix = {prefix!r}  # this process only: the handoff pip is not affected
sys.dont_write_bytecode = False
runpy.run_module("safepip", run_name="__main__", alter_sys=True)
"""


def safepip_prefix(*python_options: str) -> list[str]:
    """argv that runs `python -m safepip` with byte code cached (see the module docstring)."""
    shim = CACHE / "safepip_shim.py"
    text = SHIM.format(prefix=str(CACHE / "pycache"))
    CACHE.mkdir(parents=True, exist_ok=True)
    if not shim.exists() or shim.read_text() != text:
        shim.write_text(text)
    return [sys.executable, *python_options, str(shim)]


def warm_bytecode(url: str, work: Path, python: Path | None = None) -> None:
    """Untimed runs that import (and so byte-compile) every module a run needs."""
    env = clean_env(work / "home", work / "warmup-cache")
    target = ["--python", str(python)] if python else []
    for argv in (["install", "--dry-run", *target],
                 ["audit", "--format", "json", "-o", os.devnull]):
        subprocess.run([*safepip_prefix(), *argv, "--index-url", url, "six"], env=env,
                       cwd=work, capture_output=True, check=False)


@dataclass
class Timing:
    """Wall and CPU seconds of one process tree."""

    wall: float
    cpu: float


def timed(argv: list[str], env: dict[str, str], log: Path) -> Timing:
    """Run argv in log's directory (no pyproject.toml policy there); CPU time is user+sys of
    it and every child it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, cwd=log.parent, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])}... failed ({done.returncode}); "
                         f"last output:\n{log.read_text()[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


# -- fresh venvs ---------------------------------------------------------------------------
def template_venv(work: Path) -> Path:
    """A venv seeded with the index's newest pip wheel (else ensurepip's), built once per run."""
    template = work / "template"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(template)], check=True)
    wheels = sorted(PYPI_ROOT.glob("files/pip-*-py3-none-any.whl"))
    python = str(template / "bin" / "python")
    if wheels:
        env = clean_env(work / "home")
        subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
                        "--no-index", "--no-deps", "--no-cache-dir", str(wheels[-1])],
                       check=True, env=env)
    else:
        subprocess.run([python, "-m", "ensurepip", "--default-pip"], check=True,
                       capture_output=True)
    return template


def fresh_venv(template: Path, where: Path) -> Path:
    """A copy of the template: `python -m pip` works in it; console-script shebangs don't."""
    shutil.copytree(template, where, symlinks=True)
    return where / "bin" / "python"


def installed(python: Path, env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], env=env,
                          capture_output=True, text=True, check=True)
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(done.stdout)
            if p["name"] != "pip"}


# -- the two tools ---------------------------------------------------------------------------
def pip_argv(python: Path, url: str, specs: list[str], cache: Path | None) -> list[str]:
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache-dir"]
    return [str(python), "-m", "pip", "install", "--index-url", url, *cache_args, *specs]


def safepip_argv(python: Path, url: str, specs: list[str], prefix: list[str] | None = None,
                 ) -> list[str]:
    return [*(prefix or safepip_prefix()), "install", "--yes",
            "--python", str(python), "--index-url", url, *specs]


@dataclass
class Series:
    """Timings of one tool in one mode."""

    label: str
    runs: list[Timing] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(float(getattr(t, attribute)) for t in self.runs)


def bench_mode(mode: str, runs: int, url: str, specs: list[str], work: Path,
               template: Path) -> tuple[Series, Series, dict[str, str], dict[str, str]]:
    """Alternate pip and safepip runs in one mode; return both series and what each installed."""
    home = work / "home"
    pip_cache = work / "pip-cache" if mode == "warm" else None
    warm_home = work / "safepip-cache"
    pip, ours = Series(f"pip ({mode})"), Series(f"safepip ({mode})")
    if mode == "warm":  # prime both caches with an untimed run each
        prime = fresh_venv(template, work / "prime-pip")
        timed(pip_argv(prime, url, specs, pip_cache), clean_env(home), work / "prime-pip.log")
        prime = fresh_venv(template, work / "prime-safepip")
        timed(safepip_argv(prime, url, specs), clean_env(home, warm_home),
              work / "prime-safepip.log")
    pip_set: dict[str, str] = {}
    our_set: dict[str, str] = {}
    for run in range(runs):
        python = fresh_venv(template, work / f"{mode}-pip-{run}")
        pip.runs.append(timed(pip_argv(python, url, specs, pip_cache), clean_env(home),
                              work / f"{mode}-pip-{run}.log"))
        pip_set = pip_set or installed(python, clean_env(home))
        python = fresh_venv(template, work / f"{mode}-safepip-{run}")
        cache_home = warm_home if mode == "warm" else work / f"cold-cache-{run}"
        ours.runs.append(timed(safepip_argv(python, url, specs), clean_env(home, cache_home),
                               work / f"{mode}-safepip-{run}.log"))
        our_set = our_set or installed(python, clean_env(home))
        shutil.rmtree(work / f"{mode}-pip-{run}")
        shutil.rmtree(work / f"{mode}-safepip-{run}")
        print(f"  {mode} run {run + 1}/{runs}: pip {pip.runs[-1].wall:.2f}s "
              f"safepip {ours.runs[-1].wall:.2f}s  (load {os.getloadavg()[0]:.1f})",
              file=sys.stderr)
    return pip, ours, pip_set, our_set


def print_table(pairs: list[tuple[Series, Series]], runs: int, url: str, packages: int,
                loads: tuple[tuple[float, ...], tuple[float, ...]]) -> None:
    print(f"\nindex: {url}; {packages} packages; {runs} runs each, fresh venv per run")
    print(f"load average before {loads[0][0]:.2f} {loads[0][1]:.2f} {loads[0][2]:.2f}, "
          f"after {loads[1][0]:.2f} {loads[1][1]:.2f} {loads[1][2]:.2f} ({os.cpu_count()} CPUs)")
    header = (f"{'tool (mode)':<18}{'wall med':>10}{'wall min':>10}{'cpu med':>10}"
              f"{'wall ratio':>12}{'cpu ratio':>11}")
    print(header)
    print("-" * len(header))
    for pip, ours in pairs:
        for series in (pip, ours):
            wall = series.median("wall") / pip.median("wall")
            cpu = series.median("cpu") / pip.median("cpu")
            print(f"{series.label:<18}{series.median('wall'):>10.2f}"
                  f"{min(t.wall for t in series.runs):>10.2f}{series.median('cpu'):>10.2f}"
                  f"{wall:>11.2f}x{cpu:>10.2f}x")
    print("(ratios are safepip/pip per mode; goal <= 1.3x wall)")


# -- profile ---------------------------------------------------------------------------------
def profile(url: str, specs: list[str], work: Path, template: Path, mode: str) -> None:
    """One safepip run under -X importtime, one under cProfile (both into fresh venvs); warm
    mode primes one cache directory first and profiles with it."""
    home = work / "home"
    caches = [work / "profile-cache-1", work / "profile-cache-2"]
    if mode == "warm":
        caches = [work / "profile-cache"] * 2
        prime = fresh_venv(template, work / "profile-prime")
        timed(safepip_argv(prime, url, specs), clean_env(home, caches[0]), work / "prime.log")
    python = fresh_venv(template, work / "profile-imports")
    argv = safepip_argv(python, url, specs, safepip_prefix("-X", "importtime"))
    timed(argv, clean_env(home, caches[0]), work / "importtime.log")
    print_imports(work / "importtime.log")
    python = fresh_venv(template, work / "profile-cprofile")
    prof = work / "install.prof"
    argv = safepip_argv(python, url, specs, safepip_prefix("-m", "cProfile", "-o", str(prof)))
    timing = timed(argv, clean_env(home, caches[1]), work / "cprofile.log")
    print(f"\n{mode} cProfile run: wall {timing.wall:.2f}s, cpu {timing.cpu:.2f}s (pip child "
          "included in cpu; its wall time shows as subprocess.run below)")
    import pstats

    pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
    pstats.Stats(str(prof)).sort_stats("tottime").print_stats(12)


def print_imports(log: Path) -> None:
    """The cumulative import time of safepip's heaviest top-level imports."""
    rows = []
    for line in log.read_text().splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.removeprefix("import time:").split("|", 2)
            if cumulative.strip().isdigit():  # "| name": nesting shows as 2 more spaces
                rows.append((int(cumulative), name.rstrip().removeprefix(" ")))
    total = sum(us for us, name in rows if not name.startswith(" "))
    print(f"\n-X importtime: {total / 1e6:.2f}s in top-level imports; heaviest (cumulative):")
    for us, name in sorted(rows, reverse=True)[:15]:
        print(f"  {us / 1e6:6.3f}s {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--specs", default=DEFAULT_SPECS, help="space-separated requirements")
    parser.add_argument("--modes", default="cold,warm")
    parser.add_argument("--index", choices=("file", "http"), default="file")
    parser.add_argument("--profile", nargs="?", const="cold", choices=("cold", "warm"),
                        help="profile one safepip run (cold cache unless 'warm')")
    options = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    from resolve import index_url  # the loopback server for --index http lives there

    specs = options.specs.split()
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp, \
            index_url(options.index) as url:
        work = Path(tmp)
        template = template_venv(work)
        warm_bytecode(url, work, template / "bin" / "python")
        if options.profile:
            profile(url, specs, work, template, options.profile)
            return
        loads = os.getloadavg()
        pairs, sets = [], []
        for mode in options.modes.split(","):
            pip, ours, pip_set, our_set = bench_mode(mode, options.runs, url, specs, work,
                                                     template)
            pairs.append((pip, ours))
            sets.append((mode, pip_set, our_set))
        print_table(pairs, options.runs, url, len(sets[0][1]), (loads, os.getloadavg()))
    for mode, pip_set, our_set in sets:
        if pip_set != our_set:
            print(f"INSTALLED SETS DIFFER ({mode}): pip {pip_set} safepip {our_set}")


if __name__ == "__main__":
    main()
