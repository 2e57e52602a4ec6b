"""Fixtures for the index client tests: sessions bound to a per-test cache directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from safepip.index.http import HttpOptions, Session, make_session

SessionFactory = Callable[..., Session]


@pytest.fixture
def make_test_session(tmp_path: Path) -> Iterator[SessionFactory]:
    """Factory: a real safepip session with fast retries and a cache under tmp_path.

    Keyword arguments override HttpOptions fields (e.g. retries=0, read_timeout=0.3).
    """
    sessions: list[Session] = []

    def factory(**overrides: Any) -> Session:
        options: dict[str, Any] = {"cache_dir": tmp_path / "http-cache", "retries": 2,
                                   "backoff_factor": 0.01, "read_timeout": 5.0,
                                   "connect_timeout": 5.0}
        options.update(overrides)
        session = make_session(HttpOptions(**options))
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        session.close()
