"""Check that the install-hook prefilter hides no finding, on every archive of a directory.

    .venv/bin/python bench/prefilter_soundness.py [DIR] [--max-mb 20] [--shard K/N]

Each archive (wheel or sdist) is scanned twice with the real scanner: with the prefilter and
with `InstallHookCheck(prefilter=False)`, which parses every Python file. The findings must be
the same; every difference is printed and the exit status is 1. DIR defaults to /opt/pypi/files
(this machine's local copy of part of PyPI). Nothing is executed: archives are read in memory
through the extraction gate, as in `safepip scan`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safepip.checks.install_hooks import InstallHookCheck, scan_path  # noqa: E402
from safepip.errors import SafepipError  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=Path("/opt/pypi/files"))
    parser.add_argument("--max-mb", type=float, default=20.0, help="skip larger archives")
    parser.add_argument("--shard", default="0/1", help="K/N: every Nth archive from the Kth")
    args = parser.parse_args()
    first, step = (int(part) for part in args.shard.split("/"))
    limit = args.max_mb * (1 << 20)
    archives = sorted(
        path for path in args.directory.iterdir()
        if path.name.endswith((".whl", ".tar.gz", ".zip")) and path.stat().st_size <= limit
    )[first::step]
    with_filter, without = InstallHookCheck(prefilter=True), InstallHookCheck(prefilter=False)
    start = time.perf_counter()
    compared = differing = refused = 0
    for path in archives:
        try:
            filtered = sorted(map(repr, scan_path(path, check=with_filter)))
            complete = sorted(map(repr, scan_path(path, check=without)))
        except SafepipError as error:  # refused by the extraction gate: same either way
            refused += 1
            print(f"refused {path.name}: {error.message}")
            continue
        compared += 1
        if filtered != complete:
            differing += 1
            print(f"DIFFERS {path.name}")
            for line in sorted(set(complete) - set(filtered)):
                print(f"  hidden by the prefilter: {line}")
            for line in sorted(set(filtered) - set(complete)):
                print(f"  only with the prefilter: {line}")
    print(f"{compared} archives compared, {differing} differ, {refused} refused, "
          f"{time.perf_counter() - start:.0f} s")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
