"""A scan worker that cannot start leaves nothing open (the "unclosed temporary file" warning the
full suite reported during a later test, when the garbage collector finally reached it)."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from safepip.checks import scan_worker


def test_a_worker_that_cannot_start_closes_its_stderr_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scan_worker.sys, "executable", str(tmp_path / "no-such-python"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(OSError):
            scan_worker.WorkerProcess(prefilter=True)
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == [], [str(w.message) for w in leaks]


def test_a_pip_that_ended_early_leaves_no_open_pipe() -> None:
    """The handoff's pip, started early, that ended before it was told anything: `run` says so
    (None) and closes the pipe it would have written to."""
    import os
    import sys

    from safepip.pip.process import WaitingPip

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        waiting = WaitingPip.start(sys.executable, dict(os.environ))
        assert waiting is not None
        waiting.process.kill()
        waiting.process.wait()
        assert waiting.run(["--version"]) is None
        del waiting
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == [], [str(w.message) for w in leaks]
