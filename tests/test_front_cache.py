"""The front cache: a repeated request answered before Flask, told apart by every header that shapes an
answer, never for conditional, ranged, credentialed or bodied requests, emptied by writes, off with the
results cache."""

from __future__ import annotations

import http.client
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.crash import GRAPH, make_store
from graph.store import OxigraphStore
from server.app import create_app
from server.cache import CACHE_ATTRIBUTE
from server.front_cache import HIT_TIMING, MAX_REQUEST_CHARS, FrontCache
from server.testing import ServedProcess, sample_store

TOKEN = "front-cache-token"
LABELS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l"
JSON = "application/sparql-results+json"
CSV = "text/csv"


@pytest.fixture()
def app() -> Iterator[Flask]:
    store = OxigraphStore()
    store.bulk_load(sample_store().quads())
    application = create_app({"STORE": store, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None})
    yield application
    application.extensions["inviolable"].pool.close()


def _reaching_flask(app: Flask) -> list[str]:
    """The paths of the requests the front cache passes on to the application, from now on."""
    front = app.wsgi_app
    assert isinstance(front, FrontCache)
    passed: list[str] = []
    application = front.application

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        passed.append(environ["PATH_INFO"])
        return application(environ, start_response)

    front.application = counted
    return passed


def _query(client: FlaskClient, text: str = LABELS, accept: str = JSON, **headers: str) -> Any:
    return client.get(f"/sparql?query={quote(text)}", headers={"Accept": accept, **headers})


def _headers(response: Any) -> dict[str, str]:
    return {key: value for key, value in response.headers.items() if key not in ("Date", "Server-Timing")}


def test_front_cache_answers_a_repeated_request_without_reaching_flask(app: Flask) -> None:
    client = app.test_client()
    first = _query(client)
    passed = _reaching_flask(app)
    again = _query(client, **{"User-Agent": "another client"})
    assert passed == [] and again.status_code == 200
    assert again.get_data() == first.get_data() and _headers(again) == _headers(first)
    assert again.headers["Server-Timing"] == HIT_TIMING
    page = client.get("/id/state/atlantis", headers={"Accept": "text/turtle"})
    assert client.get("/id/state/atlantis", headers={"Accept": "text/turtle"}).get_data() == page.get_data()
    assert passed == ["/id/state/atlantis"]  # the page once, its replay not


def test_front_cache_tells_requests_apart_by_every_header_that_shapes_an_answer(app: Flask) -> None:
    client = app.test_client()
    as_json, as_csv = _query(client, accept=JSON), _query(client, accept=CSV)
    assert as_json.content_type.startswith(JSON) and as_csv.content_type.startswith(CSV)
    assert _query(client, accept=CSV).get_data() == as_csv.get_data()
    assert _query(client, accept=JSON).get_data() == as_json.get_data()
    other = _query(client, LABELS.replace("ORDER BY ?s ?l", "ORDER BY DESC(?s) ?l"))
    assert other.get_data() != as_json.get_data()
    html = client.get("/id/state/atlantis", headers={"Accept": "text/html"})
    turtle = client.get("/id/state/atlantis", headers={"Accept": "text/turtle"})
    assert html.content_type.startswith("text/html") and turtle.content_type.startswith("text/turtle")
    assert client.get("/id/state/atlantis", headers={"Accept": "text/html"}).get_data() == html.get_data()


@pytest.mark.parametrize("header", [{"If-None-Match": "*"}, {"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"},
                                    {"Range": "bytes=0-3"}, {"Authorization": f"Bearer {TOKEN}"}])
def test_front_cache_passes_conditional_ranged_and_credentialed_requests_on(app: Flask, header: dict[str, str]) -> None:
    client = app.test_client()
    _query(client)
    passed = _reaching_flask(app)
    answer = _query(client, **header)
    assert passed == ["/sparql"]
    if "If-None-Match" in header or "If-Modified-Since" in header:
        assert answer.status_code == 304


def test_front_cache_keeps_only_answers_from_the_results_cache(app: Flask) -> None:
    client = app.test_client()
    passed = _reaching_flask(app)
    for _ in range(2):
        assert _query(client, "SELECT * WHERE { ?s ?p }").status_code == 400
        assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200  # the service description
        assert client.get("/id/state/nowhere").status_code == 404
    assert passed == ["/sparql", "/sparql", "/id/state/nowhere"] * 2
    assert len(app.wsgi_app) == 0  # type: ignore[arg-type]


def test_front_cache_misses_when_the_results_cache_let_the_body_go(app: Flask) -> None:
    client = app.test_client()
    first = _query(client)
    getattr(app.extensions["inviolable"], CACHE_ATTRIBUTE).clear()
    passed = _reaching_flask(app)
    again = _query(client)
    assert passed == ["/sparql"] and again.get_data() == first.get_data()


def test_front_cache_forgets_every_answer_on_a_write() -> None:
    app = create_app({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None})
    client = app.test_client()
    everything = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"  # a written graph is not in the default union
    before = _query(client, everything, accept=CSV).get_data(as_text=True)
    update = ('INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/new> '
              '<http://www.w3.org/2000/01/rdf-schema#label> "Written after" } }')
    written = client.post("/sparql", data=update, headers={"Content-Type": "application/sparql-update",
                                                           "Authorization": f"Bearer {TOKEN}"})
    assert written.status_code == 200, written.get_data(as_text=True)
    assert len(app.wsgi_app) == 0  # type: ignore[arg-type]
    after = _query(client, everything, accept=CSV).get_data(as_text=True)
    app.extensions["inviolable"].pool.close()
    assert "Written after" in after and "Written after" not in before


def test_front_cache_is_off_with_the_results_cache() -> None:
    application = create_app({"STORE": OxigraphStore(), "QUERY_WORKERS": 1, "SOURCES": None, "RESULT_CACHE": 0})
    try:
        assert not isinstance(application.wsgi_app, FrontCache)
    finally:
        application.extensions["inviolable"].pool.close()


def test_front_cache_replays_through_gunicorn_on_one_connection_with_the_first_answers_headers(
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    make_store(store, incidents=2)
    environment = {"INVIOLABLE_WRITE_TOKEN": TOKEN, "INVIOLABLE_QUERY_WORKERS": "1", "INVIOLABLE_SOURCES": ""}
    count = "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    with ServedProcess(store, environment=environment) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        answers = []
        for _ in range(3):  # one kept-alive connection: a replay's framing must let the next request through
            connection.request("GET", count, headers={"Accept": "text/csv"})
            response = connection.getresponse()
            answers.append((response.status, response.getheaders(), response.read()))
        connection.close()
        update = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:front:a> <urn:front:b> "c" }} }}'
        request = urllib.request.Request(f"{server.url}/sparql", data=update.encode(), method="POST", headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=30) as written:
            assert written.status == 200
        with urllib.request.urlopen(urllib.request.Request(server.url + count, headers={"Accept": "text/csv"}),
                                    timeout=30) as after:
            counted_after = after.read()
    (first_status, first_headers, first_body), *replays = answers
    assert first_status == 200
    for status, headers, body in replays:
        names = [name.lower() for name, _ in headers]
        assert status == 200 and body == first_body and names.count("date") == 1
        assert dict(headers).get("Server-Timing") == HIT_TIMING
        unchanging = {"date", "server-timing"}
        assert ([(n, v) for n, v in headers if n.lower() not in unchanging]
                == [(n, v) for n, v in first_headers if n.lower() not in unchanging])
    before, after_write = int(first_body.split()[-1]), int(counted_after.split()[-1])
    assert after_write == before + 1


def test_front_cache_holds_long_and_many_distinct_requests_to_its_bound(app: Flask) -> None:
    client = app.test_client()
    front = app.wsgi_app
    assert isinstance(front, FrontCache)
    padded = "ASK { ?s ?p ?o } # " + "x" * MAX_REQUEST_CHARS  # each such text would be a new name
    for n in range(3):
        assert _query(client, padded + str(n)).status_code == 200
    assert len(front) == 0
    front.replays.max_bytes = 4_000
    for n in range(40):
        assert _query(client, f"ASK {{ ?s ?p {n} }}").status_code == 200
    assert 0 < len(front) < 40 and front.replays.size <= front.replays.max_bytes
