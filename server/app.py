"""The Flask application factory: configuration, state, blueprints, error shape, CORS."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask, Response, request

from server import bodies, cache, errors, writes
from server.blueprints import dumps, graph_store, pages, sparql, ui, wellknown
from server.conditional import data_version
from server.config import configure
from server.errors import ApiError
from server.front_cache import FrontCache
from server.request import ServerRequest
from server.state import EXTENSION_KEY, create_state

_READ_METHODS = "GET, HEAD, POST, OPTIONS"


def _headers(response: Response) -> Response:
    # Pages load nothing from elsewhere; saying so to the browser also blocks injected content.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    return _cors(response)


def _cors(response: Response) -> Response:
    # Reads are open to any origin; Authorization is not an allowed header, so writes stay same-origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = _READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    :param config: settings overriding the defaults and ``INVIOLABLE_*`` variables (see :mod:`server.config`);
        ``STORE`` may be an :class:`graph.store.OxigraphStore` to serve an in-memory store.
    :raises ApiError: 503 when the configured store cannot be opened.
    """
    app = Flask(__name__)
    app.request_class = ServerRequest
    configure(app, config)
    state = create_state(app)
    app.extensions[EXTENSION_KEY] = state
    atexit.register(state.pool.close)
    writes.recover(state, writes.journal_directory_of(app.config))
    errors.register(app)
    bodies.install(app)
    for module in (sparql, wellknown, pages, dumps, graph_store, ui):
        app.register_blueprint(module.blueprint)

    @app.before_request
    def _limit_url() -> None:
        if len(request.query_string) > app.config["MAX_BODY_BYTES"]:
            raise ApiError(414, f"the URL's query string is longer than {app.config['MAX_BODY_BYTES']} "
                                "bytes; send the query with POST")

    app.after_request(_headers)
    if cache.enabled(app.config):
        app.wsgi_app = FrontCache(app.wsgi_app, state, lambda: data_version(state)[0])  # type: ignore[method-assign]
    return app
