"""Fair shares of the query workers: each client may have only so many queries running at once.

A client is its bearer token when it presents the server's write token, else its address (a random
token names no one, so it cannot buy a fresh share). Past its share a client gets 429 with
``Retry-After`` at once, without waiting; everyone else keeps being served. The client is also
recorded for the query pool, whose full slow lane gives up the place of the client holding the most.

When ``inviolable serve`` runs several web processes, their counts live in one table of shared
memory (:class:`SharedCounts`, made before the processes are forked), so that a client's share is
the same whichever process its requests reach.
"""

from __future__ import annotations

import contextvars
import ctypes
import hashlib
import hmac
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Request, current_app

from server.errors import TooManyQueries

EXTENSION_KEY = "inviolable-fairness"
# The client whose query is being run, for the pool's slow lane (server.pool): "" for the server's own queries.
_CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("inviolable_client", default="")


def current_client() -> str:
    """The client the running code answers (set by :func:`fair_share`), or "" outside any client's query."""
    return _CLIENT.get()


@contextmanager
def acting_for(client: str) -> Iterator[None]:
    """Run the body as the given client's, for :func:`current_client`."""
    token = _CLIENT.set(client)
    try:
        yield
    finally:
        _CLIENT.reset(token)


class SharedCounts:
    """Running queries by client, in shared memory: every process forked after it is made sees one table.

    A row is a client (by a 64-bit hash of its name), a process and that process's count; a client's
    count is the sum of its rows. Rows of a process that has died are dropped when found, so a web
    process killed mid-query does not leave its client's share taken.

    :param places: rows in the table: at least the requests that can run at once in all processes.
    """

    def __init__(self, places: int) -> None:
        context = multiprocessing.get_context("fork")
        self._keys = context.RawArray(ctypes.c_uint64, places)
        self._pids = context.RawArray(ctypes.c_int32, places)
        self._counts = context.RawArray(ctypes.c_int32, places)
        self._lock = context.Lock()

    @staticmethod
    def _key(client: str) -> int:
        return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big") or 1

    def running(self, client: str) -> int:
        """How many queries ``client`` has running now, in every process."""
        key = self._key(client)
        with self._lock:
            return sum(self._counts[row] for row in self._rows_of(key))

    def take(self, client: str, limit: int) -> bool:
        """Count one more query of ``client`` unless it already has ``limit`` running; True when counted."""
        key, pid = self._key(client), os.getpid()
        with self._lock:
            rows = self._rows_of(key)
            if sum(self._counts[row] for row in rows) >= limit:
                return False
            own = next((row for row in rows if self._pids[row] == pid), None)
            if own is None:
                own = self._free_row()
                self._keys[own], self._pids[own], self._counts[own] = key, pid, 0
            self._counts[own] += 1
            return True

    def give(self, client: str) -> None:
        """Count one query of ``client`` in this process fewer."""
        key, pid = self._key(client), os.getpid()
        with self._lock:
            for row in self._rows_of(key):
                if self._pids[row] == pid:
                    self._counts[row] -= 1
                    if self._counts[row] <= 0:
                        self._clear(row)
                    return

    def _rows_of(self, key: int) -> list[int]:
        rows = []
        for row in range(len(self._keys)):
            if self._keys[row] == key:
                if self._dead(row):
                    self._clear(row)
                    continue
                rows.append(row)
        return rows

    def _free_row(self) -> int:
        for row in range(len(self._keys)):
            if self._keys[row] == 0:
                return row
        for row in range(len(self._keys)):  # full: drop the rows of processes that have died
            if self._dead(row):
                self._clear(row)
                return row
        raise RuntimeError("the shared table of running queries is full")

    def _dead(self, row: int) -> bool:
        return self._pids[row] != os.getpid() and not _alive(self._pids[row])

    def _clear(self, row: int) -> None:
        self._keys[row] = self._pids[row] = self._counts[row] = 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


class _LocalCounts:
    """Running queries by client, in this process only (one web process)."""

    def __init__(self) -> None:
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def running(self, client: str) -> int:
        with self._lock:
            return self._running.get(client, 0)

    def take(self, client: str, limit: int) -> bool:
        with self._lock:
            held = self._running.get(client, 0)
            if held >= limit:
                return False
            self._running[client] = held + 1
            return True

    def give(self, client: str) -> None:
        with self._lock:
            left = self._running[client] - 1
            if left:
                self._running[client] = left
            else:
                del self._running[client]


class ClientLimiter:
    """Counts the running queries of each client.

    :param limit: queries one client may have running at once.
    :param retry_after: seconds suggested to a refused client.
    :param shared: a table shared with the other web processes, or None to count in this process only.
    """

    def __init__(self, limit: int, *, retry_after: int = 1, shared: SharedCounts | None = None) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self._counts: SharedCounts | _LocalCounts = shared if shared is not None else _LocalCounts()

    def running(self, client: str) -> int:
        """How many queries a client has running now."""
        return self._counts.running(client)

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the client's slots for the duration of a ``with`` block.

        :raises TooManyQueries: when the client already holds all of its slots.
        """
        if not self._counts.take(client, self.limit):
            raise TooManyQueries(self.limit, self.retry_after)
        try:
            yield
        finally:
            self._counts.give(client)


def client_of(request: Request, write_token: str | None) -> str:
    """The identity a request's queries are counted under.

    >>> from werkzeug.test import EnvironBuilder
    >>> from flask import Request
    >>> plain = Request(EnvironBuilder(environ_base={"REMOTE_ADDR": "127.0.0.9"}).get_environ())
    >>> client_of(plain, "t")
    'address 127.0.0.9'
    >>> forged = Request(EnvironBuilder(headers={"Authorization": "Bearer x"}).get_environ())
    >>> client_of(forged, "t").startswith("address")
    True
    """
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if write_token and scheme.lower() == "bearer" and hmac.compare_digest(credential.strip(), write_token):
        return "token " + hashlib.sha256(write_token.encode()).hexdigest()[:16]
    return f"address {request.remote_addr or 'unknown'}"


def limiter() -> ClientLimiter:
    """The current application's limiter, made on first use from ``CLIENT_QUERIES`` (and ``CLIENT_COUNTS``,
    the table shared by several web processes, when ``inviolable serve`` made one)."""
    extensions = current_app.extensions
    found = extensions.get(EXTENSION_KEY)
    if found is None:
        found = extensions.setdefault(EXTENSION_KEY, ClientLimiter(current_app.config["CLIENT_QUERIES"],
                                                                   shared=current_app.config.get("CLIENT_COUNTS")))
    return found


@contextmanager
def fair_share(request: Request) -> Iterator[None]:
    """Run the body as one of the requesting client's queries.

    :raises TooManyQueries: when the client already has ``CLIENT_QUERIES`` queries running.
    """
    client = client_of(request, current_app.config.get("WRITE_TOKEN"))
    with limiter().slot(client), acting_for(client):
        yield
