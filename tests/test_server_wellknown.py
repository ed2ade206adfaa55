"""The ``/.well-known/`` blueprint in-process: the VoID description."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Flask
from flask.testing import FlaskClient

from graph.namespaces import BASE
from server.testing import parse_triples, sample_store
from tests.conftest import MakeApp

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DATASET = ox.NamedNode("http://localhost/.well-known/void#dataset")


def test_void_counts_endpoint_and_dumps(sample_client: FlaskClient, sample_app: Flask) -> None:
    response = sample_client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    triples = parse_triples(response.get_data(), ox.RdfFormat.N_TRIPLES)
    void = "http://rdfs.org/ns/void#"
    dataset = ox.NamedNode("http://localhost/.well-known/void#dataset")
    store = sample_app.extensions["inviolable"].store
    distinct = {(q.subject, q.predicate, q.object) for q in store.quads()}
    count = ox.Literal(str(len(distinct)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert ox.Triple(dataset, ox.NamedNode(void + "triples"), count) in triples
    assert ox.Triple(dataset, ox.NamedNode(void + "sparqlEndpoint"), ox.NamedNode("http://localhost/sparql")) in triples
    assert ox.Triple(dataset, ox.NamedNode(void + "dataDump"),
                     ox.NamedNode("http://localhost/dumps/inviolable.nq")) in triples


def test_void_describes_the_project_graphs_the_dumps_hold(make_app: MakeApp) -> None:
    store = sample_store()
    store.load(b'<http://example.org/notes/1> <http://www.w3.org/2000/01/rdf-schema#comment> "mine" .',
               format=ox.RdfFormat.N_TRIPLES, graph="http://example.org/notes")
    client = make_app({"STORE": store, "QUERY_WORKERS": 1, "SOURCES": None}).test_client()
    void = parse_triples(client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).get_data(),
                         ox.RdfFormat.N_TRIPLES)
    subsets = {t.object.value for t in void if t.predicate == ox.NamedNode(SD + "name")}
    assert subsets == {BASE + "graph/reference", BASE + "graph/sample"}
    dumped = parse_triples(client.get("/dumps/inviolable.ttl").get_data(), ox.RdfFormat.TURTLE)
    (count,) = [t.object.value for t in void if t.subject == DATASET and t.predicate == ox.NamedNode(VOID + "triples")]
    assert int(count) == len(dumped)
    description = parse_triples(client.get("/sparql", headers={"Accept": "application/n-triples"}).get_data(),
                                ox.RdfFormat.N_TRIPLES)
    named = {t.object.value for t in description if t.predicate == ox.NamedNode(SD + "name")}
    assert named == subsets | {"http://example.org/notes"}
    default = next(t.object for t in description if t.predicate == ox.NamedNode(SD + "defaultGraph"))
    (default_count,) = [t.object.value for t in description
                        if t.subject == default and t.predicate == ox.NamedNode(VOID + "triples")]
    assert int(default_count) == len(dumped)
