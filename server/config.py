"""The server's settings: :func:`graph.config.settings` (defaults and ``INVIOLABLE_*`` variables), then
explicit config.

Keys (each also read from the environment with the ``INVIOLABLE_`` prefix, by :mod:`graph.config`):

- ``STORE``: store directory made by ``inviolable build``, a remote engine's SPARQL query URL
  (``http(s)://…``), or a :class:`graph.store.GraphStore` object (tests).
- ``SOURCES``: documents directory, to quote evidence text on pages.
- ``WRITE_TOKEN``: bearer token enabling SPARQL Update and Graph Store writes.
- ``QUERY_TIMEOUT``: seconds before a query is stopped (default 10).
- ``BASE_IRI``: the IRI base whose ``id/…`` entities this server answers for.
- ``QUERY_WORKERS``: worker processes, hence queries running at once (default: CPU count, at least 2).
- ``MAX_BODY_BYTES``: largest request body (default 2 MiB); ``MAX_RESULT_BYTES``: largest result (50 MB).
- ``QUERIES``: folder of example queries (``cq-NN.rq``) shown on the query page.
- ``ALLOW_DESTRUCTIVE``: ``true`` lets writes empty protected graphs or remove more than
  ``DESTRUCTIVE_SHARE`` (default 0.1) of a graph; ``UPDATE_TIMEOUT``: seconds per write (default:
  QUERY_TIMEOUT); ``JOURNAL``: the write journal's folder (default ``STORE/journal``); RDF payloads
  are held to ``MAX_QUERY_DEPTH`` too. See docs/server.md, "Writes".
- ``QUERY_MEMORY_MB``: memory a query worker may allocate beyond what it holds with its store open (default 512).
- ``REQUIRE_SANDBOX``: refuse to start when query workers cannot be network-confined (default false).
- ``CLIENT_QUERIES``: queries one client (address, or write token) may have running at once (default 4).
- ``MAX_QUERY_DEPTH``: deepest nesting of brackets a query or update may have (default 64).
- ``SLOW_AFTER``: seconds a query runs before it moves to the slow lane (default 0.25); ``IDLE_AFTER``:
  seconds in the slow lane before it runs only on idle CPUs (default 1); ``SLOW_LANE``: slow queries
  that may run beside the pool (default 8 per query worker); ``SLOW_LANE_CPU``: share of one CPU the
  idle-class slow queries may use together while the server has other work (default 0.25). See
  :mod:`server.pool`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from graph.config import PROJECT_ROOT, settings, store_spec

DEFAULT_QUERIES = PROJECT_ROOT / "graph" / "queries"


def defaults() -> dict[str, Any]:
    """The settings when nothing is configured: :func:`graph.config.settings`, which reads the environment."""
    base = settings()
    return {
        "STORE": base.store,
        "SOURCES": base.sources,
        "WRITE_TOKEN": base.write_token,
        "QUERY_TIMEOUT": base.query_timeout,
        "BASE_IRI": base.base_iri,
        "QUERY_WORKERS": base.query_workers,
        "MAX_BODY_BYTES": base.max_body_bytes,
        "MAX_RESULT_BYTES": base.max_result_bytes,
        "QUERIES": DEFAULT_QUERIES,
        "QUERY_MEMORY_MB": 512,
        "REQUIRE_SANDBOX": False,
        "CLIENT_QUERIES": 4,
        "MAX_QUERY_DEPTH": 64,
        "SLOW_AFTER": 0.25,
        "IDLE_AFTER": 1.0,
        "SLOW_LANE": None,  # server.pool: 8 per query worker
        "SLOW_LANE_CPU": 0.25,
        **base.extras,
    }


def configure(app: Flask, config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the settings (defaults and environment), then ``config``, normalising the types.

    :raises ValueError: when a numeric setting is not a positive number.
    """
    app.config.update(defaults())
    if config:
        app.config.update(config)
    for key in ("SOURCES", "QUERIES"):
        if isinstance(app.config[key], str):
            app.config[key] = Path(app.config[key]) if app.config[key] else None
    if isinstance(app.config["STORE"], str):
        app.config["STORE"] = store_spec(app.config["STORE"])
    token = app.config["WRITE_TOKEN"]
    app.config["WRITE_TOKEN"] = str(token) if token not in (None, "") else None
    app.config["BASE_IRI"] = str(app.config["BASE_IRI"])
    for key in ("REQUIRE_SANDBOX", "ALLOW_DESTRUCTIVE"):
        if isinstance(app.config.get(key), str):
            app.config[key] = app.config[key].strip().lower() in ("1", "true", "yes", "on")
    for key, kind in (("QUERY_TIMEOUT", float), ("QUERY_WORKERS", int), ("MAX_BODY_BYTES", int),
                      ("MAX_RESULT_BYTES", int), ("QUERY_MEMORY_MB", int), ("CLIENT_QUERIES", int),
                      ("MAX_QUERY_DEPTH", int), ("SLOW_AFTER", float), ("IDLE_AFTER", float),
                      ("SLOW_LANE", int)):
        if app.config[key] is None and key == "SLOW_LANE":
            continue
        value = kind(app.config[key])
        if value <= 0:
            raise ValueError(f"INVIOLABLE_{key} must be a positive number, not {app.config[key]!r}")
        app.config[key] = value
    share = float(app.config["SLOW_LANE_CPU"])
    if not 0 <= share <= 1:
        raise ValueError(f"INVIOLABLE_SLOW_LANE_CPU must be between 0 and 1, not {app.config['SLOW_LANE_CPU']!r}")
    app.config["SLOW_LANE_CPU"] = share
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
