"""Parallel scanning: worker processes give exactly the in-process findings, in order, and
fail closed."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from safepip.checks import scan_pool, scan_worker
from safepip.checks.install_hooks import scan_path
from safepip.checks.scan_pool import scan_paths
from safepip.errors import ArchiveError, CheckError
from tests.checks.hostile import CASES, make_sdist, make_wheel, setup_py


def _artifacts(tmp_path: Path, canary: Path) -> list[Path]:
    made = []
    for index, case in enumerate(CASES[:6]):
        for kind, body in (("h", case.hostile), ("n", case.near_miss)):
            folder = tmp_path / f"{kind}{index}"
            folder.mkdir()
            made.append(make_sdist(folder, "demo", "1.0", {"setup.py": setup_py(body, canary)}))
    (tmp_path / "w").mkdir()
    made.append(make_wheel(tmp_path / "w", "demo", "1.0", {"demo.pth": "import os; os.getcwd()\n"}))
    return made


def test_workers_give_the_in_process_findings_in_order(tmp_path: Path) -> None:
    canary = tmp_path / "canary-fired"
    paths = _artifacts(tmp_path, canary)
    expected = [scan_path(path) for path in paths]
    found = scan_paths(paths, workers=3, min_bytes_per_worker=0)
    assert found == expected
    assert any(findings for findings in found) and not canary.exists()


def test_an_error_in_a_worker_is_the_error_in_process(tmp_path: Path) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ArchiveError) as in_process:
        scan_path(broken)
    for position in (0, len(paths)):  # scanned by the parent or by a worker
        order = [*paths[:position], broken, *paths[position:]]
        with pytest.raises(ArchiveError) as parallel:
            scan_paths(order, workers=4, min_bytes_per_worker=0)
        assert parallel.value.message == in_process.value.message


def test_a_worker_that_dies_fails_the_scan(tmp_path: Path) -> None:
    path = _artifacts(tmp_path, tmp_path / "canary")[0]
    worker = scan_worker.WorkerProcess(prefilter=True)
    try:
        assert worker.scan(path) == scan_path(path)
        worker.process.kill()
        worker.process.wait()
        with pytest.raises(CheckError, match="worker process ended"):
            worker.scan(path)
    finally:
        worker.close()


def test_small_jobs_start_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")

    def no_workers(prefilter: bool) -> None:
        raise AssertionError("a worker was started for a few kilobytes")

    monkeypatch.setattr(scan_pool, "WorkerProcess", no_workers)
    assert scan_paths(paths, workers=4) == [scan_path(path) for path in paths]


def test_a_worker_that_cannot_start_leaves_the_work_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")
    expected = [scan_path(path) for path in paths]
    monkeypatch.setattr(scan_worker.sys, "executable", str(tmp_path / "no-such-python"))
    assert scan_paths(paths, workers=3, min_bytes_per_worker=0) == expected


def test_prestarted_workers_take_work_and_are_stopped(tmp_path: Path) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")
    expected = [scan_path(path) for path in paths]
    with scan_pool.ScanPool(workers=3) as pool:
        pool.prestart()
        started = [worker.process for worker in pool._workers]
        assert len(started) == 2
        # A few kilobytes would not pay for a start, but workers already running take a share.
        assert pool.scan(paths) == expected
        assert pool.scan(paths[:1]) == expected[:1]
        assert all(process.poll() is None for process in started)
    assert all(process.poll() is not None for process in started)


def test_a_failed_scan_stops_the_workers(tmp_path: Path) -> None:
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    paths = [*_artifacts(tmp_path, tmp_path / "canary"), broken]
    with scan_pool.ScanPool(workers=2) as pool:
        pool.prestart()
        started = [worker.process for worker in pool._workers]
        with pytest.raises(ArchiveError):
            pool.scan(paths)
        assert all(process.poll() is not None for process in started)
        assert pool.scan(paths[:2]) == [scan_path(path) for path in paths[:2]]


def _settle(pool: scan_pool.ScanPool, paths: list[Path]) -> None:
    """Wait until the early scans of `paths` have ended (they run on the workers alone)."""
    for path in paths:
        pool._jobs[path].exception(timeout=60)


def test_work_submitted_early_is_taken_by_scan(tmp_path: Path) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")
    expected = [scan_path(path) for path in paths]
    with scan_pool.ScanPool(workers=2) as pool:
        pool.submit(paths[0])  # no worker running yet: nothing is queued
        assert not pool._jobs
        pool.prestart()
        for path in paths[:4]:
            pool.submit(path)
        _settle(pool, paths[:4])
        early = {path: pool._jobs[path] for path in paths[:4]}
        assert pool.scan(paths) == expected
        assert all(pool._jobs[path] is job for path, job in early.items())  # answers reused


def test_early_work_not_asked_for_is_dropped_and_asked_errors_are_raised(
    tmp_path: Path,
) -> None:
    paths = _artifacts(tmp_path, tmp_path / "canary")
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with scan_pool.ScanPool(workers=2) as pool:
        pool.prestart()
        for path in (broken, *paths):
            pool.submit(path)
        assert pool.scan(paths[:2]) == [scan_path(path) for path in paths[:2]]
        assert pool.scan(paths[-2:]) == [scan_path(path) for path in paths[-2:]]
    with scan_pool.ScanPool(workers=2) as pool:
        pool.prestart()
        pool.submit(broken)
        _settle(pool, [broken])
        with pytest.raises(ArchiveError):
            pool.scan([paths[0], broken])


def test_a_stuck_worker_is_killed_and_the_pool_still_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_worker, "_STOP_TIMEOUT", 0.5)
    path = _artifacts(tmp_path, tmp_path / "canary")[0]
    pool = scan_pool.ScanPool(workers=2)
    pool.prestart()
    process = pool._workers[0].process
    os.kill(process.pid, signal.SIGSTOP)  # it will never answer, nor see its input close
    pool.submit(path)
    deadline = time.monotonic() + 5
    while not pool._jobs[path].running() and time.monotonic() < deadline:
        time.sleep(0.01)  # until a worker's thread has taken the job and waits for an answer
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 5
    assert process.poll() is not None
