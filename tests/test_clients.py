"""Real clients against a live server on loopback: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from server.testing import SAMPLE_INCIDENT, LiveServer, sample_store
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
