"""The handoff's pip, started before the verdict and told what to do only after it.

pip spends ~0.4 s importing itself before it reads its command line. Started while safepip
vets (resolution leaves a core idle), a pip process does those imports and then waits on a pipe.
Until the command line arrives it has been told nothing: no option, no requirement, no file, so
it cannot install anything. After the verdict it receives the same argv `python -m pip` would
get and runs pip's `__main__` exactly as `-m` does; when nothing is to be installed, closing the
pipe ends it having done nothing.

Before the verdict the process runs only what the handoff would run anyway (the target
interpreter's start-up and pip's own modules); the vetted packages are not installed yet.
It never imports from the working directory. If it cannot start, or ends before it is told,
the caller runs `python -m pip` as usual.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess  # nosec B404 - the target interpreter, argv list, our own fixed code
from collections.abc import Mapping, Sequence

logger = logging.getLogger(__name__)

_PRELOADED = (
    "pip._internal.cli.main",
    "pip._internal.commands.install",
    "pip._internal.resolution.resolvelib.resolver",
    "pip._internal.operations.install.wheel",
    "pip._internal.metadata.importlib",
)
"""pip's modules an install imports (pip 2x); a name a pip version lacks stops the preload,
which changes the speed, never what runs."""

_NO_WORKING_DIRECTORY = """\
import sys
sys.path[:] = [entry for entry in sys.path if entry]  # '' is the working directory
"""
"""First lines of every `-c` program safepip runs in an interpreter: `-c` puts the working
directory on sys.path, and anything imported before it is removed (even `signal` or `json`)
could come from a file planted there. `sys` is built in. (`-P` would do it, but only from 3.11,
and the target interpreter may be older; `-I` would also hide the user site and PYTHONPATH,
which `pip list` and friends must see.)"""

_RUN_PIP = """\
import importlib.util, runpy
if importlib.util.find_spec("pip") is None:
    sys.stderr.write(sys.executable + ": No module named pip\\n")
    sys.exit(1)
sys.argv = ["pip"] + ARGS
runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""
"""Runs pip's `__main__` as `-m pip` does (ARGS is replaced by the caller's code)."""

_WAIT_THEN_RUN = _NO_WORKING_DIRECTORY + f"""\
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)  # before the go, Ctrl-C is safepip's to handle
for name in {_PRELOADED!r}:
    try:
        __import__(name)
    except Exception:
        break
line = sys.stdin.readline()
if not line.endswith("\\n"):
    sys.exit(0)  # no go: leave having done nothing
signal.signal(signal.SIGINT, signal.default_int_handler)
import json
""" + _RUN_PIP.replace("ARGS", "json.loads(line)")
"""Runs in the target interpreter (any Python 3 that pip supports): fixed text, no input in it."""

_PIP_NOW = _NO_WORKING_DIRECTORY + _RUN_PIP.replace("ARGS", "sys.argv[1:]")
"""`python -c _PIP_NOW ARG...` is `python -m pip ARG...` without the working directory."""


def pip_argv(python: str, args: Sequence[str]) -> list[str]:
    """The argv that runs `pip ARGS` in `python` as `python -m pip ARGS` would, except that
    nothing is imported from the working directory (see _NO_WORKING_DIRECTORY)."""
    return [python, "-c", _PIP_NOW, *args]


def runnable(program: str) -> bool:
    """Whether `program` (a path, or a name looked up in PATH) is a file this process may
    execute, as exec would find it."""
    return shutil.which(program) is not None


def without_working_directory(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with the PYTHONPATH entries that name the working directory removed.

    An empty entry (`PYTHONPATH=:/x`, a common slip) or a relative one is resolved against the
    working directory at start-up, before any code of ours runs, and `sitecustomize.py` is
    imported from it then.
    """
    cleaned = dict(env)
    value = cleaned.get("PYTHONPATH")
    if value is not None:
        kept = [entry for entry in value.split(os.pathsep) if os.path.isabs(entry)]
        if kept:
            cleaned["PYTHONPATH"] = os.pathsep.join(kept)
        else:
            del cleaned["PYTHONPATH"]
    return cleaned


_STOP_TIMEOUT = 10.0
_SIGINT_GRACE = 0.25
"""After Ctrl-C, how long pip may take to stop by itself before it is killed (as
subprocess.run allows)."""


class WaitingPip:
    """One pip process waiting for its command line."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    @classmethod
    def start(
        cls, python: str, env: Mapping[str, str], prefix: Sequence[str] = ()
    ) -> WaitingPip | None:
        """Start pip in `python`'s environment with `env`, behind `prefix` (a command that
        execs the rest of its argv, e.g. `unshare --net`); None when it cannot start."""
        if prefix and not runnable(python):
            return None  # the prefix would start, then fail to exec it: say so at the handoff
        try:
            process = subprocess.Popen(  # nosec B603 - argv list, fixed code
                [*prefix, python, "-c", _WAIT_THEN_RUN], env=without_working_directory(env),
                stdin=subprocess.PIPE,
            )
        except OSError as error:
            logger.debug("pip not started early: %s", error)
            return None
        return cls(process)

    def run(self, args: Sequence[str]) -> int | None:
        """Run `pip ARGS`; its exit code, or None when it ended before it was told (then it
        ran nothing, and the caller may start pip afresh)."""
        stdin = self.process.stdin
        if stdin is None:
            return None
        if self.process.poll() is not None:
            self._close_stdin()  # it ended on its own: nothing else will close the pipe
            return None
        try:
            stdin.write(json.dumps(list(args)).encode("utf-8") + b"\n")
            stdin.close()
        except OSError:  # it ended before reading the whole line: it did nothing
            self._close_stdin()
            self.process.wait()
            return None
        try:
            code = self.process.wait()
        except KeyboardInterrupt:
            self._stop(_SIGINT_GRACE)
            raise
        # A signal shows as -N; report it the way a shell would (128 + N).
        return 128 + abs(code) if code < 0 else code

    def cancel(self) -> None:
        """End the process without telling it anything (a no-op once it has run)."""
        self._close_stdin()
        self._stop(_STOP_TIMEOUT)

    def _close_stdin(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # a broken pipe still closes the file
                self.process.stdin.close()

    def _stop(self, grace: float) -> None:
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
