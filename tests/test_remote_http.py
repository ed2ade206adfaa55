"""The remote engine's HTTP client: a 404 while the engine checkpoints is sent again, a wrong URL still fails."""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import pytest

import graph.remote_http
from graph.remote_http import Client, RemoteError
from graph.remote_store import RemoteStore
from server.testing import loopback_http

_RESULTS = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/s"}}]}}'


class _Checkpointing(http.server.BaseHTTPRequestHandler):
    """``/sparql`` answers 404 to its first two requests, as Virtuoso does while it checkpoints."""

    refusals = 2
    seen = 0

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        type(self).seen += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/sparql") and type(self).seen > type(self).refusals:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(_RESULTS)
            return
        self.send_response(404)
        self.end_headers()
        self.wfile.write(b"The requested URL was not found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def checkpointing_engine() -> Iterator[str]:
    _Checkpointing.seen = 0
    with loopback_http(_Checkpointing) as url:
        yield url


def test_remote_http_not_found_while_checkpointing_is_sent_again(checkpointing_engine: str) -> None:
    store = RemoteStore(f"{checkpointing_engine}/sparql")
    rows = list(store.query("SELECT ?s { ?s ?p ?o }", default_graphs=["http://e/g"], timeout=10))
    assert [row["s"].value for row in rows] == ["http://e/s"]  # type: ignore[index,union-attr]
    assert _Checkpointing.seen == 3


def test_remote_http_a_wrong_url_still_fails(checkpointing_engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph.remote_http, "NOT_FOUND_WINDOW", 0.5)
    with pytest.raises(RemoteError) as refused:
        Client().request("POST", f"{checkpointing_engine}/wrong", body=b"", timeout=10)
    assert refused.value.status == 404
    assert _Checkpointing.seen > 1
