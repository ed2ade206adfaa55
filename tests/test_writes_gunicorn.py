"""Chunked request bodies through the real server (gunicorn): over the limit is 413, nothing applied."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from bench.crash import GRAPH, make_store
from server.testing import ServedProcess

TOKEN = "chunk-token"
LIMIT = 8192
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
COUNT = "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def _request(port: int, method: str, path: str, *, chunks: list[bytes] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=iter(chunks) if chunks is not None else None,
                           headers=headers or {}, encode_chunked=chunks is not None)
        response = connection.getresponse()
        return response.status, response.read()
    except (ConnectionResetError, BrokenPipeError):
        return 0, b""
    finally:
        connection.close()


def _count(port: int) -> bytes:
    return _request(port, "GET", COUNT, headers={"Accept": "text/csv"})[1]


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    store = tmp_path_factory.mktemp("chunked") / "store"
    make_store(store, incidents=2)
    environment = {"INVIOLABLE_WRITE_TOKEN": TOKEN, "INVIOLABLE_QUERY_WORKERS": "1",
                   "INVIOLABLE_MAX_BODY_BYTES": str(LIMIT), "INVIOLABLE_SOURCES": ""}
    with ServedProcess(store, environment=environment) as server:
        yield server.port


def _triples(start: int, count: int) -> bytes:
    return " ".join(f'<urn:chunk:{n}> <{COMMENT}> "{n}" .' for n in range(start, start + count)).encode()


def test_writes_chunked_update_over_the_limit_gets_413_through_gunicorn(port: int) -> None:
    before = _count(port)
    chunks = [f"INSERT DATA {{ GRAPH <{GRAPH}> {{ ".encode()]
    chunks += [_triples(n * 100, 100) for n in range(10)] + [b" } }"]
    assert sum(map(len, chunks)) > LIMIT
    status, body = _request(port, "POST", "/sparql", chunks=chunks, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 413, body
    assert b'"status":413' in body.replace(b" ", b"")
    assert _count(port) == before


def test_writes_chunked_graph_store_put_over_the_limit_gets_413_through_gunicorn(port: int) -> None:
    before = _count(port)
    chunks = [_triples(n * 100, 100) for n in range(10)]
    status, _ = _request(port, "PUT", "/graph-store?graph=" + quote("urn:chunked", safe=""), chunks=chunks,
                         headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    assert status == 413
    assert _count(port) == before


def test_writes_chunked_update_under_the_limit_is_applied_through_gunicorn(port: int) -> None:
    chunks = [f"INSERT DATA {{ GRAPH <{GRAPH}> {{ ".encode(), _triples(0, 2), b" } }"]
    status, body = _request(port, "POST", "/sparql", chunks=chunks, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and b'"added": 2' in body
