"""The fuzz tests, long and random: the CI run is short and derandomized (tests/kit/fuzz.py).

    .venv/bin/python bench/fuzz.py [--examples 5000] [--seconds 1800] [pytest -k filter]

Runs tests/test_fuzz_*.py with SAFEPIP_FUZZ_EXAMPLES examples per test and a fresh random seed
(SAFEPIP_FUZZ_RANDOM=1), at nice 10, stopped after --seconds. A failure prints hypothesis'
smallest failing input and the `@reproduce_failure` line to replay it; make it an explicit test
case before fixing it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=1800.0)
    parser.add_argument("filter", nargs="?", help="pytest -k expression")
    args = parser.parse_args()
    env = dict(os.environ, SAFEPIP_FUZZ_EXAMPLES=str(args.examples), SAFEPIP_FUZZ_RANDOM="1")
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--timeout", str(int(args.seconds)),
               *sorted(str(p) for p in (ROOT / "tests").glob("test_fuzz_*.py"))]
    if args.filter:
        command += ["-k", args.filter]
    try:
        return subprocess.run(command, cwd=ROOT, env=env, timeout=args.seconds + 60,
                              check=False).returncode
    except subprocess.TimeoutExpired:
        print(f"stopped after {args.seconds:g} s")
        return 0


if __name__ == "__main__":
    sys.exit(main())
