"""The server's settings: defaults, then ``INVIOLABLE_*`` environment variables, then explicit config.

Keys (each also read from the environment with the ``INVIOLABLE_`` prefix):

- ``STORE``: store directory made by ``inviolable build``, or an :class:`OxigraphStore` object (tests).
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
- ``QUERY_MEMORY_MB``: memory each query worker may allocate beyond what it starts with (default 1024).
- ``REQUIRE_SANDBOX``: refuse to start when query workers cannot be network-confined (default false).
- ``CLIENT_QUERIES``: queries one client (address, or write token) may have running at once (default 4).
- ``MAX_QUERY_DEPTH``: deepest nesting of brackets a query or update may have (default 64).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from graph.config import PROJECT_ROOT, settings

DEFAULT_QUERIES = PROJECT_ROOT / "graph" / "queries"


def defaults() -> dict[str, Any]:
    """The settings when nothing is configured, taken from :mod:`graph.config`."""
    base = settings()
    return {
        "STORE": base.store,
        "SOURCES": base.sources,
        "WRITE_TOKEN": base.write_token,
        "QUERY_TIMEOUT": base.query_timeout,
        "BASE_IRI": base.base_iri,
        "QUERY_WORKERS": max(2, os.cpu_count() or 2),
        "MAX_BODY_BYTES": 2 * 1024 * 1024,
        "MAX_RESULT_BYTES": 50_000_000,
        "QUERIES": DEFAULT_QUERIES,
        "QUERY_MEMORY_MB": 1024,
        "REQUIRE_SANDBOX": False,
        "CLIENT_QUERIES": 4,
        "MAX_QUERY_DEPTH": 64,
        "ALLOW_DESTRUCTIVE": False, "DESTRUCTIVE_SHARE": 0.1, "DESTRUCTIVE_FLOOR": 10,
        "UPDATE_TIMEOUT": None, "JOURNAL": None,
    }


def configure(app: Flask, config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``config``, normalising the types.

    :raises ValueError: when a numeric setting is not a positive number.
    """
    app.config.update(defaults())
    app.config.from_prefixed_env(prefix="INVIOLABLE")
    # from_prefixed_env parses values as JSON; a token such as "true" or "123" must stay the string it is.
    for key in ("WRITE_TOKEN", "BASE_IRI"):
        if f"INVIOLABLE_{key}" in os.environ:
            app.config[key] = os.environ[f"INVIOLABLE_{key}"]
    if config:
        app.config.update(config)
    for key in ("SOURCES", "QUERIES"):
        if isinstance(app.config[key], str):
            app.config[key] = Path(app.config[key]) if app.config[key] else None
    if isinstance(app.config["STORE"], str):
        app.config["STORE"] = Path(app.config["STORE"])
    token = app.config["WRITE_TOKEN"]
    app.config["WRITE_TOKEN"] = str(token) if token not in (None, "") else None
    app.config["BASE_IRI"] = str(app.config["BASE_IRI"])
    for key, kind in (("QUERY_TIMEOUT", float), ("QUERY_WORKERS", int), ("MAX_BODY_BYTES", int),
                      ("MAX_RESULT_BYTES", int), ("QUERY_MEMORY_MB", int), ("CLIENT_QUERIES", int),
                      ("MAX_QUERY_DEPTH", int)):
        value = kind(app.config[key])
        if value <= 0:
            raise ValueError(f"INVIOLABLE_{key} must be a positive number, not {app.config[key]!r}")
        app.config[key] = value
    app.config["REQUIRE_SANDBOX"] = str(app.config["REQUIRE_SANDBOX"]).lower() in ("true", "1", "yes")
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.config["ALLOW_DESTRUCTIVE"] = str(app.config["ALLOW_DESTRUCTIVE"]).lower() in ("1", "true", "yes")
