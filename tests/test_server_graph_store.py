"""The ``/graph-store`` blueprint in-process: reads of named and default graphs, errors."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from graph.namespaces import BASE
from server.testing import SAMPLE_INCIDENT, json_body, parse_triples

ATLANTIS = ox.NamedNode(BASE + "id/state/atlantis")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

@pytest.mark.parametrize(("method", "path", "kwargs", "status", "message"), [
    ("PUT", "/graph-store?default", {"data": "", "content_type": "text/turtle"}, 403, "read-only"),
    ("GET", "/graph-store?graph=http://e/missing", {}, 404, "no graph"),
])
def test_server_bad_input_gets_status_and_message(sample_client: FlaskClient, method: str, path: str, kwargs: dict,
                                                   status: int, message: str) -> None:
    response = sample_client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data()
    body = json_body(response)
    assert body["ok"] is False and body["status"] == status
    assert message.lower() in body["error"].lower()


def test_graph_store_reads_named_and_default_graph(sample_client: FlaskClient) -> None:
    named = sample_client.get(f"/graph-store?graph={quote(BASE + 'graph/reference')}",
                       headers={"Accept": "application/n-triples"})
    triples = parse_triples(named.get_data(), ox.RdfFormat.N_TRIPLES)
    assert ox.Triple(ATLANTIS, LABEL, ox.Literal("Atlantis", language="en")) in triples
    assert not any(t.subject.value == SAMPLE_INCIDENT for t in triples)
    # ?default is the store's own default graph (empty here), for reading as for writing.
    default = sample_client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert default.status_code == 200 and not parse_triples(default.get_data(), ox.RdfFormat.N_TRIPLES)
    assert sample_client.get("/graph-store").status_code == 400
