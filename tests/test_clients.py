"""Real clients against a live server on loopback: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import json
import subprocess
import warnings
import xml.dom.minidom
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from server.testing import SAMPLE_INCIDENT, LiveServer, ServedProcess, disk_store, sample_store
from tests.conftest import require_executable

LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
ATLANTIS = "https://w3id.org/inviolable/id/state/atlantis"
SELECT = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          f"SELECT ?label WHERE {{ <{ATLANTIS}> rdfs:label ?label }} ORDER BY ?label")


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 2, "SOURCES": None}) as server:
        yield server


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_clients_sparqlwrapper_select_json(live: LiveServer, method: str) -> None:
    client = SPARQLWrapper(f"{live.url}/sparql")
    client.setMethod(method)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Atlantis", "Atlántida"]


def test_clients_sparqlwrapper_select_xml(live: LiveServer) -> None:
    client = SPARQLWrapper(f"{live.url}/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(XML)
    document = client.query().convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["Atlantis", "Atlántida"]


def test_clients_sparqlwrapper_construct(live: LiveServer) -> None:
    client = SPARQLWrapper(f"{live.url}/sparql")
    client.setQuery(f"CONSTRUCT {{ <{SAMPLE_INCIDENT}> ?p ?o }} WHERE {{ <{SAMPLE_INCIDENT}> ?p ?o }}")
    graph = client.queryAndConvert()
    assert isinstance(graph, Graph)
    assert (URIRef(SAMPLE_INCIDENT), LABEL, Literal("Sample raid on the embassy", lang="en")) in graph


def test_clients_rdflib_sparqlstore(live: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(f"{live.url}/sparql", returnFormat="json"))
    labels = sorted(str(row[0]) for row in graph.query(SELECT))
    assert labels == ["Atlantis", "Atlántida"]
    assert graph.query(f"ASK {{ <{ATLANTIS}> ?p ?o }}").askAnswer is True


@pytest.mark.parametrize(("args", "expected_type"), [
    (["-H", "Accept: text/csv", "--data-urlencode", f"query={SELECT}", "-G"], "text/csv"),
    (["--data-urlencode", f"query={SELECT}"], "application/sparql-results+json"),
    (["-H", "Content-Type: application/sparql-query", "--data-binary", SELECT], "application/sparql-results+json"),
])
def test_clients_curl_raw_requests(live: LiveServer, args: list[str], expected_type: str) -> None:
    curl = require_executable("curl")
    done = subprocess.run([curl, "-sS", "-o", "-", "-w", "\n%{http_code} %{content_type}", *args, f"{live.url}/sparql"],
                          capture_output=True, text=True, timeout=30, check=True)
    body, _, trailer = done.stdout.rpartition("\n")
    status, content_type = trailer.split(" ", 1)
    assert status == "200" and content_type.startswith(expected_type)
    assert "Atlántida" in body
    if expected_type.endswith("json"):
        assert json.loads(body)["head"]["vars"] == ["label"]


def test_clients_curl_entity_and_dump(live: LiveServer) -> None:
    curl = require_executable("curl")
    entity = subprocess.run([curl, "-sS", "-H", "Accept: text/turtle", f"{live.url}/id/state/atlantis"],
                            capture_output=True, text=True, timeout=30, check=True).stdout
    assert "Atlántida" in entity
    headers = subprocess.run([curl, "-sS", "-I", f"{live.url}/dumps/inviolable.nq.gz"],
                             capture_output=True, text=True, timeout=30, check=True).stdout.lower()
    assert "etag:" in headers and "last-modified:" in headers


WRAPPER_FORMATS = (JSON, XML, CSV, TSV, TURTLE, N3, RDF, RDFXML, JSONLD)
QUERIES = {
    "SELECT": SELECT,
    "ASK": f"ASK {{ <{ATLANTIS}> ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{ATLANTIS}> ?p ?o }} WHERE {{ <{ATLANTIS}> ?p ?o }}",
    "DESCRIBE": f"DESCRIBE <{ATLANTIS}>",
}
#: The media type a client asking for each format must get, by query family; None: the server's choice.
EXPECTED = {
    "results": {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
                CSV: "text/csv", TSV: "text/tab-separated-values"},
    "graph": {XML: "application/rdf+xml", RDF: "application/rdf+xml", RDFXML: "application/rdf+xml",
              TURTLE: "text/turtle", N3: "text/turtle", JSONLD: "application/ld+json", JSON: "application/ld+json"},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``inviolable serve`` in its own process over an on-disk copy of the sample data."""
    store = disk_store(tmp_path_factory.mktemp("served") / "store")
    with ServedProcess(store, environment={"INVIOLABLE_QUERY_WORKERS": "2"}) as server:
        yield server.url


def _check_converted(form: str, converted: object, media: str) -> None:
    if form == "SELECT":
        if isinstance(converted, dict):
            assert [b["label"]["value"] for b in converted["results"]["bindings"]] == ["Atlantis", "Atlántida"]
        elif isinstance(converted, xml.dom.minidom.Document):
            assert len(converted.getElementsByTagName("literal")) == 2
        else:
            assert "Atlántida" in converted.decode()  # type: ignore[union-attr]
    elif form == "ASK":
        if isinstance(converted, dict):
            assert converted["boolean"] is True
        elif isinstance(converted, xml.dom.minidom.Document):
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert b"true" in converted.lower()  # type: ignore[union-attr]
    else:
        if isinstance(converted, bytes):  # SPARQLWrapper hands raw bytes back for a format it did not ask for
            converted = Graph().parse(data=converted, format={"text/turtle": "turtle"}[media])
        assert isinstance(converted, Graph)
        assert (URIRef(ATLANTIS), LABEL, Literal("Atlántida", lang="es")) in converted


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("form", list(QUERIES))
@pytest.mark.parametrize("wanted", WRAPPER_FORMATS)
def test_clients_sparqlwrapper_every_format(served: str, method: str, form: str, wanted: str) -> None:
    client = SPARQLWrapper(f"{served}/sparql")
    client.setMethod(method)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(wanted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper warns when it asks for */* (a format the form cannot hold)
        response = client.query()
        media = response.info()["content-type"].split(";")[0]
        converted = response.convert()
    family = "results" if form in ("SELECT", "ASK") else "graph"
    expected = EXPECTED[family].get(wanted)
    if expected is not None:
        assert media == expected
    else:
        assert media in EXPECTED[family].values()
    _check_converted(form, converted, media)
