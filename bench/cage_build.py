"""What the build cage costs: the same sdist built into a wheel by plain `pip wheel` and by
`safepip.sandbox.cage.build_confined` (namespaces, Landlock, seccomp, overlays, decoys, the packet
recorder, and the scan of the built wheel), alternating, into fresh folders.

    .venv/bin/python bench/cage_build.py [--runs 5] [--kind pure|c]

Both use this interpreter's pip with build isolation, the build requirement (setuptools) taken
from a local folder (no index). Prints the median wall time of each and the difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

C_SETUP = ('from setuptools import Extension, setup\n'
           'setup(name="cext", version="1.0", ext_modules=[Extension("cext", ["cext.c"])])\n')
C_SOURCE = ('#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, "cext",'
            ' NULL, -1, NULL};\nPyMODINIT_FUNC PyInit_cext(void) { return PyModule_Create(&m); }\n')


def main() -> None:
    from safepip.sandbox.cage import build_confined
    from safepip.sandbox.mechanisms import available
    from tests.integration.test_handoff_pip import _setuptools_wheel
    from tests.kit.archives import make_sdist

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kind", choices=("pure", "c"), default="pure")
    args = parser.parse_args()
    print(available())
    work = Path(tempfile.mkdtemp(prefix="cage-bench-"))
    vetted = work / "vetted"
    vetted.mkdir()
    setuptools = _setuptools_wheel()
    shutil.copy(setuptools, vetted / setuptools.name)
    if args.kind == "c":
        sdist = make_sdist(work / "s", "cext", "1.0", setup_py=C_SETUP,
                           pyproject_toml='[build-system]\nrequires = ["setuptools"]\n'
                           'build-backend = "setuptools.build_meta"\n', files={"cext.c": C_SOURCE})
    else:
        sdist = make_sdist(work / "s", "plain-pkg", "1.0")
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    plain, caged = [], []
    for run in range(args.runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                        "--no-cache-dir", "--find-links", str(vetted), "-w",
                        str(work / f"plain{run}"), str(sdist)], env=env, check=True)
        plain.append(time.monotonic() - started)
        started = time.monotonic()
        result = build_confined(sdist, package=sdist.name.split("-")[0], version="1.0",
                                python=sys.executable, vetted_dir=vetted,
                                output_dir=work / f"caged{run}")
        caged.append(time.monotonic() - started)
        assert result.wheel is not None and not result.findings, result
        print(f"  run {run + 1}: pip wheel {plain[-1]:.2f}s  caged {caged[-1]:.2f}s  "
              f"(load {os.getloadavg()[0]:.1f})")
    p, c = statistics.median(plain), statistics.median(caged)
    print(f"{args.kind}: median pip wheel {p:.2f}s, caged {c:.2f}s, +{c - p:.2f}s ({c / p:.2f}x)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
