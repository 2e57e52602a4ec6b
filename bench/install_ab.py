"""A/B: `safepip install` (cold) of the same wheel-only set from two checkouts, alternating.

    .venv/bin/python bench/install_ab.py OTHER_CHECKOUT [--runs 7] [--specs "..."]

OTHER_CHECKOUT is another safepip tree with its own `.venv` (e.g. `git archive BASE | tar -x
-C /tmp/base && python3 -m venv /tmp/base/.venv && /tmp/base/.venv/bin/pip install -e
/tmp/base`). Each run installs into a fresh venv (copied untimed, as bench/install.py does) with
a fresh cache, first with one checkout then the other (the order flips every run), so both see
the same load; byte code of each is cached by its own shim. Prints the median wall and CPU time
of each and the per-pair ratios (this checkout / other).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import install as bench  # noqa: E402 - bench/install.py, beside this file


def shim_for(checkout: Path) -> list[str]:
    """argv prefix running `checkout`'s safepip with its own venv and byte-code cache."""
    cache = checkout / "bench" / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    shim = cache / "safepip_shim.py"
    shim.write_text(bench.SHIM.format(prefix=str(cache / "pycache")))
    return [str(checkout / ".venv" / "bin" / "python"), str(shim)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--specs", default=bench.DEFAULT_SPECS)
    args = parser.parse_args()
    url = (bench.PYPI_ROOT / "simple").as_uri() + "/"
    specs = args.specs.split()
    tools = {"this": shim_for(BENCH.parent), "other": shim_for(args.other.resolve())}
    work = Path(tempfile.mkdtemp(prefix="safepip-ab-"))
    template = bench.template_venv(work)
    for name, prefix in tools.items():  # untimed: byte code and disk caches for both
        python = bench.fresh_venv(template, work / f"warm-{name}")
        bench.timed(bench.safepip_argv(python, url, specs, prefix),
                    bench.clean_env(work / "home", work / f"warm-cache-{name}"),
                    work / f"warm-{name}.log")
    times: dict[str, list[bench.Timing]] = {"this": [], "other": []}
    for run in range(args.runs):
        order = ["this", "other"] if run % 2 == 0 else ["other", "this"]
        for name in order:
            python = bench.fresh_venv(template, work / f"v{run}-{name}")
            env = bench.clean_env(work / "home", work / f"cache{run}-{name}")
            times[name].append(bench.timed(bench.safepip_argv(python, url, specs, tools[name]),
                                           env, work / f"v{run}-{name}.log"))
        print(f"  run {run + 1}: this {times['this'][-1].wall:.2f}s  other "
              f"{times['other'][-1].wall:.2f}s", flush=True)
    for name, series in times.items():
        print(f"{name:6} wall med {statistics.median(t.wall for t in series):.2f}s  "
              f"cpu med {statistics.median(t.cpu for t in series):.2f}s")
    pairs = [a.wall / b.wall for a, b in zip(times["this"], times["other"], strict=True)]
    cpu_pairs = [a.cpu / b.cpu for a, b in zip(times["this"], times["other"], strict=True)]
    print(f"this/other per pair: wall median {statistics.median(pairs):.3f} "
          f"(range {min(pairs):.2f}-{max(pairs):.2f}), cpu median "
          f"{statistics.median(cpu_pairs):.3f}")


if __name__ == "__main__":
    main()
