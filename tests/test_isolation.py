"""The suite's own guards work: non-loopback traffic fails loudly, pip config is ignored."""

from __future__ import annotations

import os
import socket

import pytest

from tests.kit.isolation import NetworkBlockedError


def test_non_loopback_connection_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect(("192.0.2.1", 443))


def test_public_name_lookup_is_refused() -> None:
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("pypi.org", 443)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def test_pip_configuration_is_isolated() -> None:
    assert os.environ["PIP_CONFIG_FILE"] == os.devnull
    assert not [k for k in os.environ if k.startswith("PIP_") and k not in {
        "PIP_CONFIG_FILE", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_NO_INPUT"}]
