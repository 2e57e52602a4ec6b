"""Fuzzing the lock-file readers (pylock.toml, uv.lock, poetry.lock): any document ends in
packages or a clean error (tests/kit/fuzz.py).

Three kinds of input: the real sample locks with values at random places replaced by values of
any TOML type (the shape is right, the types and values are not), the same with keys deleted,
and the sample text cut and spliced at random (broken TOML).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepip.inputs import read_lock
from tests.kit.fuzz import fuzz_settings, result_or_clean_error

DATA = Path(__file__).parent / "inputs" / "data"
SAMPLES = {
    "pylock.toml": DATA / "pylock.toml",
    "uv.lock": DATA / "uv.lock",
    "poetry.lock": DATA / "poetry.lock",
    "poetry-legacy/poetry.lock": DATA / "poetry-legacy" / "poetry.lock",
}
_FORMAT = {"pylock.toml": "pylock", "uv.lock": "uv.lock", "poetry.lock": "poetry.lock",
           "poetry-legacy/poetry.lock": "poetry.lock"}

_SCALARS = (st.text(max_size=12) | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.booleans()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from(["", "1.0", "===1", "sha256:zz", "../../etc/passwd", "\x00",
                               "https://[::1", "file:///x", "C:\\x", "a" * 300, "1.0.0.0.0.0",
                               "python_version >= '3' and", "-1", "sha256"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def toml_text(value: dict[str, Any]) -> str:
    """A TOML document for `value` (every table inline, which TOML allows)."""
    return "".join(f"{_key(k)} = {_toml(v)}\n" for k, v in value.items())


def _key(key: str) -> str:
    return json.dumps(key)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _mutate(document: dict[str, Any], data: st.DataObject, *, delete: bool) -> dict[str, Any]:
    document = json.loads(json.dumps(document, default=str))  # a deep copy, datetimes as text
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if delete:
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_VALUES)
    return document


def _read(tmp: Path, sample: str, text: str | bytes) -> None:
    path = tmp / Path(sample).name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result_or_clean_error(lambda: read_lock(path, _FORMAT[sample]))  # type: ignore[arg-type]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("delete", [False, True])
@fuzz_settings
@given(data=st.data())
def test_locks_with_wrong_values_or_missing_keys_read_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, sample: str, delete: bool, data: st.DataObject,
) -> None:
    document = tomllib.loads(SAMPLES[sample].read_text(encoding="utf-8"))
    mutated = _mutate(document, data, delete=delete)
    _read(tmp_path_factory.mktemp("lock"), sample, toml_text(mutated))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@fuzz_settings
@given(cut=st.integers(0, 10 ** 6), length=st.integers(0, 200), splice=st.binary(max_size=40))
def test_broken_lock_text_reads_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory, sample: str, cut: int, length: int, splice: bytes,
) -> None:
    text = SAMPLES[sample].read_bytes()
    cut %= len(text) + 1
    _read(tmp_path_factory.mktemp("lock"), sample, text[:cut] + splice + text[cut + length:])


def test_the_toml_writer_round_trips_the_samples() -> None:
    for path in SAMPLES.values():
        document = json.loads(json.dumps(tomllib.loads(path.read_text("utf-8")), default=str))
        assert tomllib.loads(toml_text(document)) == document
