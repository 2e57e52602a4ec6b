"""Child-process driver for test_no_execution.py: every metadata rung under a PEP 578 audit hook.

Run as `python no_execution_driver.py SPEC.json OUT.json`. Audit hooks cannot be removed, so this
never runs inside the pytest process. The hook is installed before safepip is imported and:

- fails on process creation: subprocess.Popen, os.system, os.exec*, os.posix_spawn, os.spawn*,
  os.fork / forkpty;
- fails on `compile` of source that carries the canary token or comes from a file outside the
  trusted roots (the interpreter, the venv, safepip itself) - UNLESS the caller is `ast.parse`.
  `ast.parse` raises the very same "compile" event (args: source, filename) as a real compile, so
  the event arguments cannot tell them apart; the caller's frame can: the frame above the hook
  is `ast.parse` itself (`sys._getframe(1).f_code is ast.parse.__code__`), which only builds a
  syntax tree (PyCF_ONLY_AST) and never produces a code object. Such events are counted as
  `parse_only` so the test can show the hook saw them;
- fails on `exec` of any code object whose filename is outside the trusted roots or whose
  constants carry the canary token (nothing from a downloaded file may run, parsed or not);
- while the rungs run (`checking`), fails on every file opened for writing and on mkdir, symlink,
  link, rename, remove: nothing is extracted to disk. The one exception is the full-resolver
  case, whose work/cache directory may receive whole downloads (the test then checks that it
  holds only archives and cache entries, no extracted member).

Each violation is recorded and raised, so the offending operation also fails.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SPEC = json.loads(Path(sys.argv[1]).read_text())
TOKEN: str = SPEC["token"]
PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                  "os.fork", "os.forkpty", "pty.spawn")
FS_EVENTS = ("os.mkdir", "os.symlink", "os.link", "os.rename", "os.remove", "os.rmdir",
             "os.truncate", "shutil.copyfile", "shutil.unpack_archive")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_spec = importlib.util.find_spec("safepip")
_ROOTS = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(_spec.origin or "")}
TRUSTED = (*(os.path.realpath(root) + os.sep for root in _ROOTS), os.path.realpath(__file__))

state: dict[str, Any] = {"checking": False, "violations": [], "parse_only": 0, "seen": 0,
                         "writable": ()}


def _trusted_file(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen ...>, <string> from dataclasses/namedtuple
        return True
    return os.path.realpath(filename).startswith(TRUSTED)


def _carries_token(obj: Any, depth: int = 0) -> bool:
    if isinstance(obj, bytes | bytearray):
        return TOKEN.encode() in obj
    if isinstance(obj, str):
        return TOKEN in obj
    if hasattr(obj, "co_consts") and depth < 20:
        return any(_carries_token(const, depth + 1) for const in obj.co_consts)
    return False


def _violation(event: str, detail: str) -> None:
    state["violations"].append(f"{event}: {detail}"[:300])
    raise RuntimeError(f"audit hook: {event} refused")


def _writes(args: tuple[Any, ...]) -> bool:
    _path, mode, flags = (*args, None, None, None)[:3]
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & WRITE_FLAGS)


def hook(event: str, args: tuple[Any, ...]) -> None:
    if event.startswith(PROCESS_EVENTS):
        _violation(event, repr(args)[:200])
    elif event == "compile":
        state["seen"] += 1
        source, filename = args[0], str(args[1])
        if _carries_token(source) or not _trusted_file(filename):
            if sys._getframe(1).f_code is ast.parse.__code__:
                state["parse_only"] += 1
            else:
                _violation(event, filename)
    elif event == "exec":
        code = args[0]
        if _carries_token(code) or not _trusted_file(getattr(code, "co_filename", "?")):
            _violation(event, getattr(code, "co_filename", "?"))
    elif state["checking"] and event == "open" and _writes(args) and not _writable(args[0]):
        _violation(event, str(args[0]))
    elif state["checking"] and event.startswith(FS_EVENTS) and not _writable(args[0]):
        _violation(event, repr(args)[:200])


def _writable(path: Any) -> bool:
    """Only the resolver's own work/cache directory (whole downloads, HTTP cache) is writable."""
    if not isinstance(path, str | bytes | os.PathLike) or not state["writable"]:
        return False
    return (os.path.realpath(os.fsdecode(path)) + os.sep).startswith(state["writable"])


if SPEC.get("hook", True):
    sys.addaudithook(hook)

import requests  # noqa: E402 - imported under the hook on purpose

from safepip.resolution import metadata as ladder  # noqa: E402


def _summary(meta: ladder.StaticMetadata) -> dict[str, Any]:
    return {"source": meta.source, "name": meta.name, "version": str(meta.version),
            "deps": [str(r) for r in meta.requires_dist], "detail": meta.detail}


def run_case(case: dict[str, Any], session: requests.Session) -> dict[str, Any]:
    call, target = case["call"], case["target"]
    if call == "sdist":
        return _summary(ladder.metadata_from_sdist_file(Path(target)))
    if call == "build":
        inspection = ladder.inspect_sdist(Path(target))
        build = inspection.build_system
        return {"requires": [str(r) for r in ladder.build_requirements_from_sdist(Path(target))],
                "backend": build.backend, "in_tree": build.in_tree_backend,
                **_summary(inspection.metadata)}
    if call == "wheel":
        return _summary(ladder.metadata_from_wheel_file(Path(target)))
    if call == "wheel_http":
        data = ladder.wheel_metadata_over_http(session, target)
        if data is None:
            return {"source": None}
        return _summary(ladder.metadata_from_core_metadata(data, source="wheel", origin=target))
    if call == "pep658":
        response = session.get(target, timeout=30)
        response.raise_for_status()
        return _summary(ladder.metadata_from_core_metadata(
            response.content, source="pep658", origin=target))
    if call == "resolve":
        return _resolve(target, case["specs"], Path(case["workdir"]))
    if call == "control_run":  # positive control: really run a file (the hook must object)
        import runpy
        runpy.run_path(target)
        return {"ran": True}
    if call == "control_write":
        Path(target).with_suffix(".written").write_text("x")
        return {"ran": True}
    if call == "control_spawn":
        import subprocess
        subprocess.run(["true"], check=False)
        return {"ran": True}
    raise ValueError(call)


def _resolve(index_url: str, specs: list[str], workdir: Path) -> dict[str, Any]:
    """The whole resolver (lead's resolve_request) over a loopback index of hostile sdists."""
    from packaging.requirements import Requirement

    from safepip.findings import Location
    from safepip.index.client import IndexClient
    from safepip.index.http import HttpOptions, make_session
    from safepip.index.options import IndexOptions
    from safepip.pip.request import InstallRequest, TargetOptions
    from safepip.pip.requirement_line import RequirementLine
    from safepip.resolution.environment import probe_target
    from safepip.resolution.resolve import resolve_request

    lines = tuple(RequirementLine(Requirement(s), Location("<driver>"), s) for s in specs)
    index = IndexOptions(index_url=index_url)
    request = InstallRequest(requirements=lines, index=index,
                             target=TargetOptions(target_dir="/nowhere"))
    state["writable"] = (os.path.realpath(workdir) + os.sep,)
    # CacheControl buffers HTTP bodies in temporary files: keep them inside the work directory.
    (workdir / "tmp").mkdir(parents=True)
    tempfile.tempdir = str(workdir / "tmp")
    try:
        session = make_session(HttpOptions(cache_dir=workdir / "cache"))
        outcome = resolve_request(request, client=IndexClient(session, index), session=session,
                                  environment=probe_target(request.target),
                                  workdir=workdir / "work")
    finally:
        state["writable"], tempfile.tempdir = (), None
    resolution = outcome.resolution
    return {"packages": {p.name: [str(p.version), p.metadata_source, p.build_dependency]
                         for p in resolution.packages},
            "findings": sorted(f"{f.rule}:{f.package}" for f in resolution.findings)}


def main() -> None:
    results: dict[str, Any] = {}
    tempfile.gettempdir()  # its one-off writability probe writes a file in /tmp; do it up front
    with requests.Session() as session:
        state["checking"] = True
        for case in SPEC["cases"]:
            try:
                results[case["name"]] = run_case(case, session)
            except Exception as exc:  # every outcome is reported to the test
                results[case["name"]] = {"error": f"{type(exc).__name__}: {exc}"}
        state["checking"] = False
    Path(sys.argv[2]).write_text(json.dumps({
        "results": results, "violations": state["violations"],
        "parse_only": state["parse_only"], "compile_events": state["seen"]}, indent=1))


main()
