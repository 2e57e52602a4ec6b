"""Benchmark: safepip's resolution vs `pip install --dry-run --ignore-installed --report`.

Both tools resolve the same requirement sets against the same LOCAL index (default: the file://
copy of part of PyPI at /opt/pypi/simple; `--index http` serves that tree on 127.0.0.1 with HTTP
range requests and Cache-Control headers instead). Every run is a fresh process, so start-up is
counted for both. safepip runs cold (a fresh cache directory each run) and warm (the same cache
directory, primed once); pip always runs with --no-cache-dir. `uv pip compile` is added when a
`uv` binary is on PATH or in bench/.cache/uv/bin. Both tools run in a clean environment
(PIP_CONFIG_FILE=/dev/null, no PIP_*/UV_* variables). Medians of N runs, and ratios, are printed
as a table; the pins of each tool are compared and any difference is printed.

    .venv/bin/python bench/resolve.py [--runs 5] [--sets requests,flask,web,datasci,jupyter]
                                      [--index file|http] [--profile SET]

`--profile SET` runs safepip once (cold) under cProfile and prints where the time goes;
`--profile SET --warm` profiles a run on a primed cache instead, and `--importtime` adds the
slowest imports of a worker process (`python -X importtime`).

Byte code. This machine sets PYTHONDONTWRITEBYTECODE=1 and the checkout is an editable install
without byte code, so each safepip process would compile its ~70 modules from source, which an
installed safepip (byte-compiled by pip at install time, as pip itself is) never does. The worker
therefore starts through a one-line bootstrap that points `sys.pycache_prefix` at
bench/.cache/pycache and allows byte-code writes in its own process only (as bench/install.py
does); the untimed priming run fills that cache. pip runs exactly as installed.
"""

from __future__ import annotations

# The worker process imports this module too: only what safepip itself needs is imported at the
# top, so the bench's own tooling (http.server, statistics, argparse) is not timed as safepip's.
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PYCACHE = BENCH / ".cache" / "pycache"
WORKER_BOOT = (
    "import sys; sys.pycache_prefix = sys.argv[1]; sys.dont_write_bytecode = False; "
    "sys.path.insert(0, sys.argv[2]); import resolve; resolve.worker(sys.argv[3:])"
)
"""`python -c WORKER_BOOT PYCACHE BENCH CACHE OUT INDEX SPEC...`: byte code cached, this
process only (see the module docstring)."""
PYPI_ROOT = Path("/opt/pypi")
SETS: dict[str, list[str]] = {
    "requests": ["requests"],
    "flask": ["flask"],
    "web": ["fastapi", "uvicorn", "pydantic", "sqlalchemy", "httpx"],
    "datasci": ["pandas", "matplotlib", "scikit-learn", "seaborn"],
    "jupyter": ["jupyter"],
}


def clean_env(home: Path) -> dict[str, str]:
    """This machine's pip config adds indexes and constraints: none of that may leak in."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("PIP_", "UV_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1",
               HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_CONFIG_HOME=str(home / ".config"), UV_NO_CONFIG="1")
    return env


# -- the safepip worker (runs in its own process, like pip) -----------------------------------
def worker(argv: list[str]) -> None:
    """Worker process (started with WORKER_BOOT): resolve SPECs, write pins and timings to OUT."""
    started = time.perf_counter()
    cache, out, index_url, *specs = argv
    from safepip.index.client import IndexClient
    from safepip.index.httpbase import HttpOptions
    from safepip.index.lazy_session import LazySession
    from safepip.index.page_cache import PageCache
    from safepip.pip.request import parse_install_args
    from safepip.resolution.environment import probe_target
    from safepip.resolution.metadata_cache import MetadataCache
    from safepip.resolution.resolve import resolve_request

    imported = time.perf_counter()
    request = parse_install_args([*specs, "--index-url", index_url, "--ignore-installed"],
                                 environ={}, config_files=[])
    session = LazySession(HttpOptions(cache_dir=Path(cache)))  # built only if needed
    with tempfile.TemporaryDirectory(prefix="safepip-bench-") as workdir:
        client = IndexClient(session, request.index, page_cache=PageCache(Path(cache) / "pages"))
        outcome = resolve_request(request, client=client,
                                  session=session, environment=probe_target(request.target),
                                  workdir=Path(workdir),
                                  metadata_cache=MetadataCache(Path(cache) / "metadata"))
    packages = outcome.resolution.packages
    Path(out).write_text(json.dumps({
        "pins": {p.name: str(p.version) for p in packages if not p.build_dependency},
        "build": {p.name: str(p.version) for p in packages if p.build_dependency},
        "sources": [p.metadata_source for p in packages],
        "import_s": imported - started, "resolve_s": time.perf_counter() - imported,
    }))


# -- running each tool -------------------------------------------------------------------------
def timed(argv: list[str], env: dict[str, str]) -> float:
    import subprocess

    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]}... failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def run_pip(specs: list[str], index_url: str, work: Path) -> tuple[float, dict[str, str]]:
    report = work / "pip.json"
    seconds = timed([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                     "--quiet", "--report", str(report), "--index-url", index_url,
                     "--no-cache-dir", *specs], clean_env(work))
    install = json.loads(report.read_text())["install"]
    return seconds, {_norm(i["metadata"]["name"]): i["metadata"]["version"] for i in install}


def run_safepip(specs: list[str], index_url: str, cache: Path, work: Path,
                ) -> tuple[float, dict[str, Any]]:
    out = work / "safepip.json"
    seconds = timed(worker_argv(cache, out, index_url, specs), clean_env(work))
    return seconds, json.loads(out.read_text())


def worker_argv(cache: Path, out: Path, index_url: str, specs: list[str],
                *python_options: str) -> list[str]:
    return [sys.executable, *python_options, "-c", WORKER_BOOT, str(PYCACHE), str(BENCH),
            str(cache), str(out), index_url, *specs]


def find_uv() -> str | None:
    import shutil

    local = BENCH / ".cache" / "uv" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


def run_uv(uv: str, specs: list[str], index_url: str, work: Path) -> float:
    requirements = work / "requirements.in"
    requirements.write_text("\n".join(specs) + "\n")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return timed([uv, "pip", "compile", str(requirements), "--index-url", index_url,
                  "--no-cache", "--python-version", python, "--quiet",
                  "-o", str(work / "uv.txt")], clean_env(work))


def _norm(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


# -- the local index over HTTP -------------------------------------------------------------------
def _handler_class() -> type:
    """Static files with single-range GETs and PyPI-like Cache-Control headers (http.server is
    imported here, not at the top: the worker processes never need it)."""
    from http.server import SimpleHTTPRequestHandler

    class IndexHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def end_headers(self) -> None:
            immutable = "/files/" in self.path
            self.send_header("Cache-Control",
                             "max-age=31536000, immutable" if immutable else "max-age=600")
            self.send_header("Accept-Ranges", "bytes")
            super().end_headers()

        def send_head(self) -> Any:
            header = self.headers.get("Range", "")
            path = Path(self.translate_path(self.path))
            if not header.startswith("bytes=") or not path.is_file():
                return super().send_head()
            size = path.stat().st_size
            first, _, last = header.removeprefix("bytes=").partition("-")
            start = max(size - int(last), 0) if first == "" else int(first)
            end = size - 1 if first == "" or not last else min(int(last), size - 1)
            handle = path.open("rb")
            handle.seek(start)
            self.send_response(206)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            self.range_left = end - start + 1
            return handle

        def copyfile(self, source: Any, outputfile: Any) -> None:
            left = getattr(self, "range_left", None)
            if left is None:
                super().copyfile(source, outputfile)
            else:
                outputfile.write(source.read(left))

    return IndexHandler


@contextmanager
def index_url(kind: str) -> Iterator[str]:
    if kind == "file":
        yield (PYPI_ROOT / "simple").as_uri() + "/"
        return
    import threading
    from http.server import ThreadingHTTPServer

    handler = _handler_class()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 lambda *a: handler(*a, directory=str(PYPI_ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()


# -- the benchmark -------------------------------------------------------------------------------
def bench_set(name: str, runs: int, url: str, uv: str | None) -> dict[str, Any]:
    specs = SETS[name]
    times: dict[str, list[float]] = {"pip": [], "cold": [], "warm": [], "uv": []}
    resolve_cold: list[float] = []
    resolve_warm: list[float] = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        work = Path(tmp)
        warm_cache = work / "warm-cache"
        _, primed = run_safepip(specs, url, warm_cache, work)
        for run in range(runs):
            seconds, pip_pins = run_pip(specs, url, work)
            times["pip"].append(seconds)
            seconds, cold = run_safepip(specs, url, work / f"cold-cache-{run}", work)
            times["cold"].append(seconds)
            resolve_cold.append(cold["resolve_s"])
            seconds, warm = run_safepip(specs, url, warm_cache, work)
            times["warm"].append(seconds)
            resolve_warm.append(warm["resolve_s"])
            if uv:
                times["uv"].append(run_uv(uv, specs, url, work))
    return {"set": name, "packages": len(pip_pins), "times": times,
            "resolve_cold": resolve_cold, "resolve_warm": resolve_warm,
            "import_s": cold["import_s"], "pip_pins": pip_pins, "safepip": primed}


def print_table(results: list[dict[str, Any]], runs: int, kind: str) -> None:
    import statistics

    print(f"\nindex: {kind}; {runs} runs each; median seconds per process (start-up included)")
    header = (f"{'set':<9}{'pkgs':>5}{'pip':>8}{'safepip cold':>14}{'safepip warm':>14}"
              f"{'uv':>8}{'pip/cold':>10}{'pip/warm':>10}  resolve-only cold/warm")
    print(header)
    print("-" * len(header))
    for r in results:
        med = {k: statistics.median(v) if v else float("nan") for k, v in r["times"].items()}
        print(f"{r['set']:<9}{r['packages']:>5}{med['pip']:>8.2f}{med['cold']:>14.2f}"
              f"{med['warm']:>14.2f}{med['uv']:>8.2f}{med['pip'] / med['cold']:>9.2f}x"
              f"{med['pip'] / med['warm']:>9.2f}x  "
              f"{statistics.median(r['resolve_cold']):.2f}/{statistics.median(r['resolve_warm']):.2f}")
    print("(ratios > 1 mean safepip is faster; safepip import time "
          f"~{results[-1]['import_s']:.2f}s per process)")
    for r in results:
        ours = r["safepip"]["pins"]
        if ours != r["pip_pins"]:
            print(f"\nPINS DIFFER for {r['set']}:")
            for name in sorted(set(ours) | set(r["pip_pins"])):
                if ours.get(name) != r["pip_pins"].get(name):
                    print(f"  {name}: pip {r['pip_pins'].get(name)}  safepip {ours.get(name)}")
        sources: dict[str, int] = {}
        for source in r["safepip"]["sources"]:
            sources[source] = sources.get(source, 0) + 1
        print(f"{r['set']}: metadata sources {sources}; build deps {r['safepip']['build']}")


def profile(name: str, url: str, *, warm: bool, importtime: bool) -> None:
    """cProfile of one worker run in this process (main thread only: the background page and
    metadata fetches show up as waits), optionally after an import-time run in a subprocess."""
    import cProfile
    import pstats
    import subprocess

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        cache, out, specs = Path(tmp) / "cache", Path(tmp) / "out.json", SETS[name]
        env = clean_env(Path(tmp))
        if warm or importtime:  # a primed cache, and safepip's byte code cached
            timed(worker_argv(cache, out, url, specs), env)
        if importtime:
            argv = worker_argv(cache if warm else Path(tmp) / "cold", out, url, specs,
                               "-X", "importtime")
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
            rows = [line.split("|") for line in done.stderr.splitlines()[1:] if "|" in line]
            rows.sort(key=lambda row: -int(row[1]))
            print("slowest imports (cumulative us | module):")
            for row in rows[:25]:
                print(f"{int(row[1]):>9} | {row[2].rstrip()}")
        profiler = cProfile.Profile()
        run_cache = cache if warm else Path(tmp) / "cold-profiled"
        profiler.runcall(worker, [str(run_cache), str(out), url, *specs])
        print(json.loads(out.read_text())["resolve_s"], "s resolving",
              "(warm)" if warm else "(cold)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--index", choices=("file", "http"), default="file")
    parser.add_argument("--profile", metavar="SET")
    parser.add_argument("--warm", action="store_true", help="with --profile: a primed cache")
    parser.add_argument("--importtime", action="store_true",
                        help="with --profile: also the slowest imports of a worker process")
    options = parser.parse_args()
    with index_url(options.index) as url:
        if options.profile:
            profile(options.profile, url, warm=options.warm, importtime=options.importtime)
            return
        uv = find_uv()
        results = [bench_set(name, options.runs, url, uv) for name in options.sets.split(",")]
    print_table(results, options.runs, options.index)


if __name__ == "__main__":
    main()
