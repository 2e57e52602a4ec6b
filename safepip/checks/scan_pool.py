"""Scan many artifacts on several cores.

The hook scan is CPU-bound Python (`ast`), so threads cannot share it out; processes can.
Workers are this same scanner (`python -P -m safepip.checks.scan_pool`), fed one artifact path
per line on stdin and answering one JSON line of findings on stdout: nothing but paths and
findings crosses (no pickle), and a worker scans with the same code and limits as its parent,
which scans too. A worker that reports an error, answers badly or dies fails the whole scan
(fail closed); however the scan ends, every worker is stopped and waited for.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import queue
import signal
import subprocess  # nosec B404 - runs this interpreter on our own module, argv list
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.errors import ArchiveError, CheckError, SafepipError
from safepip.findings import Finding

logger = logging.getLogger(__name__)

MIN_BYTES_PER_WORKER = 4 << 20
"""Archive bytes that pay for starting one more process (~0.2 s of start-up)."""
_MAX_WORKERS = 4
"""Each process may hold an archive's members in memory: a bound on the total."""
_ERRORS: dict[str, type[SafepipError]] = {"ArchiveError": ArchiveError, "CheckError": CheckError}
_STOP_TIMEOUT = 10.0


def default_workers() -> int:
    """Processes to scan with: the CPUs this process may use, at most four."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


def scan_paths(
    paths: Sequence[Path],
    *,
    prefilter: bool = True,
    workers: int | None = None,
    min_bytes_per_worker: int = MIN_BYTES_PER_WORKER,
) -> list[list[Finding]]:
    """`scan_path` of each path, in order, on up to `workers` processes (this one included)."""
    with ScanPool(prefilter=prefilter, workers=workers) as pool:
        return pool.scan(paths, min_bytes_per_worker=min_bytes_per_worker)


class ScanPool:
    """The scanning processes of one run, which may be started ahead of the work.

    `prestart` launches them while the caller does other work (resolution leaves a core idle,
    and a worker's start-up is ~0.2 s of imports); `scan` uses those already running and starts
    more only when a job is big enough to pay for them. Leaving the `with` block stops every
    worker, used or not.
    """

    def __init__(self, *, prefilter: bool = True, workers: int | None = None) -> None:
        self.prefilter = prefilter
        self.wanted = default_workers() if workers is None else workers
        self._workers: list[_Worker] = []

    def __enter__(self) -> ScanPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def prestart(self) -> None:
        """Start every worker this pool may use (the other cores' share), without waiting."""
        self._ensure(self.wanted - 1)

    def scan(
        self, paths: Sequence[Path], *, min_bytes_per_worker: int = MIN_BYTES_PER_WORKER
    ) -> list[list[Finding]]:
        """`scan_path` of each path, in order: here, and on the workers that are running
        already or that a job this size pays for."""
        check = InstallHookCheck(prefilter=self.prefilter)
        sizes = [_size(path) for path in paths]
        paid = sum(sizes) // max(1, min_bytes_per_worker)
        extra = max(0, min(self.wanted - 1, len(paths) - 1, max(paid, len(self._workers))))
        pool = self._ensure(extra)[:extra]
        if not pool:
            return [scan_path(path, check=check) for path in paths]
        run = _Run(paths, sorted(range(len(paths)), key=lambda i: -sizes[i]))  # biggest first
        try:
            threads = [
                threading.Thread(target=run.drain, args=(w.scan,), daemon=True) for w in pool
            ]
            for thread in threads:
                thread.start()
            run.drain(lambda path: scan_path(path, check=check))
            for thread in threads:
                thread.join()
        finally:
            run.stop.set()
        if run.errors:
            self.close()  # a worker may have died or be mid-answer: none is reused
            raise run.errors[0]
        return [_scanned(found, path) for found, path in zip(run.results, paths, strict=True)]

    def close(self) -> None:
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def _ensure(self, count: int) -> list[_Worker]:
        """At least `count` workers running, as far as they can start: one that cannot leaves
        its share to the others and to this process, which changes the speed, not the
        findings."""
        while len(self._workers) < count:
            try:
                self._workers.append(_Worker(self.prefilter))
            except OSError as error:
                logger.debug("scan worker not started: %s", error)
                break
        return self._workers


def _scanned(found: list[Finding] | None, path: Path) -> list[Finding]:
    if found is None:  # never: every queued path is scanned or an error is raised
        raise CheckError(
            f"The install-hook scan of {path.name} did not run.",
            hint="Nothing was installed; retry, and report it if it happens again.",
        )
    return found


class _Run:
    """The shared state of one parallel scan: a work queue, results, the first errors."""

    def __init__(self, paths: Sequence[Path], order: Sequence[int]) -> None:
        self.paths = paths
        self.work: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in order:
            self.work.put(index)
        self.results: list[list[Finding] | None] = [None] * len(paths)
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def drain(self, scan: Callable[[Path], list[Finding]]) -> None:
        """Scan queued artifacts with `scan` until the queue is empty or another scan failed."""
        while not self.stop.is_set():
            try:
                index = self.work.get_nowait()
            except queue.Empty:
                return
            try:
                self.results[index] = scan(self.paths[index])
            except BaseException as error:  # re-raised by the parent thread
                self.errors.append(error)
                self.stop.set()
                return


class _Worker:
    """One scanning process and its pipes."""

    def __init__(self, prefilter: bool) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [sys.executable, *_interpreter_options(), "-m", __name__, "--worker"]
        if not prefilter:
            command.append("--no-prefilter")
        env = dict(os.environ)
        if not sys.dont_write_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # a worker compiles like its parent
        self.process = subprocess.Popen(  # nosec B603
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env
        )

    def scan(self, path: Path) -> list[Finding]:
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:  # never: both are created as pipes
            raise self._died(path)
        try:
            stdin.write(json.dumps({"path": str(path)}).encode("utf-8") + b"\n")
            stdin.flush()
            line = stdout.readline()
        except OSError:
            line = b""
        if not line:
            raise self._died(path)
        return _reply(json.loads(line), path)

    def _died(self, path: Path) -> CheckError:
        self.stderr.seek(0)
        detail = self.stderr.read()[-2000:].decode("utf-8", "replace").strip()
        logger.debug("scan worker stderr: %s", detail)
        last = detail.splitlines()[-1] if detail else "no message"
        return CheckError(
            f"The install-hook scan of {path.name} stopped: its worker process ended "
            f"({last}).",
            hint="Nothing was installed; retry, and report it if it happens again.",
        )

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # end of work: the worker returns
        try:
            self.process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()


def _reply(reply: dict[str, Any], path: Path) -> list[Finding]:
    error = reply.get("error")
    if error is not None:
        kind = _ERRORS.get(str(error.get("kind")), CheckError)
        raise kind(str(error.get("message")), hint=error.get("hint") or None)
    return [Finding.from_json(item) for item in reply["findings"]]


def _interpreter_options() -> list[str]:
    options = ["-P"]  # never import from the working directory, which may hold anything
    if sys.pycache_prefix:
        options += ["-X", f"pycache_prefix={sys.pycache_prefix}"]
    return options


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else MIN_BYTES_PER_WORKER
    except OSError:
        return 0


def serve(requests: IO[bytes], replies: IO[bytes], *, prefilter: bool) -> None:
    """The worker's loop: one JSON request line in, one JSON reply line out, until EOF."""
    check = InstallHookCheck(prefilter=prefilter)
    for line in requests:
        path = Path(json.loads(line)["path"])
        try:
            findings = scan_path(path, check=check)
            reply: dict[str, Any] = {"findings": [f.to_json() for f in findings]}
        except SafepipError as error:
            reply = {"error": {"kind": type(error).__name__, "message": error.message,
                               "hint": error.hint}}
        replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        replies.flush()


def _stop_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(1)  # unwinds, so temporary directories are removed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="safepip-scan-worker")
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("--no-prefilter", dest="prefilter", action="store_false")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, _stop_on_term)
    serve(sys.stdin.buffer, sys.stdout.buffer, prefilter=args.prefilter)


if __name__ == "__main__":
    main()
