"""Repeated requests answered before Flask: the response headers of a cached answer, kept by request.

The results cache (:mod:`server.cache`) spares a worker, but a cached answer still went through
Flask's request and response objects, the routing, the protocol reading and the negotiation: most of
the web process's time per answer under load. :class:`FrontCache` is a WSGI layer in front of the
application that remembers, for a GET request as it arrived (path, query string and every header but
the few that never shape an answer), the status and headers the application sent and the results
cache's key of the body. The same request at the same data version is answered with those headers
and the body from the results cache, without entering Flask.

What it keeps is small: headers and names, at most ``MAX_ENTRIES`` requests and ``MAX_BYTES`` of
their texts, and no request longer than ``MAX_REQUEST_CHARS`` (so distinct long queries cannot grow
it); the bodies stay in the results cache and its ``RESULT_CACHE_MB`` bound, so a body evicted there
is a miss here too. Only answers the application marked as coming from the results cache are kept
(:func:`mark`), only ``200`` ones, and never for a request that is conditional, asks for a range,
carries credentials or has a body. The data version is part of the request's name, and
:func:`server.cache.forget` empties it with the results cache on every write. Switched off with the
results cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from server.cache import CACHE_ATTRIBUTE, FRONT_ATTRIBUTE, Entry, ResultCache, text_length

#: Where the application leaves the results cache's key and data version of a cacheable answer.
MARK = "inviolable.cached_answer"
MAX_ENTRIES = 4096
#: The texts (names and headers) the front cache holds at most, and the longest request it remembers.
MAX_BYTES = 8 * 2**20
MAX_REQUEST_CHARS = 16_384

#: Request headers that never shape an answer (hop-by-hop ones, and who is asking from where).
_IGNORED = frozenset({"HTTP_CONNECTION", "HTTP_KEEP_ALIVE", "HTTP_USER_AGENT", "HTTP_REFERER"})
#: A request with any of these is passed to the application: it may be answered 304 or 206, or be a write.
_PASSED = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
           "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_AUTHORIZATION", "HTTP_TRANSFER_ENCODING")
#: The ``Server-Timing`` of every answer from the results cache, replayed or not.
HIT_TIMING = "cache;desc=hit"
#: Response headers not kept: the server adds its own date, and a replay was not timed.
_DROPPED = frozenset({"date", "server-timing"})


@dataclass(frozen=True)
class Replay:
    """How to answer one request again: the status line, the headers, and the body's name in the results cache."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body_key: Hashable
    etag: str


def mark(environ: dict[str, Any], body_key: Hashable, version: str) -> None:
    """Say that the answer to this request is the results cache's entry ``body_key`` at ``version``."""
    environ[MARK] = (body_key, version)


def replayable(environ: dict[str, Any]) -> bool:
    """Whether a request may be answered from a replay: a GET without a body, conditions, ranges or credentials."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("CONTENT_LENGTH") not in (None, "", "0"):
        return False
    return not any(name in environ for name in _PASSED)


def request_name(environ: dict[str, Any], version: str) -> tuple:
    """What names a :func:`replayable` request's answer here.

    >>> base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=ASK{}",
    ...         "HTTP_ACCEPT": "text/csv", "HTTP_USER_AGENT": "curl"}
    >>> request_name(base, "1") == request_name({**base, "HTTP_USER_AGENT": "wget"}, "1")
    True
    >>> request_name(base, "1") == request_name({**base, "HTTP_ACCEPT": "text/tsv"}, "1")
    False
    >>> replayable(base), replayable({**base, "HTTP_IF_NONE_MATCH": '"x"'})
    (True, False)
    """
    headers = tuple(sorted((name, value) for name, value in environ.items()
                           if name.startswith("HTTP_") and name not in _IGNORED))
    return (version, environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""), environ.get("CONTENT_TYPE", ""), headers)


class FrontCache:
    """The WSGI layer: answers a known request from its :class:`Replay`, else asks the application and learns."""

    def __init__(self, application: Callable[..., Iterable[bytes]], holder: Any,
                 version: Callable[[], str], *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.application = application
        self.holder = holder
        self.version = version
        self.replays = ResultCache(max_bytes=max_bytes, max_entries=max_entries, weigh=_weight)
        setattr(holder, FRONT_ATTRIBUTE, self)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not replayable(environ):
            return self.application(environ, start_response)
        try:
            version = self.version()
        except Exception:  # noqa: BLE001 - an engine that cannot say its version: the application answers the error
            return self.application(environ, start_response)
        name = request_name(environ, version)
        body = self._body(name)
        if body is not None:
            replay, entry = body
            start_response(replay.status, list(replay.headers))
            return [entry.body]
        sent: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        answer = self.application(environ, capture)
        marked = environ.get(MARK)
        if marked is not None and marked[1] == version and sent.get("status", "").startswith("200 "):
            headers = tuple((key, value) for key, value in sent["headers"] if key.lower() not in _DROPPED)
            headers += (("Server-Timing", HIT_TIMING),)
            etag = next((value for key, value in headers if key.lower() == "etag"), "")
            self._keep(name, Replay(sent["status"], headers, marked[0], etag))
        return answer

    def _body(self, name: tuple) -> tuple[Replay, Entry] | None:
        replay = self.replays.get(name)
        if replay is None:
            return None
        results = getattr(self.holder, CACHE_ATTRIBUTE, None)
        entry = results.get(replay.body_key) if results is not None else None
        if entry is None or entry.etag != replay.etag:
            return None
        return replay, entry

    def _keep(self, name: tuple, replay: Replay) -> None:
        if text_length(name) <= MAX_REQUEST_CHARS:
            self.replays.put(name, replay)

    def clear(self) -> None:
        """Forget every request (a write changed the data)."""
        self.replays.clear()

    def __len__(self) -> int:
        return len(self.replays)


def _weight(name: Hashable, replay: Replay) -> int:
    return text_length(name) + text_length(replay.headers)


__all__ = ["HIT_TIMING", "MARK", "MAX_BYTES", "MAX_ENTRIES", "MAX_REQUEST_CHARS", "FrontCache", "Replay", "mark",
           "replayable", "request_name"]
