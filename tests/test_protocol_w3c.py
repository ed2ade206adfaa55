"""The W3C SPARQL 1.1 Protocol and Service Description tests, replayed over HTTP against a live server."""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from graph.store import GraphStore
from server.testing import LiveServer
from tests.conftest import CONFORMANCE, require_conformance

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "protocol-suite-token"
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
             "application/n-quads", "application/trig"}


def _manifest() -> Graph | None:
    path = CONFORMANCE / "manifest.ttl"
    if not path.is_file():
        return None
    return Graph().parse(path, format="turtle", publicID=path.as_uri())


MANIFEST = _manifest()


def _tests() -> Iterator[tuple[str, URIRef]]:
    if MANIFEST is None:
        yield "manifest-absent", URIRef("urn:absent")
        return
    entries = MANIFEST.value(next(MANIFEST.subjects(RDF.type, MF.Manifest)), MF.entries)
    for test in Collection(MANIFEST, entries):
        yield str(test).rsplit("#", 1)[-1], test


@pytest.fixture(scope="module")
def live(empty_engine_store: GraphStore) -> Iterator[LiveServer]:
    with LiveServer({"STORE": empty_engine_store, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 2,
                     "SOURCES": None}) as server:
        yield server


def _request(live: LiveServer, method: str, path: str, headers: dict[str, str],
             body: bytes | None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def _load_graph_data(live: LiveServer, test: URIRef) -> None:
    assert MANIFEST is not None
    status, _, _ = _request(live, "POST", "/sparql", {"Content-Type": "application/sparql-update",
                                                       "Authorization": f"Bearer {TOKEN}"}, b"DROP ALL")
    assert status == 200
    for data in MANIFEST.objects(test, UT.graphData):
        file_name = str(MANIFEST.value(data, UT.graph)).rsplit("/", 1)[-1]
        name = str(MANIFEST.value(data, RDFS.label))
        status, _, body = _request(live, "PUT", f"/graph-store?graph={name}",
                                   {"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
                                   (CONFORMANCE / file_name).read_bytes())
        assert status in (201, 204), body


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    root = ET.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


@pytest.mark.parametrize(("name", "test"), list(_tests()), ids=[name for name, _ in _tests()])
def test_protocol_w3c_case_passes(live: LiveServer, name: str, test: URIRef) -> None:
    require_conformance()
    assert MANIFEST is not None
    _load_graph_data(live, test)
    action = MANIFEST.value(test, MF.action)
    requests = Collection(MANIFEST, MANIFEST.value(action, HT.requests))
    for request in requests:
        method = str(MANIFEST.value(request, HT.methodName))
        path = str(MANIFEST.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        header_list = MANIFEST.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(MANIFEST, header_list):
                headers[str(MANIFEST.value(header, HT.fieldName))] = str(MANIFEST.value(header, HT.fieldValue))
        body_node = MANIFEST.value(request, HT.body)
        body = None
        if body_node is not None:
            encoding = str(MANIFEST.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(MANIFEST.value(body_node, CNT.chars)).encode(encoding.lower())
        status, content_type, payload = _request(live, method, path, headers, body)
        expected = MANIFEST.value(request, HT.resp)
        classes = {str(code).rsplit("#StatusCode", 1)[-1] for code in MANIFEST.objects(expected, MF.expectedStatus)}
        assert f"{status // 100}xx" in classes, f"{name}: {method} {path} gave {status}: {payload[:300]!r}"
        media = content_type.split(";")[0].strip()
        result_format = MANIFEST.value(expected, MF.expectedFormat)
        if result_format is not None and str(result_format) in ("boolean", "tabular"):
            assert media in RESULT_TYPES, f"{name}: {media}"
        if result_format is not None and str(result_format) == "RDF":
            assert media in RDF_TYPES, f"{name}: {media}"
        boolean = MANIFEST.value(expected, MF.expectedBoolean)
        if boolean is not None:
            assert _boolean(content_type, payload) == boolean.toPython(), f"{name}: {payload!r}"


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/n-triples"])
def test_protocol_service_description_names_endpoint(live: LiveServer, accept: str) -> None:
    require_conformance()
    assert (CONFORMANCE / "sd-manifest.ttl").is_file()
    status, content_type, body = _request(live, "GET", "/sparql", {"Accept": accept}, None)
    assert status == 200
    assert content_type.startswith(accept)
    graph = Graph().parse(data=body, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                             "application/n-triples": "nt"}[accept])
    endpoint = URIRef(f"{live.url}/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert set(graph.objects(endpoint, SD.resultFormat))


def test_protocol_manifest_counts() -> None:
    require_conformance()
    assert MANIFEST is not None
    assert len(list(_tests())) == 34
    assert isinstance(CONFORMANCE, Path)
