"""Keep index credentials out of every message, log line and report."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")


def redact_url(url: str) -> str:
    """Replace any `user:password@` in a URL by `***@`; leave other URLs unchanged."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def redact_text(text: str) -> str:
    """Redact credentials in every URL embedded in free text (e.g. exception messages)."""
    return _USERINFO_IN_TEXT.sub(r"\g<scheme>***@", text)
