"""The server in-process: protocol details, content negotiation, errors, pages, dumps, VoID, Graph Store."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from cli.commands.serve import get_once
from graph.store import GraphStore
from server.app import create_app
from server.testing import SAMPLE_INCIDENT, sample_store
from tests.conftest import require_sources

BASE = "https://w3id.org/inviolable/"
SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
ACTOR = ox.NamedNode(BASE + "ontology#actor")
ATLANTIS = ox.NamedNode(BASE + "id/state/atlantis")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, sample_engine_store: GraphStore) -> Iterator[Flask]:
    queries = tmp_path_factory.mktemp("queries")
    (queries / "cq-01.rq").write_text("# Which incidents are there?\nSELECT ?i WHERE { ?i a inv:Incident }\n")
    (queries / "cq-02.rq").write_text("# Which states?\nSELECT ?s WHERE { ?s a inv:State }\n")
    application = create_app({"STORE": sample_engine_store, "QUERY_WORKERS": 2, "SOURCES": None, "QUERIES": queries,
                              "MAX_BODY_BYTES": 4096})
    yield application
    application.extensions["inviolable"].pool.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def _json(response) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(response.get_data())


def test_sparql_query_by_get_post_form_and_post_direct(client: FlaskClient) -> None:
    by_get = client.get(f"/sparql?query={quote(SELECT)}")
    by_form = client.post("/sparql", data={"query": SELECT})
    by_direct = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert by_get.status_code == by_form.status_code == by_direct.status_code == 200
    assert by_get.get_data() == by_form.get_data() == by_direct.get_data()
    labels = {b["label"]["value"] for b in _json(by_get)["results"]["bindings"]}
    assert {"Atlantis", "Atlántida", "Sample raid on the embassy"} <= labels


@pytest.mark.parametrize(("query", "accept", "expected"), [
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "*/*", "application/sparql-results+json"),
    (SELECT, "application/json", "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "text/csv", "text/csv"),
    (SELECT, "text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    (SELECT, "text/*", "text/csv"),
    ("ASK { ?s ?p ?o }", "application/sparql-results+xml", "application/sparql-results+xml"),
    (CONSTRUCT, None, "text/turtle"),
    (CONSTRUCT, "application/n-triples", "application/n-triples"),
    (CONSTRUCT, "text/plain", "application/n-triples"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/n-quads", "application/n-quads"),
    (CONSTRUCT, "application/trig", "application/trig"),
    (CONSTRUCT, "application/sparql-results+json;q=0.9, text/turtle;q=0.1", "text/turtle"),
    ("DESCRIBE <https://w3id.org/inviolable/id/state/atlantis>", "application/n-triples", "application/n-triples"),
])
def test_sparql_conneg_picks_format(client: FlaskClient, query: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/sparql?query={quote(query)}", headers=headers)
    assert response.status_code == 200, response.get_data()
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("fmt", "expected"), [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                               ("srx", "application/sparql-results+xml")])
def test_sparql_format_parameter_overrides_accept(client: FlaskClient, fmt: str, expected: str) -> None:
    response = client.get(f"/sparql?query={quote(SELECT)}&format={fmt}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == expected


def test_sparql_construct_parses_back_triple_by_triple(client: FlaskClient) -> None:
    query = f"CONSTRUCT {{ <{SAMPLE_INCIDENT}> ?p ?o }} WHERE {{ <{SAMPLE_INCIDENT}> ?p ?o }}"
    response = client.get(f"/sparql?query={quote(query)}", headers={"Accept": "application/n-triples"})
    triples = _triples(response.get_data(), ox.RdfFormat.N_TRIPLES)
    incident = ox.NamedNode(SAMPLE_INCIDENT)
    assert ox.Triple(incident, ACTOR, ATLANTIS) in triples
    assert ox.Triple(incident, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Allanamiento de muestra de la embajada", language="es")) in triples


def test_sparql_union_default_graph_unless_request_names_one(client: FlaskClient) -> None:
    ask = quote("ASK { ?s a inv:Incident }")
    union = _json(client.get(f"/sparql?query={ask}"))
    named = _json(client.get(f"/sparql?query={ask}&default-graph-uri={quote(BASE + 'graph/reference')}"))
    chosen = _json(client.get(f"/sparql?query={ask}&default-graph-uri={quote(BASE + 'graph/sample')}"))
    own = quote(f"ASK FROM <{BASE}graph/reference> {{ ?s a inv:Incident }}")
    from_clause = _json(client.get(f"/sparql?query={own}"))
    assert (union["boolean"], named["boolean"], chosen["boolean"], from_clause["boolean"]) == (True, False, True, False)


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "message"), [
    ("GET", "/sparql?query=ASK%20%7B", {}, 400, "syntax error"),
    ("GET", "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", {}, 400, "exactly one"),
    ("POST", "/sparql", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "both a query and an update"),
    ("GET", "/sparql?update=CLEAR%20ALL", {}, 400, "POST"),
    ("POST", "/sparql", {"data": "ASK {}", "content_type": "text/plain"}, 415, "text/plain"),
    ("POST", "/sparql", {"data": "ASK {}"}, 415, "no Content-Type"),
    ("POST", "/sparql", {"data": b"ASK { ?s ?p '\xff' }", "content_type": "application/sparql-query"}, 415, "UTF-8"),
    ("POST", "/sparql", {"data": "ASK {}", "content_type": "application/sparql-query; charset=UTF-16"}, 415,
     "UTF-16"),
    ("POST", "/sparql", {"data": "CLEAR ALL", "content_type": "application/sparql-update"}, 403, "read-only"),
    ("PUT", "/graph-store?default", {"data": "", "content_type": "text/turtle"}, 403, "read-only"),
    ("GET", "/id/state/nowhere", {}, 404, "nothing is known"),
    ("GET", "/dumps/nothing.zip", {}, 404, "no dump"),
    ("GET", "/graph-store?graph=http://e/missing", {}, 404, "no graph"),
    ("GET", f"/sparql?query={quote(SELECT)}", {"headers": {"Accept": "image/png"}}, 406, "acceptable"),
    ("GET", f"/sparql?query={quote(CONSTRUCT)}", {"headers": {"Accept": "text/csv"}}, 406, "RDF graph"),
    ("GET", "/id/state/atlantis", {"headers": {"Accept": "image/png"}}, 406, "acceptable"),
    ("POST", "/sparql", {"data": "ASK {} #" + "x" * 5000, "content_type": "application/sparql-query"}, 413,
     "larger than"),
    ("GET", "/sparql?query=" + "x" * 5000, {}, 414, "POST"),
    ("PUT", "/sparql", {"data": "ASK {}"}, 405, "method"),
    ("GET", "/sparql?query=" + quote("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), {}, 400, "SERVICE"),
])
def test_server_bad_input_gets_status_and_message(client: FlaskClient, method: str, path: str, kwargs: dict,
                                                   status: int, message: str) -> None:
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data()
    body = _json(response)
    assert body["ok"] is False and body["status"] == status
    assert message.lower() in body["error"].lower()


def test_server_error_is_html_for_browsers(client: FlaskClient) -> None:
    response = client.get("/id/state/nowhere", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"nothing is known" in response.get_data()


def test_sparql_get_without_query_is_service_description_or_page(client: FlaskClient) -> None:
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    triples = _triples(description.get_data(), ox.RdfFormat.TURTLE)
    endpoint = ox.NamedNode("http://localhost/sparql")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    assert ox.Triple(endpoint, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")) in triples
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b'id="query-form"' in page.get_data()


def test_void_counts_endpoint_and_dumps(client: FlaskClient, app: Flask) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    triples = _triples(response.get_data(), ox.RdfFormat.N_TRIPLES)
    void = "http://rdfs.org/ns/void#"
    dataset = ox.NamedNode("http://localhost/.well-known/void#dataset")
    store = app.extensions["inviolable"].store
    distinct = {(q.subject, q.predicate, q.object) for q in store.quads()}
    count = ox.Literal(str(len(distinct)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert ox.Triple(dataset, ox.NamedNode(void + "triples"), count) in triples
    assert ox.Triple(dataset, ox.NamedNode(void + "sparqlEndpoint"), ox.NamedNode("http://localhost/sparql")) in triples
    assert ox.Triple(dataset, ox.NamedNode(void + "dataDump"),
                     ox.NamedNode("http://localhost/dumps/inviolable.nq")) in triples


def test_sparql_cors_for_reads(client: FlaskClient) -> None:
    response = client.get(f"/sparql?query={quote('ASK {}')}", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST"})
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(("accept", "suffix", "fmt"), [
    ("text/turtle", "", ox.RdfFormat.TURTLE),
    ("application/ld+json", "", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "", ox.RdfFormat.RDF_XML),
    ("*/*", "", ox.RdfFormat.TURTLE),
    ("text/html", ".ttl", ox.RdfFormat.TURTLE),
    ("text/html", ".nt", ox.RdfFormat.N_TRIPLES),
    ("text/html", ".jsonld", ox.RdfFormat.JSON_LD),
    ("text/html", ".rdf", ox.RdfFormat.RDF_XML),
])
def test_pages_entity_rdf_by_accept_or_suffix(client: FlaskClient, accept: str, suffix: str,
                                               fmt: ox.RdfFormat) -> None:
    response = client.get(f"/id/incident/2024-04-05-sample-raid{suffix}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert response.headers["Vary"] == "Accept"
    assert 'rel="alternate"' in response.headers["Link"]
    triples = _triples(response.get_data(), fmt)
    incident = ox.NamedNode(SAMPLE_INCIDENT)
    assert ox.Triple(incident, ACTOR, ATLANTIS) in triples
    assert ox.Triple(ox.NamedNode(BASE + "id/event/2024-04-06-sample-protest"),
                     ox.NamedNode(BASE + "ontology#respondsTo"), incident) in triples


def test_pages_entity_html_shows_labels_types_links_and_evidence(client: FlaskClient) -> None:
    response = client.get("/id/incident/2024-04-05-sample-raid", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and response.headers["Vary"] == "Accept"
    assert "Sample raid on the embassy" in page and "Allanamiento de muestra de la embajada" in page
    assert "inv:Incident" in page
    assert 'href="/id/state/atlantis"' in page and 'href="/id/event/2024-04-06-sample-protest"' in page
    assert "characters 399–433" in page
    assert 'href="/timeline/2024-04-05-sample-raid"' in page


def test_pages_entity_html_quotes_evidence_when_sources_configured(app: Flask) -> None:
    sources = require_sources()
    quoting = create_app({"STORE": sample_store(), "QUERY_WORKERS": 1, "SOURCES": sources})
    try:
        page = quoting.test_client().get("/id/incident/2024-04-05-sample-raid",
                                         headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        quoting.extensions["inviolable"].pool.close()
    document = next(p for p in Path(sources).glob("000_*.txt")).read_text(encoding="utf-8")
    assert f"<blockquote>{document[399:433]}</blockquote>" in page


def test_pages_timeline_lists_events_in_date_order(client: FlaskClient) -> None:
    page = client.get("/timeline/2024-04-05-sample-raid").get_data(as_text=True)
    page = page[page.index('id="timeline"'):]
    positions = [page.index(label) for label in ("A prelude", "Sample raid on the embassy", "Lemuria protests")]
    assert positions == sorted(positions)
    assert "2023-12" in page and "characters 434–487" in page
    assert client.get("/timeline/no-such-incident").status_code == 404


def test_dumps_have_etag_last_modified_and_gzip(client: FlaskClient, app: Flask) -> None:
    plain = client.get("/dumps/inviolable.nq")
    assert plain.status_code == 200 and plain.headers["ETag"] and plain.headers["Last-Modified"]
    quads = list(ox.parse(plain.get_data(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(app.extensions["inviolable"].store)
    again = client.get("/dumps/inviolable.nq", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    packed = client.get("/dumps/inviolable.nq.gz")
    assert packed.mimetype == "application/gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    for name, fmt in [("inviolable.trig", ox.RdfFormat.TRIG), ("inviolable.ttl", ox.RdfFormat.TURTLE),
                      ("inviolable.jsonld", ox.RdfFormat.JSON_LD)]:
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 200 and list(ox.parse(response.get_data(), format=fmt))
    assert "inviolable.nq.gz" in client.get("/dumps/").get_data(as_text=True)


def test_graph_store_reads_named_and_default_graph(client: FlaskClient) -> None:
    named = client.get(f"/graph-store?graph={quote(BASE + 'graph/reference')}",
                       headers={"Accept": "application/n-triples"})
    triples = _triples(named.get_data(), ox.RdfFormat.N_TRIPLES)
    assert ox.Triple(ATLANTIS, LABEL, ox.Literal("Atlantis", language="en")) in triples
    assert not any(t.subject.value == SAMPLE_INCIDENT for t in triples)
    # ?default is the store's own default graph (empty here), for reading as for writing.
    default = client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert default.status_code == 200 and not _triples(default.get_data(), ox.RdfFormat.N_TRIPLES)
    assert client.get("/graph-store").status_code == 400


def test_ui_query_page_examples_come_from_the_queries_folder(client: FlaskClient) -> None:
    examples = _json(client.get("/examples.json"))["examples"]
    assert [(e["name"], e["question"]) for e in examples] == [("cq-01", "Which incidents are there?"),
                                                              ("cq-02", "Which states?")]
    page = client.get("/query").get_data(as_text=True)
    assert "query.js" in page and "cdn" not in page.lower()


def test_ui_home_lists_incidents(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/timeline/2024-04-05-sample-raid"' in page


def test_server_result_too_large_is_an_error_not_a_truncated_200() -> None:
    small = create_app({"STORE": sample_store(), "QUERY_WORKERS": 1, "MAX_RESULT_BYTES": 200})
    try:
        response = small.test_client().get(f"/sparql?query={quote(SELECT)}")
    finally:
        small.extensions["inviolable"].pool.close()
    assert response.status_code == 507
    assert "limit of 200 bytes" in _json(response)["error"]


def test_serve_get_prints_one_response_without_a_socket() -> None:
    status, content_type, body = get_once({"STORE": sample_store(), "QUERY_WORKERS": 1},
                                          f"/sparql?query={quote('ASK { ?s a inv:Incident }')}")
    assert (status, content_type, json.loads(body)["boolean"]) == (200, "application/sparql-results+json", True)


def test_server_config_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_QUERY_TIMEOUT", "3.5")
    monkeypatch.setenv("INVIOLABLE_WRITE_TOKEN", "true")
    monkeypatch.setenv("INVIOLABLE_QUERY_WORKERS", "1")
    configured = create_app({"STORE": sample_store()})
    try:
        assert configured.config["QUERY_TIMEOUT"] == 3.5
        assert configured.config["WRITE_TOKEN"] == "true"
        assert configured.extensions["inviolable"].pool.size == 1
        assert configured.extensions["inviolable"].writable is True
    finally:
        configured.extensions["inviolable"].pool.close()


def test_pages_never_link_non_web_iris_and_forbid_outside_content() -> None:
    store = sample_store()
    store.load(b"<https://w3id.org/inviolable/id/state/atlantis> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
               b"<javascript:alert(1)> .", format=ox.RdfFormat.N_TRIPLES, graph=BASE + "graph/extra")
    hostile = create_app({"STORE": store, "QUERY_WORKERS": 1})
    try:
        response = hostile.test_client().get("/id/state/atlantis", headers={"Accept": "text/html"})
    finally:
        hostile.extensions["inviolable"].pool.close()
    page = response.get_data(as_text=True)
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
