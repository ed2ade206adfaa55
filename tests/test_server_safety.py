"""Safety on a live server: no outbound connections, deadlines, validated writes, limits."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from graph.store import OxigraphStore
from server.testing import ConnectionCounter, LiveServer, ServedProcess, disk_store, sample_store
from tests.conftest import MakeApp

BASE_GRAPH = "https://w3id.org/inviolable/graph/"

TOKEN = "safety-token"


def _request(port: int, method: str, path: str, *, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body.encode() if body is not None else None, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else {}
    finally:
        connection.close()


def _big_store() -> OxigraphStore:
    store = OxigraphStore()
    store.bulk_load_quads(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(i),
                                  ox.NamedNode(BASE_GRAPH + "g")) for i in range(300))
    return store


@pytest.fixture(scope="module")
def writable() -> Iterator[LiveServer]:
    with LiveServer({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 2, "SOURCES": None,
                     "QUERY_TIMEOUT": 2}) as live:
        yield live


@pytest.mark.parametrize("kind", ["query", "update"])
def test_server_refuses_service_and_load_without_outbound_connections(writable: LiveServer, kind: str) -> None:
    listener = ConnectionCounter()
    try:
        target = listener.url
        if kind == "query":
            texts = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                     f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
                     f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}sparql> {{ ?s ?q ?r }} }} }}"]
            for text in texts:
                status, body = _request(writable.port, "GET", f"/sparql?query={quote(text)}")
                assert status == 400 and "SERVICE" in body["error"]
            harmless = [f"ASK FROM <{target}> {{ ?s ?p ?o }}", f"DESCRIBE <{target}>"]
            for text in harmless:
                status, _ = _request(writable.port, "GET", f"/sparql?query={quote(text)}")
                assert status == 200
        else:
            texts = [f"LOAD <{target}>", f"load silent <{target}> into graph <http://e/g>",
                     f"INSERT DATA {{ <http://e/a> <http://e/b> 1 }} ; LOAD <{target}data.ttl>"]
            for text in texts:
                status, body = _request(writable.port, "POST", "/sparql", body=text,
                                        headers={"Content-Type": "application/sparql-update",
                                                 "Authorization": f"Bearer {TOKEN}"})
                assert status == 400 and "LOAD" in body["error"]
        time.sleep(0.3)
        assert listener.count == 0
    finally:
        listener.close()


def test_server_stops_a_runaway_query_while_answering_others() -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with LiveServer({"STORE": _big_store(), "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 2}) as live:
        with ThreadPoolExecutor(max_workers=1) as background:
            began = time.monotonic()
            slow = background.submit(_request, live.port, "GET", f"/sparql?query={quote(runaway)}")
            time.sleep(0.2)
            latencies = []
            while not slow.done():
                start = time.monotonic()
                status, body = _request(live.port, "GET", f"/sparql?query={quote('ASK { ?s ?p 5 }')}")
                latencies.append(time.monotonic() - start)
                assert status == 200 and body["boolean"] is True
                time.sleep(0.1)
            status, body = slow.result()
            elapsed = time.monotonic() - began
        assert status == 503 and "deadline" in body["error"]
        assert 1.9 < elapsed < 5
        assert latencies and max(latencies) < 0.5
        status, body = _request(live.port, "GET", f"/sparql?query={quote('ASK { ?s ?p 7 }')}")
        assert status == 200 and body["boolean"] is True


def test_server_answers_others_while_several_runaways_hold_the_slow_lane() -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with LiveServer({"STORE": _big_store(), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 3, "CLIENT_QUERIES": 8}) as live:
        with ThreadPoolExecutor(max_workers=4) as background:
            runaways = []
            for _ in range(4):
                runaways.append(background.submit(_request, live.port, "GET", f"/sparql?query={quote(runaway)}"))
                time.sleep(0.4)
            latencies = []
            while not all(future.done() for future in runaways):
                start = time.monotonic()
                status, body = _request(live.port, "GET", f"/sparql?query={quote('ASK { ?s ?p 5 }')}")
                latencies.append(time.monotonic() - start)
                assert status == 200 and body["boolean"] is True
                time.sleep(0.1)
            statuses = [future.result()[0] for future in runaways]
        assert statuses == [503] * 4
        # With one worker and no slow lane, each of these would wait for a runaway's deadline (3 s).
        assert len(latencies) >= 5 and max(latencies) < 1.0


def _count(port: int) -> int:
    _, body = _request(port, "GET", "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}))
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_server_rejects_a_non_conforming_write_and_keeps_the_store(writable: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # A project graph: the shapes judge every write to it (a user's own graph would only be parsed).
    good = ("INSERT DATA { GRAPH <https://w3id.org/inviolable/graph/notes> "
            "{ <http://e/doc> a <http://xmlns.com/foaf/0.1/Document> } }")
    status, body = _request(writable.port, "POST", "/sparql", body=good,
                            headers={"Content-Type": "application/sparql-update", **auth})
    assert status == 200 and body["added"] == 1
    before = _count(writable.port)
    bad = "INSERT DATA { GRAPH <https://w3id.org/inviolable/graph/notes> { <http://e/vote> a inv:Vote } }"
    status, body = _request(writable.port, "POST", "/sparql", body=bad,
                            headers={"Content-Type": "application/sparql-update", **auth})
    assert status == 422 and "does not conform" in body["error"]
    assert body["report"]
    status, body = _request(writable.port, "PUT", "/graph-store?graph=https://w3id.org/inviolable/graph/notes",
                            body="<http://e/vote> a <https://w3id.org/inviolable/ontology#Vote> .",
                            headers={"Content-Type": "text/turtle", **auth})
    assert status == 422
    assert _count(writable.port) == before


def test_server_refuses_writes_without_the_token(writable: LiveServer) -> None:
    update = "INSERT DATA { <http://e/a> <http://e/b> 1 }"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        status, body = _request(writable.port, "POST", "/sparql", body=update,
                                headers={"Content-Type": "application/sparql-update", **headers})
        assert status == 403 and "bearer token" in body["error"]


def test_server_rejects_large_bodies_with_413() -> None:
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 1, "MAX_BODY_BYTES": 1000}) as live:
        status, body = _request(live.port, "POST", "/sparql", body="ASK {} #" + "x" * 2000,
                                headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and "1000 bytes" in body["error"]


def _runaway_store() -> OxigraphStore:
    store = OxigraphStore()
    store.bulk_load(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(i))
                    for i in range(300))
    return store


def test_server_answers_507_when_a_query_passes_its_memory_cap_and_replaces_the_worker() -> None:
    hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
    with LiveServer({"STORE": _runaway_store(), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 20,
                     "QUERY_MEMORY_MB": 64}) as live:
        began = time.monotonic()
        status, body = _request(live.port, "GET", f"/sparql?query={quote(hungry)}")
        assert status == 507 and body["status"] == 507 and body["ok"] is False
        assert "memory" in body["error"] and "64 MiB" in body["error"]
        assert time.monotonic() - began < 15
        status, body = _request(live.port, "GET", f"/sparql?query={quote('ASK { ?s ?p 5 }')}")
        assert status == 200 and body["boolean"] is True


def _request_from(source: str, port: int, path: str) -> tuple[int, dict, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else {}, dict(response.getheaders())
    finally:
        connection.close()


def test_server_gives_each_client_a_fair_share_of_running_queries() -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with LiveServer({"STORE": _runaway_store(), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 3,
                     "CLIENT_QUERIES": 2}) as live:
        with ThreadPoolExecutor(max_workers=2) as background:
            held = [background.submit(_request_from, "127.0.0.2", live.port, f"/sparql?query={quote(runaway)}")
                    for _ in range(2)]
            time.sleep(0.5)
            status, body, headers = _request_from("127.0.0.2", live.port, f"/sparql?query={quote(runaway)}")
            assert status == 429 and body["status"] == 429 and "2 queries running" in body["error"]
            assert headers["Retry-After"] == "1"
            latencies = []
            for _ in range(5):
                start = time.monotonic()
                status, body, _ = _request_from("127.0.0.1", live.port, f"/sparql?query={quote('ASK { ?s ?p 5 }')}")
                latencies.append(time.monotonic() - start)
                assert status == 200 and body["boolean"] is True
            assert [future.result()[0] for future in held] == [503, 503]
        assert max(latencies) < 1.0
        status, _, _ = _request_from("127.0.0.2", live.port, f"/sparql?query={quote('ASK { ?s ?p 5 }')}")
        assert status == 200


@pytest.mark.parametrize("depth", [65, 5000, 100_000])
@pytest.mark.parametrize("kind", ["braces", "parentheses", "brackets"])
def test_server_refuses_deep_nesting_with_400_before_parsing(depth: int, kind: str) -> None:
    text = {"braces": "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth,
            "parentheses": "ASK { FILTER(" + "(" * depth + "1" + ")" * depth + ") }",
            "brackets": "ASK { ?s ?p " + "[ ?q " * depth + "1" + " ]" * depth + " }"}[kind]
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 1, "MAX_BODY_BYTES": 10_000_000}) as live:
        status, body = _request(live.port, "POST", "/sparql", body=text,
                                headers={"Content-Type": "application/sparql-query"})
        assert status == 400 and "at most 64" in body["error"]
        assert int(body["error"].split(" levels deep")[0].rsplit(" ", 1)[1]) >= depth
        status, _ = _request(live.port, "GET", f"/sparql?query={quote('ASK { ?s ?p ?o }')}")
        assert status == 200


def test_server_answers_queries_nested_to_the_limit() -> None:
    depth = 64
    text = "ASK { FILTER(" + "(" * (depth - 2) + "1" + ")" * (depth - 2) + " = 1) }"
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 1}) as live:
        status, body = _request(live.port, "GET", f"/sparql?query={quote(text)}")
    assert status == 200 and body["boolean"] is True


@pytest.mark.parametrize("parameter, value", [
    ("default-graph-uri", "not an iri"), ("named-graph-uri", "relative/graph"), ("default-graph-uri", ""),
    ("named-graph-uri", "http://e/<bad>"), ("default-graph-uri", "http://e/a b"),
])
def test_server_refuses_bad_dataset_parameters_with_400(parameter: str, value: str) -> None:
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 1}) as live:
        query = urlencode({"query": "SELECT * WHERE { ?s ?p ?o }", parameter: value})
        status, body = _request(live.port, "GET", f"/sparql?{query}")
        assert status == 400 and parameter in body["error"] and "absolute IRI" in body["error"]
        status, body = _request(live.port, "POST", "/sparql?" + urlencode({parameter: value}),
                                body="ASK {}", headers={"Content-Type": "application/sparql-query"})
        assert status == 400 and parameter in body["error"]


def _raw(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


MALFORMED: dict[str, tuple[bytes, int | tuple[int, ...]]] = {
    "bad-header-name": (b"GET /sparql HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
    "header-without-colon": (b"GET /sparql HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400),
    "bad-request-line": (b"GET\r\n\r\n", 400),
    "bad-method": (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "bad-version": (b"GET / HTTP/9.x\r\nHost: x\r\n\r\n", 400),
    "both-lengths": (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"0\r\n\r\n", 400),
    "bad-chunk-size": (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n", 400),
    "unknown-coding": (b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", (400, 501)),
    "two-content-lengths": (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
                            400),
    "too-many-headers": (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(120)) + b"\r\n",
                         431),
    "header-too-long": (b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"y" * 20000 + b"\r\n\r\n", 431),
}


def test_server_gunicorn_errors_come_in_the_error_shape(tmp_path: Path) -> None:
    with ServedProcess(disk_store(tmp_path / "store"), environment={"INVIOLABLE_QUERY_WORKERS": "1"}) as server:
        wrong = []
        for name, (data, expected) in MALFORMED.items():
            status, headers, body = _raw(server.port, data)
            shaped = headers.get("content-type", "").startswith("application/json")
            payload = json.loads(body) if shaped else {}
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if status not in allowed or not shaped or payload.get("status") != status or payload.get("ok") is not False:
                wrong.append(f"{name}: {status} {headers.get('content-type')} {body[:80]!r}")
    assert not wrong, wrong


def test_server_refuses_to_start_unconfined_when_the_setting_requires_it(monkeypatch: pytest.MonkeyPatch,
                                                                          caplog: pytest.LogCaptureFixture,
                                                                          make_app: MakeApp) -> None:
    import server.sandbox
    from cli.commands import CommandError
    from cli.commands.serve import _create

    monkeypatch.setattr(server.sandbox, "_seccomp", lambda: "seccomp is not permitted here")
    monkeypatch.setenv("INVIOLABLE_REQUIRE_SANDBOX", "true")
    with pytest.raises(CommandError, match="cannot be network-confined .seccomp is not permitted here"):
        make_app({"STORE": OxigraphStore(), "QUERY_WORKERS": 1}, factory=_create)
    monkeypatch.delenv("INVIOLABLE_REQUIRE_SANDBOX")
    app = make_app({"STORE": OxigraphStore(), "QUERY_WORKERS": 1}, factory=_create)
    assert "NOT network-confined: seccomp is not permitted here" in caplog.text
    response = app.test_client().get("/sparql?" + urlencode(
        {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}))
    assert response.status_code == 400 and "SERVICE is refused" in response.get_json()["error"]
