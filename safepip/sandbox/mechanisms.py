"""Which confinement mechanisms this machine can enforce, found by trying them (cached per run).

- namespaces: the util-linux `unshare` command (argv, no shell) can make a new user, network,
  PID and mount namespace as an unprivileged user: the build then has no network at all (only
  its own loopback), cannot see or signal other processes, and every process it starts dies
  with it. Tried by running `unshare ... true`.
- landlock: the kernel's Landlock LSM through the `landlock` package: the build may write only
  to its own directories and read only the system, the interpreters and its inputs (never the
  user's home). Tried by asking the kernel for its Landlock ABI version.
- capabilities: `setpriv` drops every capability before the build starts, so its root inside
  the namespaces cannot mount, unmount the overlays, change the network or open raw sockets.
- seccomp: through the `pyseccomp` binding, the build cannot ptrace, enter or create
  namespaces, mount, load kernel code or use io_uring.
- overlay: inside the mount namespace, the target environment's folders are overlaid so that a
  write into them lands in a scratch layer safepip inspects (evidence) instead of the real ones.
"""

from __future__ import annotations

import functools
import shutil
import subprocess  # nosec B404 - fixed argv lists, no shell
from dataclasses import dataclass

UNSHARE_FLAGS = ("--user", "--map-root-user", "--net", "--pid", "--fork", "--mount",
                 "--mount-proc", "--kill-child")
"""A new user namespace (we are root inside it, nobody outside), network (loopback only), PID
(the build's processes die with its first one) and mount namespace (a private /proc)."""


@dataclass(frozen=True)
class Mechanisms:
    """What can be enforced here."""

    unshare: str | None
    """The `unshare` command when namespaces work, else None."""
    landlock_abi: int
    """The kernel's Landlock ABI version (0: unavailable, or the binding is missing)."""
    reasons: tuple[str, ...]
    """For each missing mechanism, why (shown to the user)."""
    seccomp: bool = False
    """A seccomp filter can be loaded (the `pyseccomp` binding over libseccomp)."""
    setpriv: str | None = None
    """The util-linux `setpriv` command, which drops every capability the build's root-in-
    namespace would have (no mount, no route or interface changes, no raw sockets)."""


@functools.cache
def available() -> Mechanisms:
    reasons: list[str] = []
    unshare = _namespaces(reasons)
    abi = _landlock_abi(reasons)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        reasons.append("capabilities: the `setpriv` command (util-linux) is not installed")
    return Mechanisms(unshare=unshare, landlock_abi=abi, reasons=tuple(reasons),
                      setpriv=setpriv, seccomp=_seccomp(reasons))


def _seccomp(reasons: list[str]) -> bool:
    try:
        import pyseccomp  # type: ignore[import-untyped]

        pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)  # loads libseccomp
    except Exception as error:  # ImportError, or the C library missing
        reasons.append(f"seccomp: no usable binding ({type(error).__name__}: {error})")
        return False
    return True


def _namespaces(reasons: list[str]) -> str | None:
    command = shutil.which("unshare")
    if command is None:
        reasons.append("namespaces: the `unshare` command (util-linux) is not installed")
        return None
    try:
        done = subprocess.run(  # nosec B603 - fixed argv
            [command, *UNSHARE_FLAGS, "true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        reasons.append(f"namespaces: `unshare` could not run ({error})")
        return None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reasons.append("namespaces: this kernel refuses unprivileged user namespaces ("
                       + (detail[-1] if detail else f"exit {done.returncode}") + ")")
        return None
    return command


def _landlock_abi(reasons: list[str]) -> int:
    try:
        import landlock  # type: ignore[import-untyped]  # optional: the layer is then missing
    except ImportError:
        reasons.append("landlock: the `landlock` package is not installed")
        return 0
    try:
        version = int(landlock.landlock_abi_version())
    except Exception as error:  # the binding raises its own errors for "not supported"
        reasons.append(f"landlock: the kernel does not offer it ({error})")
        return 0
    return version
