"""Writes: guarded destructive operations, request-body limits, deadlines, the journal, validation by neighbourhood."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.synthetic import generate
from graph import journal
from graph.namespaces import REFERENCE_GRAPH, source_graph
from graph.store import OxigraphStore
from tests.conftest import MakeApp

TOKEN = "t0ken"
UPDATE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
GRAPH = source_graph("synthetic-document")
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def _app(make_app: MakeApp, tmp_path: Path, **extra: object) -> Flask:
    store = OxigraphStore()
    store.bulk_load(generate(3))
    return make_app({"STORE": store, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None,
                     "JOURNAL": tmp_path / "journal", **extra})


@pytest.fixture()
def client(tmp_path: Path, make_app: MakeApp) -> FlaskClient:
    return _app(make_app, tmp_path).test_client()


def _count(client: FlaskClient) -> int:
    response = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def _incident(client: FlaskClient) -> str:
    query = "SELECT ?i { ?i a <https://w3id.org/inviolable/ontology#Incident> } LIMIT 1"
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    return response.get_json()["results"]["bindings"][0]["i"]["value"]


def test_writes_one_fact_is_committed_and_journalled(client: FlaskClient, tmp_path: Path) -> None:
    before = _count(client)
    incident = _incident(client)
    response = client.post("/sparql", data=f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{incident}> <{COMMENT}> "noted" }} }}',
                           headers=UPDATE)
    assert response.status_code == 200, response.get_data()
    assert response.get_json() == {"ok": True, "removed": 0, "added": 1}
    assert _count(client) == before + 1
    (entry,) = journal.entries(tmp_path / "journal")
    assert [str(q.object) for q in entry.added] == ['"noted"'] and entry.removed == []


@pytest.mark.parametrize("update", [
    "DROP ALL", "CLEAR ALL", f"CLEAR GRAPH <{REFERENCE_GRAPH}>", f"DROP GRAPH <{REFERENCE_GRAPH}>",
    "DROP GRAPH <https://w3id.org/inviolable/graph/ontology>",
    f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s <{LABEL}> ?o }} }}",
])
def test_writes_destructive_update_is_refused_with_409(client: FlaskClient, tmp_path: Path, update: str) -> None:
    before = _count(client)
    response = client.post("/sparql", data=update, headers=UPDATE)
    assert response.status_code == 409, response.get_data()
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 409 and "INVIOLABLE_ALLOW_DESTRUCTIVE" in body["error"]
    assert _count(client) == before
    assert list(journal.entries(tmp_path / "journal")) == []


def test_writes_destructive_update_passes_with_the_admin_setting(tmp_path: Path, make_app: MakeApp) -> None:
    app = _app(make_app, tmp_path, ALLOW_DESTRUCTIVE="true")
    client = app.test_client()
    assert client.post("/sparql", data="DROP ALL", headers=UPDATE).status_code == 200
    assert _count(client) == 0


def test_writes_chunked_body_over_the_limit_gets_413_and_nothing_applied(tmp_path: Path, make_app: MakeApp) -> None:
    app = _app(make_app, tmp_path, MAX_BODY_BYTES=4096)
    client = app.test_client()
    before = _count(client)
    triples = " ".join(f'<urn:s{n}> <{COMMENT}> "{n}" .' for n in range(400))
    body = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}".encode()
    response = client.post("/sparql", input_stream=io.BytesIO(body),
                           headers={**UPDATE, "Transfer-Encoding": "chunked"})
    assert response.status_code == 413, response.get_data()
    assert response.get_json()["status"] == 413
    assert _count(client) == before


def test_writes_deeply_nested_update_gets_400(client: FlaskClient) -> None:
    update = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{ " * 5000 + "}" * 5000
    response = client.post("/sparql", data=update, headers=UPDATE)
    assert response.status_code == 400 and "deep" in response.get_json()["error"]
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_writes_deeply_nested_turtle_payload_gets_400(client: FlaskClient) -> None:
    payload = "<urn:a> <urn:b> " + "[ <urn:c> " * 5000 + "]" * 5000 + " ."
    response = client.put("/graph-store?graph=urn:g", data=payload,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert response.status_code == 400 and "deep" in response.get_json()["error"]


def test_writes_rdfxml_entity_expansion_is_refused(client: FlaskClient) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                                                    for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    payload = (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]><rdf:RDF '
               'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
               '<rdf:Description rdf:about="urn:x"><e:p>&i;</e:p></rdf:Description></rdf:RDF>')
    response = client.put("/graph-store?graph=urn:g", data=payload,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/rdf+xml"})
    assert response.status_code == 400 and "entit" in response.get_json()["error"]


def test_writes_runaway_update_is_stopped_at_its_deadline(tmp_path: Path, make_app: MakeApp) -> None:
    app = _app(make_app, tmp_path, UPDATE_TIMEOUT=1)
    client = app.test_client()
    before = _count(client)
    runaway = (f"INSERT {{ GRAPH <{GRAPH}> {{ ?a <{COMMENT}> ?e }} }} WHERE {{ GRAPH ?g {{ ?a ?p ?b }} "
               "GRAPH ?h { ?c ?q ?d } GRAPH ?i { ?e ?r ?f } FILTER(STR(?b) = CONCAT(STR(?d), STR(?f), 'x')) }")
    response = client.post("/sparql", data=runaway, headers=UPDATE)
    assert response.status_code == 503 and "deadline" in response.get_json()["error"]
    assert _count(client) == before
    incident = _incident(client)
    ok = client.post("/sparql", data=f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{incident}> <{COMMENT}> "x" }} }}',
                     headers=UPDATE)
    assert ok.status_code == 200


def test_writes_non_conforming_write_is_refused_and_not_journalled(client: FlaskClient, tmp_path: Path) -> None:
    incident = _incident(client)
    response = client.post("/sparql", data=f"DELETE WHERE {{ GRAPH ?g {{ <{incident}> <{LABEL}> ?l }} }}",
                           headers=UPDATE)
    assert response.status_code == 422
    assert list(journal.entries(tmp_path / "journal")) == []


def test_writes_journal_recovery_applies_the_last_entry(tmp_path: Path, make_app: MakeApp) -> None:
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode(COMMENT), ox.Literal("x"), ox.NamedNode(GRAPH))
    journal.append(tmp_path / "journal", [], [quad])
    app = _app(make_app, tmp_path)
    assert quad in set(app.extensions["inviolable"].store.quads(GRAPH))


@pytest.mark.parametrize("update", [
    f"DELETE {{ GRAPH ?g {{ ?s <{LABEL}> ?l }} }} INSERT {{ GRAPH ?g {{ ?s <{LABEL}> 'x'@en }} }} "
    f"WHERE {{ GRAPH ?g {{ ?s <{LABEL}> ?l FILTER(lang(?l) = 'en' && CONTAINS(STR(?l), '1')) }} }}",
    f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s <{COMMENT}> ?c }} }}",
    f"WITH <{GRAPH}> INSERT {{ ?s <{COMMENT}> ?l }} WHERE {{ ?s <{LABEL}> ?l }}",
    f"INSERT {{ GRAPH <{GRAPH}> {{ ?s <{COMMENT}> [ <{LABEL}> 'n' ] }} }} WHERE {{ GRAPH ?g {{ ?s a ?t }} }} ",
    "INSERT { <urn:a> <urn:b> 1 } WHERE {}",
    "PREFIX r: <http://www.w3.org/2000/01/rdf-schema#> DELETE { GRAPH ?g { ?s r:label ?l } } "
    "WHERE { GRAPH ?g { ?s r:label ?l } FILTER(?s = <urn:none>) }",
])
def test_writes_modify_delta_by_queries_equals_the_update_on_a_copy(update: str) -> None:
    from graph.namespaces import PREFIXES
    from server.modify import modify_delta, parse_modify

    store = OxigraphStore()
    store.bulk_load(generate(2))
    modify = parse_modify(update)
    assert modify is not None
    removed, added = modify_delta(store, modify, base_iri=None, prefixes=PREFIXES)  # type: ignore[misc]
    copy = ox.Store()
    copy.bulk_extend(store.quads())
    copy.update(update, prefixes=PREFIXES)
    before, after = set(store.quads()), set(copy)

    def plain(quads: set[ox.Quad]) -> set[ox.Quad]:
        return {q for q in quads if not isinstance(q.object, ox.BlankNode) and not isinstance(q.subject, ox.BlankNode)}

    assert set(removed) == before - after
    assert plain(set(added)) == plain(after - before)
    assert len(added) == len(after - before)
