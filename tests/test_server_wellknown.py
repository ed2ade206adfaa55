"""The ``/.well-known/`` blueprint in-process: the VoID description."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Flask
from flask.testing import FlaskClient

from server.testing import parse_triples


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
