"""Release-age cooldown: refuse files uploaded more recently than `--min-release-age`.

Freshly published malware is usually found and removed within days, so waiting a few days before
installing a new upload is a cheap defence. The upload time comes from the index (PEP 700
`upload-time` in the JSON Simple API, PEP 691). A file whose index gives no upload time cannot be
proven old enough, so it is excluded (fail closed) and the reason says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from safepip.errors import InputError

logger = logging.getLogger(__name__)

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


def format_duration(duration: dt.timedelta) -> str:
    """A short human form (`7d`, `12h`, `2d3h`) for messages: the two largest units."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts[:2]) or "0s"


def _aware(moment: dt.datetime) -> dt.datetime:
    # PEP 700 times are UTC; a naive value is read as UTC rather than local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def too_new(upload_time: dt.datetime | None, min_age: dt.timedelta, now: dt.datetime) -> bool:
    """True when the file must be refused: younger than `min_age`, or of unknown age.

    A zero (or negative) `min_age` disables the cooldown, so nothing is too new.
    """
    if min_age <= dt.timedelta(0):
        return False
    return not uploaded_by(upload_time, _aware(now) - min_age)


def uploaded_by(upload_time: dt.datetime | None, limit: dt.datetime) -> bool:
    """True when the file was uploaded at or before `limit`; an unknown time never is."""
    return upload_time is not None and _aware(upload_time) <= _aware(limit)
