"""Benchmark the wheel rungs of the static metadata ladder on a real corpus of wheels.

For every wheel in DIR (default /opt/pypi/files, the local PyPI copy): read METADATA from the file
(`metadata_from_wheel_file`) and over HTTP range requests from a loopback server
(`wheel_metadata_over_http`), check both give the same bytes, and report medians, how many range
requests and bytes each wheel cost against its size, and every failure by kind.

    .venv/bin/python bench/metadata_ladder.py [DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from safepip.errors import SafepipError
from safepip.resolution.metadata import (
    metadata_from_core_metadata,
    metadata_from_wheel_file,
    wheel_metadata_over_http,
)

SERVED = {"requests": 0, "bytes": 0}


class RangeHandler(BaseHTTPRequestHandler):
    """GET with single `bytes=` ranges (suffix ranges too), straight from disk."""

    root = Path(".")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.root / self.path.lstrip("/")
        size = path.stat().st_size
        spec = self.headers.get("Range", "").removeprefix("bytes=")
        first, _, last = spec.partition("-")
        start = max(size - int(last), 0) if first == "" else int(first)
        end = size - 1 if first == "" or not last else min(int(last), size - 1)
        with path.open("rb") as handle:
            handle.seek(start)
            body = handle.read(end - start + 1)
        SERVED["requests"] += 1
        SERVED["bytes"] += len(body)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _local_metadata(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist()
                    if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        return archive.read(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", nargs="?", default="/opt/pypi/files")
    parser.add_argument("--limit", type=int, default=0)
    options = parser.parse_args()
    wheels = sorted(Path(options.dir).glob("*.whl"))[: options.limit or None]
    RangeHandler.root = Path(options.dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    local_ms, http_ms, ratios, per_wheel_requests = [], [], [], []
    failures: Counter[str] = Counter()
    sizes = fetched = 0
    with requests.Session() as session:
        for wheel in wheels:
            try:
                t0 = time.perf_counter()
                metadata_from_wheel_file(wheel)
                t1 = time.perf_counter()
                before = dict(SERVED)
                data = wheel_metadata_over_http(session, base + wheel.name)
                t2 = time.perf_counter()
            except SafepipError as exc:
                failures[f"{type(exc).__name__}: {exc.message[:90]}"] += 1
                continue
            if data is None or data != _local_metadata(wheel):
                failures["range read differs from the file"] += 1
                continue
            metadata_from_core_metadata(data, source="wheel", origin=wheel.name,
                                        filename=wheel.name)
            cost = SERVED["bytes"] - before["bytes"]
            local_ms.append((t1 - t0) * 1000)
            http_ms.append((t2 - t1) * 1000)
            per_wheel_requests.append(SERVED["requests"] - before["requests"])
            ratios.append(cost / os.path.getsize(wheel))
            sizes += os.path.getsize(wheel)
            fetched += cost
    server.shutdown()
    ok = len(local_ms)
    print(f"wheels: {len(wheels)}  read ok: {ok}  failures: {sum(failures.values())}")
    for reason, count in failures.most_common():
        print(f"  {count:4d}  {reason}")
    if ok:
        print(f"local file  METADATA: median {statistics.median(local_ms):.2f} ms")
        print(f"HTTP ranges METADATA: median {statistics.median(http_ms):.2f} ms, "
              f"median {statistics.median(per_wheel_requests):.0f} requests/wheel "
              f"(max {max(per_wheel_requests)})")
        print(f"bytes fetched by ranges: {fetched / 1e6:.1f} MB of {sizes / 1e6:.1f} MB "
              f"({100 * fetched / sizes:.2f}%); median per wheel "
              f"{100 * statistics.median(ratios):.1f}% of its size")


if __name__ == "__main__":
    main()
