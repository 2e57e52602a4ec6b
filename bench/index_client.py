"""Benchmark the index client: page parsing at scale, HTTP cache reuse, and download overhead.

1. `file://` index: every project page of the local PyPI copy (/opt/pypi/simple) through
   `IndexClient.project_pages`, serially and from an 8-thread pool (what a resolver does).
2. Loopback HTTP index (tests.kit.index_server): N project pages, JSON vs HTML, cold cache vs a
   second run with the same cache directory (pages revalidated with If-None-Match -> 304).
3. Downloads: `safepip.artifacts.download.download` (streamed, sha256-checked, atomic rename)
   against a plain `requests` GET to memory, over loopback, for the biggest file in /opt/pypi/files.

    .venv/bin/python bench/index_client.py [--repeat 5] [--projects 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safepip.artifacts.download import download  # noqa: E402
from safepip.index.client import IndexClient  # noqa: E402
from safepip.index.http import HttpOptions, make_session  # noqa: E402
from safepip.index.models import DistributionFile  # noqa: E402
from safepip.index.options import IndexOptions  # noqa: E402
from tests.kit.archives import make_wheel  # noqa: E402
from tests.kit.index_server import IndexServer  # noqa: E402

LOCAL_INDEX = Path("/opt/pypi/simple")
LOCAL_FILES = Path("/opt/pypi/files")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_file_index(repeat: int) -> None:
    names = sorted(canonicalize_name(p.name) for p in LOCAL_INDEX.iterdir() if p.is_dir())
    options = IndexOptions(index_url=LOCAL_INDEX.as_uri() + "/")

    def serial() -> int:
        client = IndexClient(make_session(HttpOptions(use_cache=False)), options)
        return sum(len(client.project_pages(n)[0].files) for n in names)

    def pooled() -> int:
        client = IndexClient(make_session(HttpOptions(use_cache=False)), options)
        with ThreadPoolExecutor(8) as pool:
            return sum(len(pages[0].files) for pages in pool.map(client.project_pages, names))

    files = serial()
    t_serial, t_pool = median_seconds(serial, repeat), median_seconds(pooled, repeat)
    print(f"file:// index: {len(names)} pages, {files} files")
    print(f"  serial   median {t_serial:.3f}s  ({t_serial / len(names) * 1e3:.2f} ms/page)")
    print(f"  8 threads median {t_pool:.3f}s  (x{t_serial / t_pool:.2f} vs serial)")


def bench_loopback(repeat: int, projects: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wheels = [make_wheel(Path(tmp) / "d", f"proj{i}", "1.0") for i in range(projects)]
        names = [canonicalize_name(f"proj{i}") for i in range(projects)]
        for json_api in (True, False):
            with IndexServer(wheels, json_api=json_api) as server:
                cold, warm = [], []
                for run in range(repeat):
                    cache = Path(tmp) / f"cache-{json_api}-{run}"
                    for bucket in (cold, warm):  # second pass reuses the cache directory
                        client = IndexClient(make_session(HttpOptions(cache_dir=cache)),
                                             IndexOptions(index_url=server.index_url))
                        start = time.perf_counter()
                        with ThreadPoolExecutor(8) as pool:
                            list(pool.map(client.project_pages, names))
                        bucket.append(time.perf_counter() - start)
                statuses = len(server.requests)
            kind = "JSON" if json_api else "HTML"
            c, w = statistics.median(cold), statistics.median(warm)
            print(f"loopback {kind}: {projects} pages, 8 threads: cold median {c:.3f}s, "
                  f"warm-cache (304) median {w:.3f}s (x{c / w:.2f}); {statuses} requests served")


def bench_download(repeat: int) -> None:
    biggest = max(LOCAL_FILES.iterdir(), key=lambda p: p.stat().st_size)
    size_mb = biggest.stat().st_size / 1e6
    with IndexServer([biggest]) as server, tempfile.TemporaryDirectory() as tmp:
        url = server.file_url(biggest.name)
        import hashlib

        digest = hashlib.sha256(biggest.read_bytes()).hexdigest()
        file = DistributionFile(filename=biggest.name, url=url, hashes={"sha256": digest})
        session = make_session(HttpOptions(use_cache=False))
        plain = requests.Session()
        t_plain = median_seconds(lambda: plain.get(url, timeout=60).content, repeat)
        t_safe = median_seconds(lambda: download(session, file, Path(tmp)), repeat)
    print(f"download {biggest.name} ({size_mb:.1f} MB) over loopback: plain GET median "
          f"{t_plain:.3f}s, safepip download (sha256 + file + rename) median {t_safe:.3f}s "
          f"(x{t_safe / t_plain:.2f}); {size_mb / t_safe:.0f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--projects", type=int, default=200)
    args = parser.parse_args()
    if LOCAL_INDEX.is_dir():
        bench_file_index(args.repeat)
    bench_loopback(args.repeat, args.projects)
    if LOCAL_FILES.is_dir():
        bench_download(args.repeat)


if __name__ == "__main__":
    main()
