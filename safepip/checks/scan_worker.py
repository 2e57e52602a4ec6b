"""A scanning process: the hook scanner behind a pipe (used by scan_pool).

The worker is this same scanner (`python -P -m safepip.checks.scan_worker --worker`), fed one
artifact path per line on stdin and answering one JSON line of findings on stdout: nothing but
paths and findings crosses (no pickle), and it scans with the same code and limits as its
parent. An error it reports is raised in the parent as the same error; a worker that answers
badly or dies is a CheckError (fail closed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import subprocess  # nosec B404 - runs this interpreter on our own module, argv list
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

from safepip.errors import ArchiveError, CheckError, SafepipError
from safepip.findings import Finding
from safepip.pip.process import without_working_directory

logger = logging.getLogger(__name__)

_ERRORS: dict[str, type[SafepipError]] = {"ArchiveError": ArchiveError, "CheckError": CheckError}
_STOP_TIMEOUT = 10.0


class WorkerProcess:
    """One scanning process and its pipes."""

    def __init__(self, prefilter: bool) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [sys.executable, *_interpreter_options(), "-m", __name__, "--worker"]
        if not prefilter:
            command.append("--no-prefilter")
        env = without_working_directory(os.environ)  # -P does not cover PYTHONPATH
        if not sys.dont_write_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # a worker compiles like its parent
        try:
            self.process = subprocess.Popen(  # nosec B603
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                env=env,
            )
        except BaseException:
            self.stderr.close()  # never started: nothing else will close it (ScanPool._grow)
            raise

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

    def alive(self) -> bool:
        return self.process.poll() is None

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


def serve(requests: IO[bytes], replies: IO[bytes], *, prefilter: bool) -> None:
    """The worker's loop: one JSON request line in, one JSON reply line out, until EOF."""
    # Imported here, not by the parent's import of this module: a parent starts its workers
    # before it imports the scanner itself, so that their start-up overlaps its own.
    from safepip.checks.install_hooks import InstallHookCheck, scan_path

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
