"""The newcomer run of issue 13, repeated against the live index: what does each command do?

    .venv/bin/python bench/newcomer.py [--lock PATH] [--python python3] [--timeout 900] [--keep]

A fresh venv is made with `PYTHON -m venv` (with the pip that Python bundles, as a new user gets
it) and "activated" as `source .venv/bin/activate` would (VIRTUAL_ENV, PATH); every command runs
in a fresh directory, through a pipe (no terminal), with this machine's pip configuration and
environment as they are, so a mirror configured in pip.conf applies as it would for that user.
safepip is this checkout's (`.venv/bin/safepip`), as if installed with pipx: it does not live in
the venv it acts on. The commands (a handful of requests to the index):

    safepip --version
    safepip install requests
    safepip install flask
    safepip install --dry-run jupyter
    safepip install reqeusts                  (a typo of requests)
    safepip install NAME                      (known-malicious in the shared OSV snapshot)
    safepip audit LOCK                        (a real lock file, default below)
    safepip list

For each it prints the exit code, the wall time, the environment line, the verdict, the
findings by rule, what the venv gained (`pip freeze` before and after, read from the venv
itself), and the last lines of output. Nothing is timed for a figure: this is a conformance probe.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAFEPIP = ROOT / ".venv" / "bin" / "safepip"
DEFAULT_LOCK = ROOT / "tests" / "data" / "real" / "uv-lock-fastapi-example" / "uv.lock"
OSV = Path("/work/shared/data/osv-malicious-pypi.json")
PREFERRED_MALICIOUS = "aaiohttp"
"""A typosquat of aiohttp reported as malicious for every version (MAL-2023-1574)."""


@dataclass(frozen=True)
class Outcome:
    argv: list[str]
    code: int
    seconds: float
    output: str
    gained: list[str]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=DEFAULT_LOCK,
                        help="the real lock file to audit (default: %(default)s)")
    parser.add_argument("--python", default="python3", help="interpreter that makes the venv")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per command")
    parser.add_argument("--keep", action="store_true", help="keep the venv and directory")
    args = parser.parse_args()
    if not SAFEPIP.exists():
        sys.exit(f"{SAFEPIP} is missing: set up this checkout's .venv first (see README).")
    work = Path(tempfile.mkdtemp(prefix="safepip-newcomer-"))
    try:
        return _run_all(work, args)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _run_all(work: Path, args: argparse.Namespace) -> int:
    venv = work / "project" / ".venv"
    subprocess.run([args.python, "-m", "venv", str(venv)], check=True)
    cwd = work / "project"
    env = _activated(venv)
    pip_version = _freeze(venv, env, "--version")
    print(f"venv: {venv} ({_python_version(venv)}; {pip_version.strip()})")
    print(f"pip configuration: {_pip_config(venv, env)}")
    malicious = _known_malicious()
    lock = args.lock
    if lock.exists():
        shutil.copy(lock, cwd / lock.name)
    commands = [
        ["--version"],
        ["install", "requests"],
        ["install", "flask"],
        ["install", "--dry-run", "jupyter"],
        ["install", "reqeusts"],
        ["install", malicious],
        ["audit", lock.name],
        ["list"],
    ]
    for command in commands:
        if command[0] == "audit" and not lock.exists():
            print(f"\n$ safepip audit {lock}: skipped, the file does not exist (--lock PATH)")
            continue
        outcome = _run(command, venv, env, cwd, args.timeout)
        _describe(outcome)
    return 0


def _activated(venv: Path) -> dict[str, str]:
    """What `source .venv/bin/activate` changes."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    return env


def _freeze(venv: Path, env: dict[str, str], *extra: str) -> str:
    args = list(extra) or ["freeze", "--all"]
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", *args], env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    return done.stdout


def _python_version(venv: Path) -> str:
    done = subprocess.run([str(venv / "bin" / "python"), "--version"], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def _pip_config(venv: Path, env: dict[str, str]) -> str:
    listed = _freeze(venv, env, "config", "list").strip().splitlines()
    return "; ".join(listed) or "(none)"


def _known_malicious() -> str:
    """A name the shared OSV snapshot reports as malicious for every version."""
    records = json.loads(OSV.read_text(encoding="utf-8"))["records"] if OSV.exists() else []
    names = {r["normalized"] for r in records if not r.get("versions") and not r["withdrawn"]}
    if PREFERRED_MALICIOUS in names or not names:
        return PREFERRED_MALICIOUS
    return sorted(names)[0]


def _run(command: list[str], venv: Path, env: dict[str, str], cwd: Path,
         timeout: float) -> Outcome:
    before = set(_freeze(venv, env).splitlines())
    argv = [str(SAFEPIP), *command]
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, check=False)
        code, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout
        code = -1
        output = (out.decode() if isinstance(out, bytes) else out or "") + "\n(timed out)"
    seconds = time.perf_counter() - started
    after = set(_freeze(venv, env).splitlines())
    gained = sorted(after - before)
    return Outcome(["safepip", *command], code, seconds, output, gained)


_VERDICT = re.compile(r"verdict[: ]+(\w+)", re.IGNORECASE)
_RULE = re.compile(r"\b((?:name|hook|resolve|lock|archive)/[a-z0-9-]+)")


def _describe(outcome: Outcome) -> None:
    lines = [line.rstrip() for line in outcome.output.splitlines() if line.strip()]
    print(f"\n$ {' '.join(outcome.argv)}")
    print(f"  exit {outcome.code} in {outcome.seconds:.1f} s")
    if lines:
        print(f"  first line: {lines[0][:160]}")
    verdicts = _VERDICT.findall(outcome.output)
    if verdicts:
        print(f"  verdict: {verdicts[-1]}")
    rules = Counter(_RULE.findall(outcome.output))
    if rules:
        print("  rules named: " + ", ".join(f"{r} x{n}" for r, n in sorted(rules.items())))
    shown = ", ".join(outcome.gained[:12]) + (" ..." if len(outcome.gained) > 12 else "")
    print(f"  venv gained {len(outcome.gained)} package(s){': ' + shown if shown else ''}")
    errors = [line for line in lines if line.startswith(("error:", "safepip:", "ERROR"))]
    for line in errors[:6]:
        print(f"  | {line[:200]}")
    print("  last lines:")
    for line in lines[-6:]:
        print(f"  > {line[:200]}")


if __name__ == "__main__":
    sys.exit(main())
