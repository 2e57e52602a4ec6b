"""Suite-wide guards: loopback-only network, no pip configuration from this machine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.index_server import IndexServer
from tests.kit.isolation import install_socket_guard, isolate_process_environment

install_socket_guard()


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    yield from isolate_process_environment(str(home))


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME/XDG tree for one test (caches, config and data dirs start empty)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


IndexServerFactory = Callable[..., IndexServer]


@pytest.fixture
def index_server() -> Iterator[IndexServerFactory]:
    """Factory: `index_server(files, **options) -> IndexServer` on 127.0.0.1; closed at teardown.

    Options are those of `tests.kit.index_server.IndexServer` (json_api, metadata,
    advertise_metadata, range_requests, absolute_urls, auth, file_options, faults, ...).
    """
    servers: list[IndexServer] = []

    def factory(files: Iterable[Path] = (), **options: Any) -> IndexServer:
        server = IndexServer(files, **options)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()
