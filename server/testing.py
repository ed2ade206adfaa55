"""A live server on loopback for tests and benchmarks: a real socket, a free port, stopped on exit."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from server.app import create_app


class LiveServer:
    """Serve ``create_app(config)`` on ``127.0.0.1`` at a free port in a background thread.

    >>> from graph.store import OxigraphStore
    >>> with LiveServer({"STORE": OxigraphStore(), "QUERY_WORKERS": 1}) as live:
    ...     live.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.app = create_app(config)
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="live-server")

    @property
    def url(self) -> str:
        """The server's root URL, without a trailing slash."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_port

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.extensions["inviolable"].pool.close()
