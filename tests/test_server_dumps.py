"""The ``/dumps/`` blueprint in-process: formats, ETag, conditional GET, gzip, sorting, the project graphs only."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.export import export_bytes
from graph.namespaces import GRAPH
from server.blueprints.dumps import DUMP_FORMATS
from server.testing import json_body, sample_store
from tests.conftest import MakeApp


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "message"), [
    ("GET", "/dumps/nothing.zip", {}, 404, "no dump"),
])
def test_server_bad_input_gets_status_and_message(sample_client: FlaskClient, method: str, path: str, kwargs: dict,
                                                   status: int, message: str) -> None:
    response = sample_client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data()
    body = json_body(response)
    assert body["ok"] is False and body["status"] == status
    assert message.lower() in body["error"].lower()


def test_dumps_have_etag_last_modified_and_gzip(sample_client: FlaskClient, sample_app: Flask) -> None:
    plain = sample_client.get("/dumps/inviolable.nq")
    assert plain.status_code == 200 and plain.headers["ETag"] and plain.headers["Last-Modified"]
    quads = list(ox.parse(plain.get_data(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(sample_app.extensions["inviolable"].store)
    again = sample_client.get("/dumps/inviolable.nq", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    packed = sample_client.get("/dumps/inviolable.nq.gz")
    assert packed.mimetype == "application/gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    for name, fmt in [("inviolable.trig", ox.RdfFormat.TRIG), ("inviolable.ttl", ox.RdfFormat.TURTLE),
                      ("inviolable.jsonld", ox.RdfFormat.JSON_LD)]:
        response = sample_client.get(f"/dumps/{name}")
        assert response.status_code == 200 and list(ox.parse(response.get_data(), format=fmt))
    assert "inviolable.nq.gz" in sample_client.get("/dumps/").get_data(as_text=True)


TOKEN = "dump-token"
USER_GRAPH = "http://example.org/notes"
NOTE = ox.Quad(ox.NamedNode("http://example.org/notes/1"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
               ox.Literal("a user's own note"), ox.NamedNode(USER_GRAPH))


def _writable(make_app: MakeApp) -> Flask:
    return make_app({"STORE": sample_store(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None})


def test_dumps_nquads_are_sorted_and_the_cli_export_bytes(sample_client: FlaskClient, sample_app: Flask) -> None:
    body = sample_client.get("/dumps/inviolable.nq").get_data()
    lines = body.splitlines()
    assert len(lines) > 20 and lines == sorted(lines)
    assert body == export_bytes(sample_app.extensions["inviolable"].store, format=ox.RdfFormat.N_QUADS)


def test_dumps_etag_changes_with_the_data_and_differs_between_formats(make_app: MakeApp) -> None:
    client = _writable(make_app).test_client()
    names = [f"inviolable.{fmt.file_extension}" for fmt in DUMP_FORMATS]
    before = {name: client.get(f"/dumps/{name}").headers["ETag"] for name in names}
    packed = client.get("/dumps/inviolable.nq.gz").headers["ETag"]
    assert len({*before.values(), packed}) == len(names) + 1
    update = (f"INSERT DATA {{ GRAPH <{GRAPH['notes']}> "
              "{ <http://example.org/doc> a <http://xmlns.com/foaf/0.1/Document> } }")
    written = client.post("/sparql", data=update, headers={"Authorization": f"Bearer {TOKEN}",
                                                           "Content-Type": "application/sparql-update"})
    assert written.status_code == 200, written.get_data()
    for name in names:
        again = client.get(f"/dumps/{name}", headers={"If-None-Match": before[name]})
        assert again.status_code == 200 and again.headers["ETag"] != before[name], name
        assert b"http://example.org/doc" in again.get_data(), name


def test_dumps_hold_the_project_graphs_only(make_app: MakeApp) -> None:
    app = _writable(make_app)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/dumps/inviolable.nq").get_data()
    note = f"{NOTE.subject} {NOTE.predicate} {NOTE.object} ."
    written = client.put(f"/graph-store?graph={USER_GRAPH}", data=note,
                         headers={**auth, "Content-Type": "application/n-triples"})
    assert written.status_code == 201, written.get_data()
    for fmt in DUMP_FORMATS:
        body = client.get(f"/dumps/inviolable.{fmt.file_extension}").get_data()
        parsed = list(ox.parse(body, format=fmt))
        assert parsed and NOTE.subject not in {quad.subject for quad in parsed}, fmt
        assert not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == USER_GRAPH
                       for q in parsed), fmt
    assert client.get("/dumps/inviolable.nq").get_data() == before
    store = app.extensions["inviolable"].store
    assert before == export_bytes(store, format=ox.RdfFormat.N_QUADS)


def test_dumps_give_user_graphs_by_name_only_when_asked(make_app: MakeApp) -> None:
    app = _writable(make_app)
    client = app.test_client()
    note = f"{NOTE.subject} {NOTE.predicate} {NOTE.object} ."
    client.put(f"/graph-store?graph={USER_GRAPH}", data=note,
               headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
    project = client.get("/dumps/inviolable.nq").get_data()
    for fmt in (f for f in DUMP_FORMATS if f.supports_datasets):
        everything = client.get(f"/dumps/inviolable.{fmt.file_extension}?graphs=all")
        assert everything.status_code == 200
        assert NOTE in set(ox.parse(everything.get_data(), format=fmt)), fmt
    everything = client.get("/dumps/inviolable.nq?graphs=all")
    assert everything.get_data() == b"".join(sorted([*project.splitlines(keepends=True), f"{NOTE} .\n".encode()]))
    assert everything.headers["ETag"] != client.get("/dumps/inviolable.nq").headers["ETag"]
    store = app.extensions["inviolable"].store
    assert everything.get_data() == export_bytes(store, format=ox.RdfFormat.N_QUADS, user_graphs=True)
    for path, message in [("/dumps/inviolable.ttl?graphs=all", "union of the project graphs"),
                          ("/dumps/inviolable.nq?graphs=mine", "graphs='mine'")]:
        refused = client.get(path)
        assert refused.status_code == 400 and message in json_body(refused)["error"], path
    assert "inviolable.trig?graphs=all" in client.get("/dumps/").get_data(as_text=True)
