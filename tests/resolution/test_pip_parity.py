"""Same answer as pip: every scenario in `cases/*.json` is resolved by safepip and by real pip.

Each case is data (resolvelib's functional-test style). The harness (`parity_harness.py`) builds
the case's index from real wheels and sdists, serves it on 127.0.0.1, runs
`pip install --dry-run --report` against it in a clean environment, and the test resolves the
same arguments with safepip in-process, then compares the runtime pins, the chosen FILE of each
pin and which projects were requested. Build dependencies (sdist backends) are not in pip's
report; they are checked to exist where the case says so. pip runs for every case are started
up front on a small thread pool so the table stays fast.

Case format (all keys but `index` and `args` optional)::

    {"description": "...",
     "index": {"<project>": {"<version>": {
         "requires_dist": ["b>=1; python_version >= '3'"],   # core metadata Requires-Dist
         "extras": {"x": ["c"]},            # Provides-Extra x, Requires-Dist c; extra == "x"
         "requires_python": ">=3.8",        # Requires-Python in the metadata
         "file_requires_python": ">=3.8",   # data-requires-python on the index page
         "yanked": "reason",                # PEP 592, on every file of the version
         "wheels": ["py3-none-any", "{platform}", "{foreign}", "1-py3-none-any"],
         "sdist": "flit" | "setuptools" | "setup.py" | "setup.cfg" | "pkg-info",
         "pep658": true, "upload_time": "2024-01-01T00:00:00.000000Z"}}},
     "server": {"json_api": true, "metadata": true, "range_requests": true},
     "extra_index": {"<project>": {...}},         # a second server, passed as --extra-index-url
     "installed": {"<project>": "<version>"},    # installed by pip into a throwaway venv first
     "args": ["a[x]>=1", "--pre", "-U"],          # pip install arguments
     "constraints": ["b<2"],                      # written to a file, passed as -c FILE
     "expected": {"pins": {"a": "1.0"}, "files": {"a": "a-1.0-py3-none-any.whl"},
                  "sources": {"a": "pep658"}, "already_satisfied": ["a==1.0"]},
                  # files: a filename, or "{index}/files/..." / "{extra}/files/..." for the index
     "build_dependencies": ["flit-core"],         # names safepip plans for building sdists
     "expect_error": "resolution-impossible",     # both pip and safepip must refuse
     "error_mentions": ["a 1.0 requires c>=2"],   # ...and safepip's explanation says so
     "known_gap": "why",                          # xfail (not fail) while a mention is missing
     "compare_with_pip": true}

`{platform}` is the running interpreter's most preferred wheel tag, `{foreign}` a platform tag it
cannot install; a leading `N-` is a wheel build number. `wheels` defaults to `["py3-none-any"]`.
Sdists get a static `pyproject.toml` (flit_core or setuptools backend), a literal-only
`setup.py`, a `setup.cfg` (with a bare `setup()`), or a Metadata-Version 2.2 PKG-INFO; pip builds
them to learn their metadata (they are harmless), so the real backend wheels found on this machine
are put on the loopback index.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from tests.resolution.parity_harness import (
    CASE_FILES,
    PipAnswer,
    Plan,
    PreparedCase,
    describe,
    load_case,
    pip_answer_key,
    plan_from_pip,
    plan_from_safepip,
    prepare_case,
    resolve_filename,
    run_safepip,
    safepip_request,
)

PIP_WORKERS = 3
"""pip runs at once while the tests resolve with safepip (pip is mostly start-up time)."""


def test_table_is_large_enough() -> None:
    """At least 25 scenarios (the acceptance criterion), each checked against something."""
    assert len(CASE_FILES) >= 25
    for path in CASE_FILES:
        case = load_case(path)
        assert case["compare_with_pip"] or "expected" in case or "expect_error" in case, path.name


@pytest.fixture(scope="module")
def prepared_cases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[PreparedCase]]]:
    """Case name -> its served index and pip's answer, for the cases this session will run.

    pip's answers are kept in pytest's cache under a key of everything they depend on
    (`pip_answer_key`): pip runs again whenever the case, the fixtures, pip or Python change.
    Set SAFEPIP_PARITY_FRESH=1 (or run with `-p no:cacheprovider`) to always run pip.
    """
    cache = getattr(request.config, "cache", None)
    if os.environ.get("SAFEPIP_PARITY_FRESH"):
        cache = None
    wanted = [item.callspec.params["case_file"] for item in request.session.items
              if hasattr(item, "callspec") and "case_file" in item.callspec.params]
    pool = ThreadPoolExecutor(max_workers=PIP_WORKERS, thread_name_prefix="pip-parity")
    futures = {path.stem: pool.submit(_prepare, path, tmp_path_factory.mktemp(path.stem), cache)
               for path in wanted}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    for future in futures.values():
        if future.done() and not future.cancelled() and future.exception() is None:
            future.result().close()


def _prepare(path: Path, work: Path, cache: pytest.Cache | None) -> PreparedCase:
    slot, key = f"safepip/pip-parity/{path.stem}", pip_answer_key(path)
    stored = cache.get(slot, None) if cache is not None else None
    known = PipAnswer(**stored["answer"]) if stored and stored.get("key") == key else None
    prepared = prepare_case(path, work, known)
    if cache is not None and known is None and prepared.pip is not None:
        cache.set(slot, {"key": key, "answer": dataclasses.asdict(prepared.pip)})
    return prepared


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_same_answer_as_pip(
    case_file: Path, prepared_cases: dict[str, Future[PreparedCase]], tmp_path: Path
) -> None:
    from safepip.errors import ResolutionImpossibleError

    prepared = prepared_cases[case_file.stem].result()
    request = safepip_request(prepared)
    try:
        resolution = run_safepip(request, tmp_path)
    except ResolutionImpossibleError as refused:
        assert prepared.case.get("expect_error"), f"safepip refused:\n{refused.diagnostics()}"
        if prepared.pip is not None:
            assert prepared.pip.returncode != 0, "pip resolved what safepip called impossible"
        check_explanation(prepared.case, refused.diagnostics())
        return
    plan = plan_from_safepip(resolution, prepared)
    assert not prepared.case.get("expect_error"), f"safepip resolved {describe(plan)}"
    if prepared.pip is not None:
        assert_same_as_pip(prepared, plan)
    check_expected(prepared.case, plan, resolution)


def assert_same_as_pip(prepared: PreparedCase, plan: Plan) -> None:
    pip = prepared.pip
    assert pip is not None
    assert pip.returncode == 0 and pip.report is not None, f"pip failed:\n{pip.stderr[-2000:]}"
    expected = plan_from_pip(pip.report)
    difference = f"\n  pip:     {describe(expected)}\n  safepip: {describe(plan)}"
    assert plan.pins == expected.pins, "pins differ" + difference
    assert plan.files == expected.files, "chosen files differ" + difference
    assert plan.requested == expected.requested, "requested flags differ" + difference


def check_explanation(case: Mapping[str, Any], message: str) -> None:
    """The refusal names who asked for what (issue 3: conflicts explained)."""
    missing = [text for text in case.get("error_mentions", []) if text not in message]
    if missing and case.get("known_gap"):
        pytest.xfail(f"{case['known_gap']} (message: {message!r})")
    assert not missing, f"the explanation does not mention {missing}:\n{message}"


def check_expected(case: Mapping[str, Any], plan: Plan, resolution: Any) -> None:
    """The case's own expectations (they document intent; pip confirms them)."""
    expected = case.get("expected", {})
    if "pins" in expected:
        assert plan.pins == {canonicalize_name(k): v for k, v in expected["pins"].items()}
    for name, filename in expected.get("files", {}).items():
        chosen = plan.files[canonicalize_name(name)]
        want = resolve_filename(filename)
        assert chosen == want if "/" in want else chosen.rsplit("/", 1)[-1] == want
    sources = {str(p.name): p.metadata_source for p in resolution.packages}
    for name, source in expected.get("sources", {}).items():
        assert sources[canonicalize_name(name)] == source, f"metadata source of {name}"
    if "already_satisfied" in expected:
        assert sorted(resolution.already_satisfied) == sorted(expected["already_satisfied"])
    if "build_dependencies" in case:
        built = sorted({str(p.name) for p in resolution.packages if p.build_dependency})
        assert built == sorted(case["build_dependencies"]), "build dependencies"
