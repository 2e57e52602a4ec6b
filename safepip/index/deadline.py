"""An overall deadline for an HTTP exchange, enforced by closing its socket.

Socket timeouts bound the wait for *each* read, so a server that sends one byte every few seconds
never trips them, and a check between reads runs only when a read returns: http.client reads a
whole header line, urllib3 a whole chunk, before either gives control back. The deadline is
therefore enforced from outside: one watchdog thread per process shuts down the sockets of the
exchanges whose time is up, which makes the blocked read return at once; the `with` block then
raises a NetworkError that says so.

A `Deadline` is either fixed (pages, metadata: `seconds` in all) or rate-based (file downloads:
`seconds` plus one more second for every `min_rate` bytes received, so a big file on a slow but
steady link finishes, while a trickle is cut off after `seconds`).

Connections join the deadlines active on their thread when they connect or send a request
(`WatchedConnection`, mixed into urllib3's connection classes by `watch_pools`), and only the
deadline that last took a connection may close it: a pooled connection handed to another exchange
is never cut by the previous one's deadline.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from functools import cache
from types import TracebackType
from typing import Any

from safepip.errors import NetworkError
from safepip.index.httpbase import HttpOptions

_local = threading.local()


def _active() -> list[Deadline]:
    stack: list[Deadline] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def active_deadline() -> bool:
    """Whether an exchange on this thread is already under a deadline."""
    return bool(getattr(_local, "stack", None))


def session_options(session: object) -> HttpOptions:
    """The session's HttpOptions (the defaults for a plain requests.Session)."""
    options = getattr(session, "http_options", None)
    return options if isinstance(options, HttpOptions) else HttpOptions()


def fetch_deadline(session: object) -> float:
    """The seconds a page or metadata fetch may take in all."""
    return session_options(session).fetch_deadline


def report_progress(received: int) -> None:
    """`received` more body bytes arrived on this thread (rate-based deadlines move on)."""
    for deadline in getattr(_local, "stack", ()):
        deadline.progress(received)


class Deadline:
    """`with Deadline(seconds, where):` bounds everything the block sends and receives."""

    def __init__(self, seconds: float, where: str, *, min_rate: float | None = None) -> None:
        self.seconds = seconds
        self.where = where
        """What is fetched, already redacted (it goes into the error)."""
        self.min_rate = min_rate
        self.received = 0
        self.started = time.monotonic()
        self.at = self.started + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._connections: list[Any] = []

    def progress(self, received: int) -> None:
        self.received += received
        if self.min_rate:
            self.at = self.started + self.seconds + self.received / self.min_rate

    def watch(self, connection: Any) -> None:
        """Let this deadline close `connection` (its newest exchange) when time is up."""
        with self._lock:
            if self.expired:
                raise TimeoutError("the overall deadline has passed")
            connection.safepip_deadline = self
            if connection not in self._connections:
                self._connections.append(connection)

    def expire(self) -> None:
        """Time is up (the watchdog calls this): cut every connection still ours."""
        with self._lock:
            self.expired = True
            connections, self._connections = self._connections, []
        for connection in connections:
            if getattr(connection, "safepip_deadline", None) is self:
                _shut(getattr(connection, "sock", None))

    def __enter__(self) -> Deadline:
        _active().append(self)
        _WATCHDOG.add(self)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        _WATCHDOG.remove(self)
        stack = _active()
        if self in stack:  # by identity: a generator may close after another block began
            stack.remove(self)
        with self._lock:
            self._connections = []
        if self.expired and (error is None or isinstance(error, Exception)):
            raise NetworkError(self._sentence(), hint=self._hint()) from None

    def _sentence(self) -> str:
        elapsed = time.monotonic() - self.started
        if self.min_rate:
            return (f"Downloading {self.where} stalled: after {elapsed:.0f} s it had not kept "
                    f"up with {self.min_rate / 1024:g} KiB/s, the least safepip accepts after "
                    f"the first {self.seconds:g} s; the server is sending too slowly, perhaps "
                    "on purpose.")
        return (f"Fetching {self.where} took longer than its {self.seconds:g} s deadline; the "
                "server is sending too slowly, perhaps on purpose.")

    @staticmethod
    def _hint() -> str:
        return "Nothing was installed. Retry later, or use another index or mirror."


def _shut(sock: object) -> None:
    # socket.socket.shutdown, not SSLSocket's (which also drops the TLS object under the
    # reading thread): the blocked read returns, the TLS layer reports the closed socket.
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread, started on first use, expiring deadlines as they fall due."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._deadlines: set[Deadline] = set()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._condition:
            self._deadlines.add(deadline)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="safepip-deadline",
                                                daemon=True)
                self._thread.start()
            self._condition.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._condition:
            self._deadlines.discard(deadline)  # waking early for nothing is harmless

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for deadline in [d for d in self._deadlines if d.at <= now]:
                    self._deadlines.discard(deadline)
                    deadline.expire()
                upcoming = min((d.at for d in self._deadlines), default=None)
                self._condition.wait(None if upcoming is None else upcoming - now)


_WATCHDOG = _Watchdog()


class WatchedConnection:
    """Mixed into a urllib3 connection class: joins this thread's deadlines before it
    connects and before each request it sends."""

    def connect(self) -> None:
        self._join_deadlines()
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._join_deadlines()
        super().request(*args, **kwargs)  # type: ignore[misc]

    def _join_deadlines(self) -> None:
        for deadline in getattr(_local, "stack", ()):
            deadline.watch(self)


@cache
def _watched_pool(pool_class: type[Any]) -> type[Any]:
    connection_class = pool_class.ConnectionCls
    if issubclass(connection_class, WatchedConnection):
        return pool_class
    watched = type(f"Watched{connection_class.__name__}",
                   (WatchedConnection, connection_class), {})
    return type(f"Watched{pool_class.__name__}", (pool_class,), {"ConnectionCls": watched})


def watch_pools(manager: Any) -> Any:
    """Make `manager` (a urllib3 PoolManager, proxy and SOCKS managers included) build
    connections that deadlines can cut; returns it."""
    manager.pool_classes_by_scheme = {
        scheme: _watched_pool(pool_class)
        for scheme, pool_class in manager.pool_classes_by_scheme.items()
    }
    return manager
