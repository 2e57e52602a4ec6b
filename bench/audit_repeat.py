"""Benchmark: `safepip audit` of an unchanged ~100-package lock, first run vs repeats (issue 7).

Goal (issue 7, item 5): with a warm cache, the second audit of an unchanged 100-package lock
file takes < 2 s. The lock is bench/data/pylock.toml: 102 packages, all wheels (56 MB), written by
`pip lock` from `jupyter requests flask` against the local index (`--regenerate` rebuilds it).

    .venv/bin/python bench/audit_repeat.py [--runs 5] [--cold-runs 1] [--input pylock|requirements]
                                           [--index file|http] [--latency MS] [--profile]
                                           [--regenerate]

Each timed run is one process:
    python -m safepip audit pylock.toml --index-url URL --format json -o /dev/null
(the cold runs write `-o cold.json` instead, so the result can be compared). A cold run gets a
fresh cache directory (XDG_CACHE_HOME); the last cold run's cache is then reused by the repeat
runs. After the repeats, one more untimed run writes its JSON, which must equal the cold run's
(a cache that changed the verdict would be a bug, not a speed-up). `--input requirements` audits
the same pins as a `name==version --hash=sha256:...` requirements file instead (vetted as locked).

The environment is clean as in bench/install.py: PIP_CONFIG_FILE=/dev/null, no PIP_*/SAFEPIP_*
variables, a throwaway HOME; safepip runs through bench/install.py's shim, so its byte code is
cached under bench/.cache/pycache (warmed by untimed runs) as an installed safepip's would be.
The audit runs in a directory without pyproject.toml, so no [tool.safepip] policy applies. Exit
status 1 (findings at or above the fail level) counts as a completed audit; 2 and 3 stop it.

`--index http` serves /opt/pypi on 127.0.0.1 with PyPI-like Cache-Control headers (the server
of bench/resolve.py); `--latency MS` delays every request by MS milliseconds, a stand-in for a
remote index's round trip (one connection per request: the loopback server does not keep alive).

`--profile` runs one repeat under -X importtime and one under cProfile (after the cold run) and
prints where the time goes: top 25 functions by cumulative time and the pipeline stages.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from install import Timing, clean_env, print_imports, safepip_prefix, warm_bytecode

BENCH = Path(__file__).resolve().parent
LOCK = BENCH / "data" / "pylock.toml"
LOCK_SPECS = ["jupyter", "requests", "flask"]
STAGES = {  # (file suffix, function) -> label, for the "where the time goes" summary
    ("safepip/checks/advisories.py", "load_snapshot"): "advisory snapshot load",
    ("safepip/pipeline.py", "_check_names_early"): "early name checks",
    ("safepip/resolution/resolve.py", "resolve_pins"): "lock -> plan (index pages, checks)",
    ("safepip/resolution/locked.py", "_confirmed_files"): "index pages + lock/index checks",
    ("safepip/pipeline.py", "_download"): "download (copy) of every file",
    ("safepip/pipeline.py", "_hash_files"): "sha256 of every file",
    ("safepip/pipeline.py", "_scan"): "scan (cache lookups)",
    ("safepip/commands/common.py", "emit"): "report",
}


@contextmanager
def served_index(kind: str, latency_ms: float) -> Iterator[str]:
    """bench/resolve.py's index (file:// or loopback HTTP), HTTP optionally slowed down."""
    import resolve

    if kind == "file" or not latency_ms:
        with resolve.index_url(kind) as url:
            yield url
        return

    class Slow(resolve._IndexHandler):
        def handle_one_request(self) -> None:
            time.sleep(latency_ms / 1000)
            super().handle_one_request()

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 lambda *a: Slow(*a, directory=str(resolve.PYPI_ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()


def audit_argv(prefix: list[str], target: str, url: str, output: str) -> list[str]:
    return [*prefix, "audit", target, "--index-url", url,
            "--format", "json", "-o", output]


def run(argv: list[str], env: dict[str, str], cwd: Path) -> Timing:
    """One audit; exit 0 (clean) and 1 (findings) are both completed audits."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def requirements_from_lock(lock: Path, out: Path) -> None:
    """The lock's pins as a hash-pinned requirements file (pip's hash-checking mode)."""
    lines = []
    for package in tomllib.loads(lock.read_text())["packages"]:
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        hashes = " ".join(f"--hash=sha256:{f['hashes']['sha256']}" for f in files)
        lines.append(f"{package['name']}=={package['version']} {hashes}\n")
    out.write_text("".join(lines))


def regenerate(url: str, work: Path) -> None:
    """Rebuild bench/data/pylock.toml with `pip lock` (pip >= 25.1) from the local index."""
    subprocess.run([sys.executable, "-m", "pip", "lock", "--quiet", "--no-cache-dir",
                    "--index-url", url, "-o", str(LOCK), *LOCK_SPECS],
                   env=clean_env(work / "home"), check=True)
    count = len(tomllib.loads(LOCK.read_text())["packages"])
    print(f"wrote {LOCK} ({count} packages, {LOCK.stat().st_size} bytes)")


def cache_contents(cache_home: Path) -> str:
    """What the first run left in safepip's cache: HTTP responses and scan results."""
    parts = []
    for name in ("http", "scans"):
        where = cache_home / "safepip" / name
        count = sum(1 for p in where.rglob("*") if p.is_file()) if where.exists() else 0
        parts.append(f"{name}: {count} files")
    return ", ".join(parts)


def summary(label: str, runs: list[Timing]) -> str:
    walls = [t.wall for t in runs]
    return (f"{label:<22}{len(runs):>5}{statistics.median(walls):>10.2f}{min(walls):>10.2f}"
            f"{max(walls):>10.2f}{statistics.median(t.cpu for t in runs):>10.2f}")


def profile(target: str, url: str, env: dict[str, str], work: Path) -> None:
    """One warm run under -X importtime, one under cProfile; print where the time goes."""
    log = work / "importtime.log"
    done = subprocess.run(audit_argv(safepip_prefix("-X", "importtime"), target, url,
                                     os.devnull), env=env, cwd=work, capture_output=True,
                          text=True, check=False)
    log.write_text(done.stderr)
    print_imports(log)
    prof = work / "audit.prof"
    timing = run(audit_argv(safepip_prefix("-m", "cProfile", "-o", str(prof)), target, url,
                            os.devnull), env, work)
    print(f"\ncProfile (warm) run: wall {timing.wall:.2f}s, cpu {timing.cpu:.2f}s "
          "(profiling inflates Python-heavy parts)")
    stats = pstats.Stats(str(prof))
    print("pipeline stages (cumulative seconds under the profiler):")
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        for (suffix, name), label in STAGES.items():
            if function == name and filename.endswith(suffix):
                print(f"  {row[3]:6.2f}s  {label} ({suffix}:{name}, {row[1]} calls)")
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repeat (warm) runs")
    parser.add_argument("--cold-runs", type=int, default=1)
    parser.add_argument("--input", choices=("pylock", "requirements"), default="pylock")
    parser.add_argument("--index", choices=("file", "http"), default="file")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="with --index http: delay every request by MS milliseconds")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp, \
            served_index(options.index, options.latency) as url:
        work = Path(tmp)
        if options.regenerate:
            regenerate(url, work)
        if options.input == "pylock":
            target = "pylock.toml"
            shutil.copy(LOCK, work / target)
        else:
            target = "requirements.txt"
            requirements_from_lock(LOCK, work / target)
        warm_bytecode(url, work)
        bench(options, target, url, work)


def bench(options: argparse.Namespace, target: str, url: str, work: Path) -> None:
    home = work / "home"
    loads = os.getloadavg()
    cold: list[Timing] = []
    for number in range(options.cold_runs):
        cache_home = work / f"cache-{number}"
        cold.append(run(audit_argv(safepip_prefix(), target, url, "cold.json"),
                        clean_env(home, cache_home), work))
        print(f"  cold run {number + 1}: {cold[-1].wall:.2f}s (load {os.getloadavg()[0]:.1f})",
              file=sys.stderr)
    env = clean_env(home, cache_home)
    observed = cache_contents(cache_home)
    repeat = [run(audit_argv(safepip_prefix(), target, url, os.devnull), env, work)
              for _ in range(options.runs)]
    run(audit_argv(safepip_prefix(), target, url, "warm.json"), env, work)
    same = (work / "cold.json").read_bytes() == (work / "warm.json").read_bytes()
    document = json.loads((work / "warm.json").read_text())
    after = os.getloadavg()
    print(f"\ninput: {target} from {LOCK.relative_to(BENCH.parent)} "
          f"({len(document['packages'])} packages vetted); index {url}"
          + (f" (+{options.latency:g} ms per request)" if options.latency else ""))
    print(f"load average before {loads[0]:.2f} {loads[1]:.2f} {loads[2]:.2f}, after "
          f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f} ({os.cpu_count()} CPUs)")
    print(f"{'run':<22}{'n':>5}{'wall med':>10}{'wall min':>10}{'wall max':>10}{'cpu med':>10}")
    print(summary("first (cold cache)", cold))
    print(summary("repeat (warm cache)", repeat))
    verdict = statistics.median(t.wall for t in repeat)
    print(f"goal: repeat < 2 s -> {'met' if verdict < 2 else 'MISSED'} ({verdict:.2f}s median); "
          f"first/repeat {statistics.median(t.wall for t in cold) / verdict:.1f}x")
    print(f"cache after the first run: {observed}")
    print(f"warm JSON == cold JSON: {same}; verdict {document['verdict']}, "
          f"{len(document['findings'])} findings")
    if options.profile:
        profile(target, url, env, work)


if __name__ == "__main__":
    main()
