"""The last step into the cage: apply Landlock to this process, then become the build's pip.

Run as `python -I -m safepip.sandbox.restrict CONFIG` by the in-namespace supervisor
(safepip.sandbox.inside). Landlock rules are inherited by everything the process starts and can
never be lifted; `no_new_privs` (set by the binding) means no set-uid program regains rights.
When the config says Landlock is not to be used (not available here), it only execs pip.
Through `setpriv`, when available, pip starts with no capabilities at all (see mechanisms).
"""

from __future__ import annotations

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


def _file(rights: Any) -> Any:
    from landlock import FSAccess

    return rights & ~FSAccess.READ_DIR  # a rule on a file may carry file rights only


def main(argv: list[str]) -> None:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    if config["landlock"]:
        apply_landlock(config["read"], config["write"], config["write_files"])
    command = config["command"]
    if config.get("setpriv"):  # after Landlock: setpriv must still be readable, and it is
        command = [config["setpriv"], "--bounding-set=-all", "--inh-caps=-all",
                   "--no-new-privs", "--", *command]
    os.execve(command[0], command, config["env"])  # noqa: S606  # nosec B606 - our argv


if __name__ == "__main__":
    main(sys.argv)
