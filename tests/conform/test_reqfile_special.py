"""Issue 15 (reqfile part): `-r` of a non-regular file is refused, its contents never echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safepip.cli import main


def _audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["audit", "--no-index", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo("reqs.txt")
    code, out = _audit(capsys, "-r", "reqs.txt")
    assert code == 2
    assert "not a regular file" in out


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_proc_self_environ_is_refused_and_never_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    # /proc/self/environ is the environment this process started with (PATH=... at least).
    os.symlink("/proc/self/environ", "requirements.txt")
    for target in ("/proc/self/environ", "requirements.txt", "/proc/1/cmdline"):
        code, out = _audit(capsys, "-r", target)
        assert code == 2, out
        assert "not a regular file" in out
        assert "PATH=" not in out
