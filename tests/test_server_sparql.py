"""The ``/sparql`` blueprint in-process: the protocol, conneg, errors, the service description, CORS, limits."""

from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from cli.commands.serve import get_once
from graph.namespaces import BASE, INV
from server.testing import SAMPLE_INCIDENT, json_body, parse_triples, sample_store
from tests.conftest import MakeApp

SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
ACTOR = ox.NamedNode(INV["actor"])
ATLANTIS = ox.NamedNode(BASE + "id/state/atlantis")

def test_sparql_query_by_get_post_form_and_post_direct(sample_client: FlaskClient) -> None:
    by_get = sample_client.get(f"/sparql?query={quote(SELECT)}")
    by_form = sample_client.post("/sparql", data={"query": SELECT})
    by_direct = sample_client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert by_get.status_code == by_form.status_code == by_direct.status_code == 200
    assert by_get.get_data() == by_form.get_data() == by_direct.get_data()
    labels = {b["label"]["value"] for b in json_body(by_get)["results"]["bindings"]}
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
def test_sparql_conneg_picks_format(sample_client: FlaskClient, query: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = sample_client.get(f"/sparql?query={quote(query)}", headers=headers)
    assert response.status_code == 200, response.get_data()
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("fmt", "expected"), [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                               ("srx", "application/sparql-results+xml")])
def test_sparql_format_parameter_overrides_accept(sample_client: FlaskClient, fmt: str, expected: str) -> None:
    response = sample_client.get(f"/sparql?query={quote(SELECT)}&format={fmt}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == expected


def test_sparql_construct_parses_back_triple_by_triple(sample_client: FlaskClient) -> None:
    query = f"CONSTRUCT {{ <{SAMPLE_INCIDENT}> ?p ?o }} WHERE {{ <{SAMPLE_INCIDENT}> ?p ?o }}"
    response = sample_client.get(f"/sparql?query={quote(query)}", headers={"Accept": "application/n-triples"})
    triples = parse_triples(response.get_data(), ox.RdfFormat.N_TRIPLES)
    incident = ox.NamedNode(SAMPLE_INCIDENT)
    assert ox.Triple(incident, ACTOR, ATLANTIS) in triples
    assert ox.Triple(incident, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Allanamiento de muestra de la embajada", language="es")) in triples


def test_sparql_union_default_graph_unless_request_names_one(sample_client: FlaskClient) -> None:
    ask = quote("ASK { ?s a inv:Incident }")
    union = json_body(sample_client.get(f"/sparql?query={ask}"))
    named = json_body(sample_client.get(f"/sparql?query={ask}&default-graph-uri={quote(BASE + 'graph/reference')}"))
    chosen = json_body(sample_client.get(f"/sparql?query={ask}&default-graph-uri={quote(BASE + 'graph/sample')}"))
    own = quote(f"ASK FROM <{BASE}graph/reference> {{ ?s a inv:Incident }}")
    from_clause = json_body(sample_client.get(f"/sparql?query={own}"))
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
    ("GET", f"/sparql?query={quote(SELECT)}", {"headers": {"Accept": "image/png"}}, 406, "acceptable"),
    ("GET", f"/sparql?query={quote(CONSTRUCT)}", {"headers": {"Accept": "text/csv"}}, 406, "RDF graph"),
    ("POST", "/sparql", {"data": "ASK {} #" + "x" * 5000, "content_type": "application/sparql-query"}, 413,
     "larger than"),
    ("GET", "/sparql?query=" + "x" * 5000, {}, 414, "POST"),
    ("PUT", "/sparql", {"data": "ASK {}"}, 405, "method"),
    ("GET", "/sparql?query=" + quote("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), {}, 400, "SERVICE"),
])
def test_server_bad_input_gets_status_and_message(sample_client: FlaskClient, method: str, path: str, kwargs: dict,
                                                   status: int, message: str) -> None:
    response = sample_client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data()
    body = json_body(response)
    assert body["ok"] is False and body["status"] == status
    assert message.lower() in body["error"].lower()


def test_sparql_get_without_query_is_service_description_or_page(sample_client: FlaskClient) -> None:
    description = sample_client.get("/sparql", headers={"Accept": "text/turtle"})
    triples = parse_triples(description.get_data(), ox.RdfFormat.TURTLE)
    endpoint = ox.NamedNode("http://localhost/sparql")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    assert ox.Triple(endpoint, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")) in triples
    page = sample_client.get("/sparql", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b'id="query-form"' in page.get_data()


def test_sparql_cors_for_reads(sample_client: FlaskClient) -> None:
    response = sample_client.get(f"/sparql?query={quote('ASK {}')}", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = sample_client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST"})
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]


def test_server_result_too_large_is_an_error_not_a_truncated_200(make_app: MakeApp) -> None:
    small = make_app({"STORE": sample_store(), "QUERY_WORKERS": 1, "MAX_RESULT_BYTES": 200})
    response = small.test_client().get(f"/sparql?query={quote(SELECT)}")
    assert response.status_code == 507
    assert "limit of 200 bytes" in json_body(response)["error"]


def test_serve_get_prints_one_response_without_a_socket() -> None:
    status, content_type, body = get_once({"STORE": sample_store(), "QUERY_WORKERS": 1},
                                          f"/sparql?query={quote('ASK { ?s a inv:Incident }')}")
    assert (status, content_type, json.loads(body)["boolean"]) == (200, "application/sparql-results+json", True)


def test_server_config_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch, make_app: MakeApp) -> None:
    monkeypatch.setenv("INVIOLABLE_QUERY_TIMEOUT", "3.5")
    monkeypatch.setenv("INVIOLABLE_WRITE_TOKEN", "true")
    monkeypatch.setenv("INVIOLABLE_QUERY_WORKERS", "1")
    configured = make_app({"STORE": sample_store()})
    assert configured.config["QUERY_TIMEOUT"] == 3.5
    assert configured.config["WRITE_TOKEN"] == "true"
    assert configured.extensions["inviolable"].pool.size == 1
    assert configured.extensions["inviolable"].writable is True


def test_sparql_endpoint_jobs_are_never_the_servers_own(sample_client: FlaskClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from server.state import ServerState

    jobs = []
    run = ServerState.run
    monkeypatch.setattr(ServerState, "run", lambda self, job: jobs.append(job) or run(self, job))
    by_get, by_post = "SELECT ?s WHERE { ?s a inv:Incident }", "SELECT ?s WHERE { ?s a inv:Response }"
    assert sample_client.get("/sparql", query_string={"query": by_get}).status_code == 200
    assert sample_client.post("/sparql", data={"query": by_post}).status_code == 200
    client_jobs = [job for job in jobs if job.sparql in (by_get, by_post)]
    assert len(client_jobs) == 2 and not any(job.internal for job in client_jobs)
