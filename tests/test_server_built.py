"""The server over the store built from the committed data: examples, pages and timelines all answer."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.blueprints.ui import examples
from server.config import DEFAULT_QUERIES
from tests.conftest import MakeApp


@pytest.fixture(scope="module")
def app(built_store_path: Path, make_module_app: MakeApp) -> Flask:
    return make_module_app({"STORE": built_store_path, "QUERY_WORKERS": 2, "WRITE_TOKEN": None})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("name", [e["name"] for e in examples(DEFAULT_QUERIES)] or ["none"])
def test_server_built_example_query_answers(client: FlaskClient, name: str) -> None:
    found = {e["name"]: e for e in examples(DEFAULT_QUERIES)}
    if name not in found:
        pytest.skip("no example queries in graph/queries yet")
    response = client.post("/sparql", data={"query": found[name]["query"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = json.loads(response.get_data())
    assert "boolean" in body or body["results"]["bindings"], f"{name} returned no rows"


def test_server_built_pages_and_timelines_answer(client: FlaskClient) -> None:
    query = quote("SELECT ?i WHERE { ?i a inv:Incident }")
    bindings = json.loads(client.get(f"/sparql?query={query}").get_data())["results"]["bindings"]
    incidents = [b["i"]["value"] for b in bindings]
    assert incidents
    home = client.get("/").get_data(as_text=True)
    for iri in incidents:
        path = iri.removeprefix("https://w3id.org/inviolable")
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Evidence" in page.get_data(as_text=True)
        slug = path.rsplit("/", 1)[-1]
        assert f"/timeline/{slug}" in home
        timeline = client.get(f"/timeline/{slug}")
        # an incident the document tells of alone has one line: itself
        assert timeline.status_code == 200 and timeline.get_data(as_text=True).count('class="line') >= 1


def test_server_built_void_and_dumps(client: FlaskClient) -> None:
    assert client.get("/.well-known/void").status_code == 200
    dump = client.get("/dumps/inviolable.trig.gz")
    assert dump.status_code == 200 and dump.headers["ETag"]
