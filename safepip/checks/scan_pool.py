"""Scan many artifacts on several cores, starting before the list of them is final.

The hook scan is CPU-bound Python (`ast`), so threads cannot share it out; processes can
(scan_worker). One queue feeds them: each worker has a thread taking paths from it, and the
caller's thread takes paths too while it waits in `scan`. Work can be queued early (`submit`,
as resolution downloads each file) for the workers alone, while the caller is busy elsewhere;
`scan` then queues the rest, biggest first, and takes the answers of all it asked for. An
error in any asked-for scan fails the whole scan (fail closed), and the pool is stopped.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from pathlib import Path

from safepip.checks.scan_worker import WorkerProcess
from safepip.errors import CheckError
from safepip.findings import Finding

logger = logging.getLogger(__name__)

MIN_BYTES_PER_WORKER = 4 << 20
"""Archive bytes that pay for starting one more process (~0.2 s of start-up)."""
_MAX_WORKERS = 4
"""Each process may hold an archive's members in memory: a bound on the total."""

_Job = tuple[Path, "Future[list[Finding]]"]


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
    """The scanning processes of one run and the queue that feeds them.

    `prestart` launches the workers while the caller does other work (resolution leaves a
    core idle, and a worker's start-up is ~0.2 s of imports); `submit` gives them files as
    they arrive; `scan` uses every worker running and starts more only when a job is big
    enough to pay for them. Leaving the `with` block stops every worker, used or not.
    """

    def __init__(self, *, prefilter: bool = True, workers: int | None = None) -> None:
        self.prefilter = prefilter
        self.wanted = default_workers() if workers is None else workers
        self._workers: list[WorkerProcess] = []
        self._threads: list[threading.Thread] = []
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._jobs: dict[Path, Future[list[Finding]]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> ScanPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def prestart(self) -> None:
        """Start every worker this pool may use (the other cores' share), without waiting."""
        self._grow(self.wanted - 1)

    def submit(self, path: Path) -> None:
        """Queue `path` for the running workers now; `scan` takes the answer if it asks for
        `path`. Nothing happens without running workers (then `scan` does all the work)."""
        with self._lock:
            if not self._workers or path in self._jobs:
                return
            job: Future[list[Finding]] = Future()
            self._jobs[path] = job
        self._queue.put((path, job))

    def scan(
        self, paths: Sequence[Path], *, min_bytes_per_worker: int = MIN_BYTES_PER_WORKER
    ) -> list[list[Finding]]:
        """`scan_path` of each path, in order: here, and on the workers that are running
        already or that a job this size pays for."""
        sizes = {path: _size(path) for path in paths}
        paid = sum(sizes.values()) // max(1, min_bytes_per_worker)
        self._grow(max(0, min(self.wanted - 1, len(sizes) - 1, paid)))
        queued = dict(self._pending())  # early work not started: dropped unless asked for
        with self._lock:
            for path in set(sizes) - self._jobs.keys():
                queued[path] = self._jobs[path] = Future()
            asked = [self._jobs[path] for path in paths]
        for path in sorted(queued, key=lambda p: (-sizes.get(p, 0), str(p))):  # biggest first
            if path in sizes:
                self._queue.put((path, queued[path]))
            else:
                queued[path].cancel()
                with self._lock:
                    del self._jobs[path]  # a later scan that asks for it scans it
        self._scan_here(asked)
        wait(asked, return_when=FIRST_EXCEPTION)
        for path, job in zip(paths, asked, strict=True):
            error = _failure(job, path)
            if error is not None:
                self.close()  # a worker may have died or be mid-answer: none is reused
                raise error
        return [job.result() for job in asked]

    def close(self) -> None:
        """Cancel queued work, stop the workers (each finishes the scan it is on, or is killed
        after a while) and then their threads, which a stopped worker always releases."""
        with self._lock:
            workers, self._workers = self._workers, []
            threads, self._threads = self._threads, []
            self._jobs = {
                path: job for path, job in self._jobs.items()
                if job.done() and _failure(job, path) is None
            }
        for _, job in self._pending():
            job.cancel()
        for _ in threads:
            self._queue.put(None)
        for worker in workers:
            worker.close()
        for thread in threads:
            thread.join()

    def _scan_here(self, asked: list[Future[list[Finding]]]) -> None:
        """Take queued paths in this thread until none is left or an asked-for scan failed."""
        # Imported only now (~0.1 s): the workers `scan` has just started import it meanwhile.
        from safepip.checks.install_hooks import InstallHookCheck, scan_path

        check = InstallHookCheck(prefilter=self.prefilter)
        while not any(job.done() and not job.cancelled() and job.exception() for job in asked):
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:  # a stop meant for a worker thread: not ours
                self._queue.put(None)
                return
            _run(item, lambda path: scan_path(path, check=check))

    def _pending(self) -> list[_Job]:
        """Take every job still queued (stops meant for worker threads are put back)."""
        jobs: list[_Job] = []
        stops = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                stops += 1
            else:
                jobs.append(item)
        for _ in range(stops):
            self._queue.put(None)
        return jobs

    def _grow(self, count: int) -> None:
        """At least `count` workers running, as far as they can start: one that cannot leaves
        its share to the others and to this process, which changes the speed, not the
        findings."""
        with self._lock:
            while len(self._workers) < count:
                try:
                    worker = WorkerProcess(self.prefilter)
                except OSError as error:
                    logger.debug("scan worker not started: %s", error)
                    return
                thread = threading.Thread(target=self._feed, args=(worker,), daemon=True)
                self._workers.append(worker)
                self._threads.append(thread)
                thread.start()

    def _feed(self, worker: WorkerProcess) -> None:
        """A worker's thread: its scans, until told to stop or the worker has died."""
        while (item := self._queue.get()) is not None:
            _run(item, worker.scan)
            if not worker.alive():
                return


def _run(job: _Job, scan: Callable[[Path], list[Finding]]) -> None:
    path, future = job
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(scan(path))
    except BaseException as error:  # raised again by `scan` in the caller's thread
        future.set_exception(error)
        if not isinstance(error, Exception):
            raise


def _failure(job: Future[list[Finding]], path: Path) -> BaseException | None:
    """The error of a finished job; a cancelled one never ran, which is an error too."""
    if job.cancelled():
        return CheckError(
            f"The install-hook scan of {path.name} did not run.",
            hint="Nothing was installed; retry, and report it if it happens again.",
        )
    return job.exception() if job.done() else None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else MIN_BYTES_PER_WORKER
    except OSError:
        return 0
