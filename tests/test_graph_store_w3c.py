"""The W3C SPARQL 1.1 Graph Store HTTP Protocol suite, replayed over HTTP against a writable server.

Each test runs on a fresh server (the suite's tests assume they start from an empty store). The
one test the server fails on purpose is ``put_get_default``: the default graph is a project graph,
so the suite's data (a ``foaf:Person`` without the project's IRI form or labels) is refused by the
shapes with 422, as documented in docs/server.md.
"""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from graph.store import OxigraphStore
from server.testing import LiveServer
from tests.conftest import SHARED, require

SUITE = SHARED / "conformance" / "sparql11-graph-store-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
TOKEN = "gsp-token"
STATUS = {"OK": (200,), "Created": (201,), "NoContent": (204,), "NotFound": (404,),
          "StatusCode2xx": tuple(range(200, 300))}
#: Tests expected to fail, with the reason (the server's documented policy).
REFUSED = {"put_get_default": "the default graph is a project graph: the shapes refuse the suite's data"}


def _manifests() -> list[tuple[str, Graph, URIRef]]:
    found = []
    for name in ("manifest-direct.ttl", "manifest-indirect.ttl"):
        path = SUITE / name
        if not path.is_file():
            continue
        graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
        manifest = next(graph.subjects(RDF.type, MF.Manifest))
        for test in Collection(graph, graph.value(manifest, MF.entries)):
            found.append((str(test).rsplit("#", 1)[-1], graph, test))
    return found


TESTS = _manifests()


def _request(port: int, method: str, path: str, headers: dict[str, str],
             body: bytes | None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def replay(graph: Graph, test: URIRef) -> list[str]:
    """Run one test's requests in order on a fresh writable server; the list of failures (empty: passed)."""
    failures: list[str] = []
    with LiveServer({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1,
                     "SOURCES": None}) as live:
        location: dict[str, str] = {}
        action = graph.value(test, MF.action)
        for number, step in enumerate(Collection(graph, graph.value(action, HT.requests)), 1):
            method = str(graph.value(step, HT.methodName))
            path = str(graph.value(step, HT.absolutePath)).replace("/gsp", "/graph-store", 1)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            for header in Collection(graph, graph.value(step, HT.headers) or URIRef(str(RDF.nil))):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body_node = graph.value(step, HT.body)
            body = str(graph.value(body_node, CNT.chars)) if body_node is not None else None
            for key, value in location.items():
                path = path.replace(key, value)
                body = body.replace(key, value) if body is not None else None
            status, answer, payload = _request(live.port, method, path, headers,
                                               body.encode() if body is not None else None)
            expected = graph.value(step, HT.resp)
            allowed = {code for status_node in graph.objects(expected, MF.expectedStatus)
                       for code in STATUS[str(status_node)[len(HTS):]]}
            where = f"request {number} ({method} {path})"
            if status not in allowed:
                failures.append(f"{where}: status {status}, expected {sorted(allowed)}: {payload[:200]!r}")
                break
            template = graph.value(expected, MF.expectedLocation)
            if template is not None:
                if "location" not in answer:
                    failures.append(f"{where}: no Location header")
                    break
                location[str(template)] = answer["location"]
            for header in Collection(graph, graph.value(expected, HT.headers) or URIRef(str(RDF.nil))):
                field, value = str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue))
                if answer.get(field.lower(), "").replace(" ", "").lower() != value.replace(" ", "").lower():
                    failures.append(f"{where}: {field} is {answer.get(field.lower())!r}, expected {value!r}")
            expected_body = graph.value(expected, HT.body)
            if expected_body is not None:
                wanted = Graph().parse(data=str(graph.value(expected_body, CNT.chars)), format="turtle")
                got = Graph().parse(data=payload, format="turtle")
                if not isomorphic(wanted, got):
                    failures.append(f"{where}: the graph differs: {payload[:300]!r}")
    return failures


@pytest.mark.parametrize(("name", "graph", "test"), TESTS, ids=[name for name, _, _ in TESTS])
def test_graph_store_w3c_case(name: str, graph: Graph, test: URIRef) -> None:
    failures = replay(graph, test)
    if name in REFUSED:
        assert failures and "422" in failures[0], f"{name} was expected to be refused: {REFUSED[name]}"
    else:
        assert not failures, "; ".join(failures)


def test_graph_store_w3c_suite_is_present_and_mostly_passed() -> None:
    require(Path(SUITE / "manifest.ttl").is_file(), f"Graph Store Protocol suite not found at {SUITE}")
    assert len(TESTS) == 13
    # The exemptions name tests of the suite, and no more than one of them.
    assert set(REFUSED) <= {name for name, _, _ in TESTS}
    assert len(TESTS) - len(REFUSED) >= 12


def test_graph_store_user_graphs_stay_out_of_the_union() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with LiveServer({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None}) as live:
        mine = "<http://e/mine/doc> a <http://xmlns.com/foaf/0.1/Person> ."
        status, _, body = _request(live.port, "PUT", "/graph-store?graph=http://e/mine",
                                   {"Content-Type": "text/turtle", **auth}, mine.encode())
        assert status == 201, body
        ask = "/sparql?query=ASK%20%7B%20%3Chttp%3A%2F%2Fe%2Fmine%2Fdoc%3E%20%3Fp%20%3Fo%20%7D"
        named = ("/sparql?query=ASK%20%7B%20GRAPH%20%3Chttp%3A%2F%2Fe%2Fmine%3E%20"
                 "%7B%20%3Chttp%3A%2F%2Fe%2Fmine%2Fdoc%3E%20%3Fp%20%3Fo%20%7D%20%7D")
        assert b'"boolean":false' in _request(live.port, "GET", ask, {}, None)[2].replace(b" ", b"")
        assert b'"boolean":true' in _request(live.port, "GET", named, {}, None)[2].replace(b" ", b"")
        project = "/graph-store?graph=https://w3id.org/inviolable/graph/notes"
        status, _, body = _request(live.port, "PUT", project, {"Content-Type": "text/turtle", **auth}, mine.encode())
        assert status == 422 and b"does not conform" in body


def test_graph_store_multipart_post_adds_every_part() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    boundary = "b0undary"
    parts = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"; filename=\"{n}.ttl\"\r\n"
                    f"Content-Type: text/turtle\r\n\r\n<http://e/s> <http://e/p> {n} .\r\n" for n in (1, 2))
    body = (parts + f"--{boundary}--\r\n").encode()
    with LiveServer({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None}) as live:
        status, _, answer = _request(live.port, "POST", "/graph-store?graph=http://e/parts",
                                     {"Content-Type": f"multipart/form-data; boundary={boundary}", **auth}, body)
        assert status == 201, answer
        status, _, data = _request(live.port, "GET", "/graph-store?graph=http://e/parts",
                                   {"Accept": "application/n-triples"}, None)
        assert status == 200 and len(data.strip().splitlines()) == 2
        bad = body.replace(b"Content-Type: text/turtle", b"Content-Type: image/png", 1)
        status, _, answer = _request(live.port, "POST", "/graph-store?graph=http://e/parts",
                                     {"Content-Type": f"multipart/form-data; boundary={boundary}", **auth}, bad)
        assert status == 415 and b"part" in answer
