"""Release-age cooldown: refuse files uploaded more recently than `--min-release-age`.

Freshly published malware is usually found and removed within days, so waiting a few days before
installing a new upload is a cheap defence. The upload time comes from the index (PEP 700
`upload-time` in the JSON Simple API, PEP 691). A file whose index gives no upload time cannot be
proven old enough, so it is excluded (fail closed) and the reason says so.
"""

from __future__ import annotations

import datetime as dt
import re

from safepip.errors import InputError

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PART = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"(?:\d+\s*[smhdw]\s*)+")


def parse_duration(text: str, *, option: str = "--min-release-age") -> dt.timedelta:
    """Read `7d`, `12h`, `30m`, `2w`, `90s` or a sum such as `1w2d` into a timedelta."""
    compact = text.strip().lower()
    if not _WHOLE.fullmatch(compact):
        raise InputError(
            f"{option} expects a duration such as 7d, 12h, 30m or 2w, not {text!r}.",
            hint="Units: s (seconds), m (minutes), h (hours), d (days), w (weeks).",
        )
    total = dt.timedelta()
    for amount, unit in _PART.findall(compact):
        total += dt.timedelta(**{_UNITS[unit]: int(amount)})
    return total


def _aware(moment: dt.datetime) -> dt.datetime:
    # PEP 700 times are UTC; a naive value is read as UTC rather than local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def uploaded_by(upload_time: dt.datetime | None, limit: dt.datetime) -> bool:
    """True when the file was uploaded at or before `limit`; an unknown time never is."""
    return upload_time is not None and _aware(upload_time) <= _aware(limit)
