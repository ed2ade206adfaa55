"""What standard clients read besides queries: VoID and its licences, the Service Description, JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from graph.store import OxigraphStore
from server.app import create_app
from server.service import DATA_LICENSE
from server.testing import SAMPLE_TRIG

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
WIKIPEDIA = "https://w3id.org/inviolable/id/source/quito-embassy-raid-wikipedia"
ATLANTIS = "https://w3id.org/inviolable/id/state/atlantis"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
LICENSED = """
@prefix schema: <https://schema.org/> .
<https://w3id.org/inviolable/graph/reference> {
  <https://w3id.org/inviolable/id/source/quito-embassy-raid-wikipedia>
      schema:license <https://creativecommons.org/licenses/by-sa/4.0/> .
}
"""


@pytest.fixture(scope="module")
def client() -> Iterator[FlaskClient]:
    store = OxigraphStore()
    store.load(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG)
    store.load(LICENSED.encode(), format=ox.RdfFormat.TRIG)
    app = create_app({"STORE": store, "QUERY_WORKERS": 1, "SOURCES": None})
    yield app.test_client()
    app.extensions["inviolable"].pool.close()


def _graph(body: bytes, media: str) -> Graph:
    return Graph().parse(data=body, format={"text/turtle": "turtle", "application/ld+json": "json-ld"}[media])


def test_void_licence_of_data_and_documents(client: FlaskClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = _graph(response.data, "text/turtle")
    dataset = URIRef("http://localhost/.well-known/void#dataset")
    assert (dataset, URIRef(DCT + "license"), URIRef(DATA_LICENSE)) in graph
    assert (dataset, URIRef(DCT + "source"), URIRef(WIKIPEDIA)) in graph
    assert (URIRef(WIKIPEDIA), URIRef(DCT + "license"), URIRef(BY_SA)) in graph


@pytest.mark.parametrize("path", ["/.well-known/void", "/service-description"])
def test_wellknown_html_view_for_browsers(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"<table" in response.data and b"?format=ttl" in response.data
    machine = client.get(path, headers={"Accept": "*/*"})
    assert machine.status_code == 200 and machine.mimetype == "text/turtle"


def test_service_description_input_formats_are_w3c_iris(client: FlaskClient) -> None:
    graph = _graph(client.get("/sparql", headers={"Accept": "text/turtle"}).data, "text/turtle")
    inputs = {str(o) for o in graph.objects(None, URIRef(SD + "inputFormat"))}
    expected = {"Turtle", "N-Triples", "RDF_XML", "JSON-LD"}
    assert inputs == {f"http://www.w3.org/ns/formats/{name}" for name in expected}
    results = {str(o) for o in graph.objects(None, URIRef(SD + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in results
    assert all(iri.startswith("http://www.w3.org/ns/formats/") for iri in results)


def test_jsonld_compacted_by_default_with_published_context(client: FlaskClient) -> None:
    document = json.loads(client.get("/id/state/atlantis", headers={"Accept": "application/ld+json"}).data)
    published = json.loads(client.get("/ns/context.jsonld").data)["@context"]
    assert document["@context"] == published
    node = next(n for n in document.get("@graph", [document]) if n["@id"] == "id:state/atlantis")
    assert node["@type"] == "inv:State"
    assert {"@value": "Atlántida", "@language": "es"} in node["rdfs:label"]
    graph = _graph(json.dumps(document).encode(), "application/ld+json")
    assert (URIRef(ATLANTIS), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in graph


def test_jsonld_expanded_on_request(client: FlaskClient) -> None:
    profile = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'
    document = json.loads(client.get("/id/state/atlantis", headers={"Accept": profile}).data)
    assert isinstance(document, list) and ATLANTIS in {node["@id"] for node in document}
    compacted = client.get("/id/state/atlantis", headers={"Accept": "application/ld+json"}).data
    assert _graph(json.dumps(document).encode(), "application/ld+json").isomorphic(
        _graph(compacted, "application/ld+json"))


def test_jsonld_compacted_from_sparql_construct(client: FlaskClient) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a inv:State ; ?p ?o }"
    response = client.get("/sparql", query_string={"query": query, "format": "json-ld"})
    document = json.loads(response.data)
    assert response.mimetype == "application/ld+json" and "@context" in document
    assert {node["@id"] for node in document["@graph"]} == {"id:state/atlantis", "id:state/lemuria"}
