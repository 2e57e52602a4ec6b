"""The handoff's pip runs with no network: its own network namespace, where nothing is reachable.

The pip that installs the vetted files needs no network (hash-pinned files from a private
folder, `--no-index`, no build step: every sdist was built in the cage), so it gets none: a
second wall should anything in that pip process (a `.pth` or `sitecustomize` of the target
environment, a pip plugin) try to reach out. The util-linux `unshare` command (argv, no shell)
starts pip in a new network namespace, which holds only a loopback interface that is down:
every connection, to any address including 127.0.0.1, fails at once.

- As root, `unshare --net` alone (with CAP_SYS_ADMIN): nothing else about the process changes.
- Otherwise a new user namespace that maps the current uid and gid onto themselves
  (`--map-current-user`, util-linux 2.38; `--map-user=UID --map-group=GID` before it): pip
  keeps its own uid, so the files it writes are owned as usual and pip sees no root. The
  unmapped uids of other users stay unmapped, so the namespace grants no access to their
  files that pip did not have.

`unshare` replaces itself with pip (no `--fork`): the process safepip waits for, signals and
reads the exit code of is pip itself. Which of those works is found by trying it (`unshare ...
true`), once per run. Where none does (no util-linux, a kernel or container that refuses
namespaces), pip runs with the network, and the handoff says so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess  # nosec B404 - fixed argv lists, no shell
from dataclasses import dataclass


@dataclass(frozen=True)
class Offline:
    """How the handoff's pip is kept off the network here."""

    prefix: tuple[str, ...]
    """The argv that goes before pip's own (empty: pip runs with the network)."""
    reason: str = ""
    """Why there is no prefix (shown to the user), "" when there is one."""

    @property
    def enforced(self) -> bool:
        return bool(self.prefix)


def candidates(unshare: str, uid: int, gid: int) -> list[tuple[str, ...]]:
    """The ways to start a process in a new network namespace, best first."""
    tried: list[tuple[str, ...]] = []
    if uid == 0:  # root: no user namespace needed, nothing about the process changes
        tried.append((unshare, "--net"))
    tried.append((unshare, "--user", "--map-current-user", "--net"))
    tried.append((unshare, "--user", f"--map-user={uid}", f"--map-group={gid}", "--net"))
    return tried


@functools.cache
def offline() -> Offline:
    """The first way that works on this machine (tried once per run)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return Offline((), "the `unshare` command (util-linux) is not installed")
    last = ""
    for prefix in candidates(unshare, os.geteuid(), os.getegid()):
        last = _try(prefix)
        if not last:
            return Offline(prefix)
    return Offline((), f"this system refuses a new network namespace ({last})")


def _try(prefix: tuple[str, ...]) -> str:
    """"" when `prefix true` runs, else why not."""
    try:
        done = subprocess.run(  # nosec B603 - fixed argv
            [*prefix, "true"], capture_output=True, timeout=20, check=False,
            stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`unshare` could not run: {error}"
    if done.returncode == 0:
        return ""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"`unshare` exited with {done.returncode}"


def with_network_notice(offline: Offline) -> str:
    """What the user is told when pip could not be kept off the network."""
    return (f"pip installs the vetted files with network access: {offline.reason}. It installs "
            "only the hash-pinned files from safepip's private folder (--no-index), so it has "
            "nothing to fetch.")
