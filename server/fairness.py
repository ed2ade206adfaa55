"""Fair shares of the query workers: each client may have only so many queries running at once.

A client is its bearer token when it presents the server's write token, else its address (a random
token names no one, so it cannot buy a fresh share). Past its share a client gets 429 with
``Retry-After`` at once, without waiting; everyone else keeps being served. The client is also
recorded for the query pool, whose full slow lane gives up the place of the client holding the most.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
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


class ClientLimiter:
    """Counts the running queries of each client.

    :param limit: queries one client may have running at once.
    :param retry_after: seconds suggested to a refused client.
    """

    def __init__(self, limit: int, *, retry_after: int = 1) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def running(self, client: str) -> int:
        """How many queries a client has running now."""
        with self._lock:
            return self._running.get(client, 0)

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the client's slots for the duration of a ``with`` block.

        :raises TooManyQueries: when the client already holds all of its slots.
        """
        with self._lock:
            held = self._running.get(client, 0)
            if held >= self.limit:
                raise TooManyQueries(self.limit, self.retry_after)
            self._running[client] = held + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]


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
    """The current application's limiter, made on first use from ``CLIENT_QUERIES``."""
    extensions = current_app.extensions
    found = extensions.get(EXTENSION_KEY)
    if found is None:
        found = extensions.setdefault(EXTENSION_KEY, ClientLimiter(current_app.config["CLIENT_QUERIES"]))
    return found


@contextmanager
def fair_share(request: Request) -> Iterator[None]:
    """Run the body as one of the requesting client's queries.

    :raises TooManyQueries: when the client already has ``CLIENT_QUERIES`` queries running.
    """
    client = client_of(request, current_app.config.get("WRITE_TOKEN"))
    with limiter().slot(client), acting_for(client):
        yield
