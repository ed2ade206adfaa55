"""HTTP for the remote engine: one request under a whole-request deadline, with HTTP Digest
authentication, and the engine's refusals turned into Python exceptions.

A response is read completely before it is handed back, and a response that the engine marks as
partial (Virtuoso's ``X-SQL-State`` header on an "anytime" result cut at its time limit) is an
error, never data: the caller never sees a truncated result as a success. So is a result the
engine says it cut at its row limit (Virtuoso's ``X-SPARQL-MaxRows`` header, sent when
``ResultSetMaxRows`` applied).

Virtuoso answers ``404`` for its own endpoints while it writes a checkpoint (measured on 7.2:
every request during a bulk load's ``checkpoint``). Such a request was not run, so it is sent
again, within its deadline, for at most :data:`NOT_FOUND_WINDOW` seconds; a URL that is wrong
still fails, that much later.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

_CHUNK = 1 << 16
#: Header with which Virtuoso marks an incomplete ("anytime") result.
PARTIAL_HEADER = "X-SQL-State"
#: Header with which Virtuoso says it cut a result at its ``ResultSetMaxRows``.
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
#: Seconds during which a request answered 404 (the engine checkpointing) is sent again.
NOT_FOUND_WINDOW = 20.0
_RETRY_PAUSE = 0.1


@dataclass(frozen=True)
class Reply:
    """A complete HTTP response."""

    status: int
    content_type: str
    body: bytes


class RemoteError(OSError):
    """The remote engine refused or failed a request; ``status`` is its HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class ResultCut(RemoteError):
    """The engine's result reached its row limit: it may be incomplete, so it is not used."""

    def __init__(self, limit: int | str) -> None:
        super().__init__(f"the engine's answer reached its limit of {limit} rows, past which it cuts results "
                         "without saying so; narrow the query (LIMIT and OFFSET, more specific patterns) or use "
                         "the dumps")


class _Credentials(urllib.request.HTTPPasswordMgr):
    """The one user and password, for whichever realm and URL of the engine asks."""

    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self._pair = (user, password)

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:  # type: ignore[override]
        return self._pair


class EngineTimeout(TimeoutError):
    """The engine itself stopped the work at its time limit (and said so)."""


class Client:
    """Requests to one engine, authenticated when credentials are given.

    :param user: user name for the update and Graph Store endpoints (HTTP Digest authentication,
        as Virtuoso's ``/sparql-auth`` asks for; the password never crosses the wire).
    """

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.user, self.password = user, password
        self._anonymous = urllib.request.build_opener()
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None:
            handlers = [urllib.request.HTTPDigestAuthHandler(_Credentials(user, password or ""))]
        self._authenticated = urllib.request.build_opener(*handlers)

    def request(self, method: str, url: str, *, params: list[tuple[str, str]] | None = None,
                body: bytes | None = None, headers: dict[str, str] | None = None,
                authenticated: bool = False, timeout: float | None = None) -> Reply:
        """Send one request and read the whole answer before ``timeout`` seconds have passed.

        :raises TimeoutError: when the deadline passes, or the engine reports it stopped the work at its own limit.
        :raises RemoteError: on a refusal (4xx/5xx, with the engine's message) or when the engine cannot be reached.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        retry_until = time.monotonic() + NOT_FOUND_WINDOW
        while True:
            try:
                return self._send(method, url, params=params, body=body, headers=headers,
                                  authenticated=authenticated, deadline=deadline, timeout=timeout)
            except RemoteError as error:
                now = time.monotonic()
                if error.status != 404 or now + _RETRY_PAUSE > min(retry_until, deadline or retry_until):
                    raise
                time.sleep(_RETRY_PAUSE)

    def _send(self, method: str, url: str, *, params: list[tuple[str, str]] | None, body: bytes | None,
              headers: dict[str, str] | None, authenticated: bool, deadline: float | None,
              timeout: float | None) -> Reply:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        prepared = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        opener = self._authenticated if authenticated else self._anonymous
        try:
            with opener.open(prepared, timeout=_remaining(deadline)) as response:
                partial = response.headers.get(PARTIAL_HEADER)
                data = _read(response, deadline)
                if partial:
                    message = response.headers.get("X-SQL-Message", "")
                    raise EngineTimeout(f"the engine stopped the query at its time limit ({partial}: {message})")
                if (limit := response.headers.get(MAX_ROWS_HEADER)) is not None:
                    raise ResultCut(limit)
                return Reply(response.status, response.headers.get("Content-Type", ""), data)
        except urllib.error.HTTPError as error:
            detail = error.read(4096).decode("utf-8", "replace").strip()
            raise RemoteError(f"{method} {url.split('?')[0]} answered {error.code}: {detail}", error.code) from error
        except (EngineTimeout, ResultCut):
            raise
        except TimeoutError as error:
            raise TimeoutError(f"no complete answer from {url.split('?')[0]} within {timeout:g} s") from error
        except urllib.error.URLError as error:
            raise RemoteError(f"cannot reach {url.split('?')[0]}: {error.reason}") from error


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


def _read(response: object, deadline: float | None) -> bytes:
    chunks = []
    while True:
        _remaining(deadline)
        chunk = response.read(_CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def form(fields: list[tuple[str, str]]) -> tuple[bytes, dict[str, str]]:
    """A URL-encoded form body and its Content-Type header."""
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
