"""A loopback server that answers one byte at a time (a slow-drip attacker), bounded in time.

Each connection reads the request head, then sends the response byte by byte with `gap` seconds
between bytes: the whole response in `mode="headers"` (status line and headers dripped), or the
headers at once and then the body in `mode="body"`. `piece` bytes go per step (1 = a drip; more
= a slow but steady link). The server stops by itself after `lifetime` seconds or on close().
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class DripServer:
    body: bytes = b"x" * 4096
    gap: float = 0.2
    mode: str = "body"
    piece: int = 1
    lifetime: float = 20.0
    connections: int = 0
    closed_early: list[float] = field(default_factory=list)
    """For each connection the client cut: seconds from accept to the cut."""

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/pkg/"

    def file_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/files/{name}"

    def _serve(self) -> None:
        ends = time.monotonic() + self.lifetime
        while not self._stop.is_set() and time.monotonic() < ends:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(client, ends), daemon=True).start()
        self._listener.close()

    def _answer(self, client: socket.socket, ends: float) -> None:
        started = time.monotonic()
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n").encode("ascii")
        with client:
            client.settimeout(1.0)
            with contextlib.suppress(OSError):
                request = b""
                while b"\r\n\r\n" not in request:
                    data = client.recv(4096)
                    if not data:
                        return
                    request += data
                if self.mode == "body":
                    client.sendall(head)
                    dripped = self.body
                else:
                    dripped = head + self.body
                for start in range(0, len(dripped), self.piece):
                    if self._stop.wait(self.gap) or time.monotonic() > ends:
                        return
                    client.sendall(dripped[start:start + self.piece])
                return
            self.closed_early.append(time.monotonic() - started)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
