"""Release-age cooldown: durations, the fail-closed age test, and the file filter."""

from __future__ import annotations

import datetime as dt

import pytest

from safepip.errors import ExitCode, InputError
from safepip.index.models import DistributionFile
from safepip.policy.cooldown import parse_duration, uploaded_by

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", dt.timedelta(days=7)),
        ("12h", dt.timedelta(hours=12)),
        ("30m", dt.timedelta(minutes=30)),
        ("2w", dt.timedelta(weeks=2)),
        ("90s", dt.timedelta(seconds=90)),
        ("1w2d", dt.timedelta(days=9)),
        (" 3D ", dt.timedelta(days=3)),
        ("0d", dt.timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "7 days", "-1d", "1.5d", "7y", "7d junk"])
def test_parse_duration_rejects_garbage_as_input_error(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_duration(text)
    assert raised.value.exit_code == ExitCode.USAGE
    assert "7d" in raised.value.diagnostics()


def test_uploaded_by_compares_upload_time_with_the_limit() -> None:
    limit = NOW - WEEK
    assert not uploaded_by(NOW - dt.timedelta(days=1), limit)
    assert uploaded_by(NOW - dt.timedelta(days=8), limit)
    assert uploaded_by(limit, limit)  # exactly old enough


def test_unknown_upload_time_never_passes_fail_closed() -> None:
    assert not uploaded_by(None, NOW)


def test_naive_upload_time_is_read_as_utc() -> None:
    naive = (NOW - dt.timedelta(hours=2)).replace(tzinfo=None)
    assert not uploaded_by(naive, NOW - dt.timedelta(hours=3))
    assert uploaded_by(naive, NOW - dt.timedelta(hours=1))


def _file(name: str, uploaded: dt.datetime | None) -> DistributionFile:
    return DistributionFile(filename=name, url=f"https://example.test/{name}", upload_time=uploaded)
