"""Query answers over HTTP with validators: from the results cache when there, ``304`` when unchanged.

:func:`lookup` runs before a query is sent to a worker: it names the answer (see
:mod:`server.cache`) and returns the cached one if any. :func:`CachedQuery.finish` adds ``ETag``,
``Last-Modified`` and ``Cache-Control`` to a fresh answer, keeps it, and answers
``If-None-Match`` / ``If-Modified-Since`` with ``304 Not Modified`` (GET and HEAD only).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from flask import Response, current_app, request
from werkzeug.http import http_date

from server.cache import Entry, ResultCache, cache_control, cache_for, etag_of, make_key
from server.front_cache import HIT_TIMING, mark
from server.state import state
from server.worker import QueryJob


@dataclass
class CachedQuery:
    """One query's name in the cache, the data date it answers for, and the cached answer if any."""

    key: Hashable
    cache: ResultCache | None
    modified: datetime
    entry: Entry | None = None
    version: str = ""

    def cached(self) -> Response | None:
        """The cached answer as a response (maybe a 304), or None when the query must run."""
        if self.entry is None:
            return None
        response = Response(self.entry.body, content_type=self.entry.content_type)
        response.headers["Server-Timing"] = HIT_TIMING
        return self._validated(response, self.entry.etag)

    def finish(self, response: Response) -> Response:
        """Add validators to a fresh answer, keep it in the cache, and make it conditional."""
        body = response.get_data()
        etag = etag_of(body)
        if self.cache is not None:
            self.cache.put(self.key, Entry(body, response.content_type or "", etag))
        return self._validated(response, etag)

    def _validated(self, response: Response, etag: str) -> Response:
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = _http_date(self.modified)
        response.headers["Cache-Control"] = cache_control(current_app.config)
        response.headers["Vary"] = "Accept"
        if self.cache is not None:
            mark(request.environ, self.key, self.version)  # the front cache may answer this request again
        return response.make_conditional(request)


@lru_cache(maxsize=16)
def _http_date(moment: datetime) -> str:
    # The data's date changes only with a write: formatted once, not for every answer.
    return http_date(moment)


def data_version(server: Any) -> tuple[str, datetime]:
    """The version the cache names answers by (build generation and store version) and the data's date."""
    with server.lock:
        return f"{server.generation}:{server.store.version()}", server.modified


def lookup(job: QueryJob, formats: tuple[ox.QueryResultsFormat | ox.RdfFormat | None, ...]) -> CachedQuery:
    """Name ``job``'s answer in the formats negotiated, at the current data version, and look it up.

    :raises ValueError: when the cache size setting is not a positive number.
    """
    server = state()
    version, modified = data_version(server)
    cache = cache_for(server, current_app.config)
    if cache is None:
        return CachedQuery("", None, modified)
    # JSON-LD bodies are shaped by the Accept header's profile, so it is part of their name.
    accept = request.headers.get("Accept", "") if ox.RdfFormat.JSON_LD in formats else ""
    media = tuple(getattr(fmt, "media_type", None) for fmt in formats)
    key = make_key(job.sparql, dataset=(job.dataset, tuple(job.default_graphs or ()), tuple(job.named_graphs or ())),
                   formats=(*media, accept), base_iri=job.base_iri or "", version=version)
    return CachedQuery(key, cache, modified, cache.get(key), version)


def page(name: tuple, render: Callable[[], Response]) -> Response:
    """A rendered page (an entity's HTML or RDF) from the results cache, else ``render()`` kept there.

    ``name`` says what the body depends on besides the data (path, format, and what else shapes it);
    the data version completes the key, so a write makes every page render again. With the cache
    switched off every request renders; validators and 304s either way. Only 200 answers are kept
    (``render`` raises for the others).
    """
    server = state()
    version, modified = data_version(server)
    cache = cache_for(server, current_app.config)
    key = ("page", *name, version)
    answer = CachedQuery(key, cache, modified, cache.get(key) if cache is not None else None, version)
    cached = answer.cached()
    if cached is not None:
        return cached
    return answer.finish(render())


__all__ = ["CachedQuery", "data_version", "lookup", "page"]
