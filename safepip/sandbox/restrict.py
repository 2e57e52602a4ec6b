"""The last step into the cage: apply Landlock to this process, then become the build's pip.

Run as `python -I -m safepip.sandbox.restrict CONFIG` by the in-namespace supervisor
(safepip.sandbox.inside). Landlock rules are inherited by everything the process starts and can
never be lifted; `no_new_privs` (set by the binding) means no set-uid program regains rights.
When the config says Landlock is not to be used (not available here), it only execs pip.
Through `setpriv`, when available, pip starts with no capabilities at all (see mechanisms).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def apply_landlock(read: list[str], write: list[str], write_files: list[str]) -> None:
    """Allow reading (and executing) beneath `read`, everything beneath `write`, reading and
    writing the single files `write_files`; nothing else on any file system."""
    from landlock import FSAccess, Ruleset  # type: ignore[import-untyped]

    ruleset = Ruleset()
    read_rights = FSAccess.READ_FILE | FSAccess.READ_DIR | FSAccess.EXECUTE
    for path in read:
        ruleset.allow(path, rules=read_rights if os.path.isdir(path) else _file(read_rights))
    for path in write:
        ruleset.allow(path)
    for path in write_files:
        ruleset.allow(path, rules=FSAccess.READ_FILE | FSAccess.WRITE_FILE)
    ruleset.apply()


DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns", "mount", "umount2",
    "pivot_root", "chroot", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "userfaultfd", "io_uring_setup", "open_by_handle_at", "fanotify_init", "swapon", "reboot",
)
"""What a build never needs: inspecting or entering other processes and namespaces, changing
mounts, loading kernel code, and io_uring (whose operations bypass this filter)."""

_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                    0x40000000, 0x00000080)
"""CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME: a new namespace
by clone() is refused like one by unshare()."""


def apply_seccomp() -> None:
    """Refuse DENIED_SYSCALLS (EPERM), clone() into new namespaces, and clone3 (ENOSYS, so
    the C library falls back to clone, whose flags can be checked)."""
    import errno

    import pyseccomp  # type: ignore[import-untyped]

    syscalls = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        with contextlib.suppress(OSError):  # a name this architecture lacks cannot be called
            syscalls.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
    for flag in _NAMESPACE_FLAGS:
        syscalls.add_rule(pyseccomp.ERRNO(errno.EPERM), "clone",
                          pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    syscalls.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    syscalls.load()


def _file(rights: Any) -> Any:
    from landlock import FSAccess

    return rights & ~FSAccess.READ_DIR  # a rule on a file may carry file rights only


def main(argv: list[str]) -> None:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    if config["landlock"]:
        apply_landlock(config["read"], config["write"], config["write_files"])
    if config.get("seccomp"):
        apply_seccomp()
    command = config["command"]
    if config.get("setpriv"):  # after Landlock: setpriv must still be readable, and it is
        command = [config["setpriv"], "--bounding-set=-all", "--inh-caps=-all",
                   "--no-new-privs", "--", *command]
    os.execve(command[0], command, config["env"])  # noqa: S606  # nosec B606 - our argv


if __name__ == "__main__":
    main(sys.argv)
