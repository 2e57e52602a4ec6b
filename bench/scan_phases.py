"""CPU of each phase of `scan_path` over the calibration sdists, in one process.

    .venv/bin/python bench/scan_phases.py [--repeat N] [--code DIR]

Phases: `read_members` (inflate, tarfile, the member gate), `worth_parsing` (the prefilter),
`decode_source`, `ast.parse` (every call; the few PythonScan makes count twice), `PythonScan`,
and the rest (layout, metadata, the import closure, freeing trees). Times are CPU seconds of
this process (time.process_time), summed over the 41 sdists of bench/.cache/sdists; each repeat
prints one line. `--code DIR` imports safepip from DIR instead (a `git worktree` of another
commit), to compare two versions on the same machine state: run them alternately.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SDISTS = BENCH / ".cache" / "sdists"


def _timed(totals: dict[str, float], key: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.process_time() - start

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, default=BENCH.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from safepip.checks import install_hooks
    from safepip.checks.hooks import scanner

    totals: dict[str, float] = {}
    install_hooks.read_members = _timed(totals, "read_members", install_hooks.read_members)
    scanner.worth_parsing = _timed(totals, "prefilter", scanner.worth_parsing)
    scanner.decode_source = _timed(totals, "decode", scanner.decode_source)
    scanner.PythonScan = _timed(totals, "PythonScan", scanner.PythonScan)
    parse = ast.parse
    paths = sorted(SDISTS.glob("*.tar.gz"))
    print(f"{len(paths)} sdists, safepip from {args.code}")
    for _ in range(args.repeat):
        totals.clear()
        ast.parse = _timed(totals, "ast.parse", parse)
        check = install_hooks.InstallHookCheck()
        start = time.process_time()
        for path in paths:
            install_hooks.scan_path(path, check=check)
        total = time.process_time() - start
        ast.parse = parse
        rest = total - sum(totals.values())
        phases = " ".join(f"{key} {value:.2f}" for key, value in sorted(totals.items()))
        print(f"total {total:.2f}  {phases}  rest {rest:.2f}")


if __name__ == "__main__":
    main()
