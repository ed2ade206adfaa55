"""The linked-data pages in-process: RDF by Accept or suffix, HTML with labels, links and evidence, errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from bench.synthetic import generate
from graph.namespaces import BASE, INV, source_graph
from graph.store import GraphStore, OxigraphStore
from server.testing import SAMPLE_INCIDENT, json_body, parse_triples, sample_store
from tests.conftest import MakeApp, require_sources

ACTOR = ox.NamedNode(INV["actor"])
ATLANTIS = ox.NamedNode(BASE + "id/state/atlantis")

@pytest.mark.parametrize(("method", "path", "kwargs", "status", "message"), [
    ("GET", "/id/state/nowhere", {}, 404, "nothing is known"),
    ("GET", "/id/state/atlantis", {"headers": {"Accept": "image/png"}}, 406, "acceptable"),
])
def test_server_bad_input_gets_status_and_message(sample_client: FlaskClient, method: str, path: str, kwargs: dict,
                                                   status: int, message: str) -> None:
    response = sample_client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data()
    body = json_body(response)
    assert body["ok"] is False and body["status"] == status
    assert message.lower() in body["error"].lower()


def test_server_error_is_html_for_browsers(sample_client: FlaskClient) -> None:
    response = sample_client.get("/id/state/nowhere", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"nothing is known" in response.get_data()


@pytest.mark.parametrize(("accept", "suffix", "fmt"), [
    ("text/turtle", "", ox.RdfFormat.TURTLE),
    ("application/ld+json", "", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "", ox.RdfFormat.RDF_XML),
    ("*/*", "", ox.RdfFormat.TURTLE),
    ("text/html", ".ttl", ox.RdfFormat.TURTLE),
    ("text/html", ".nt", ox.RdfFormat.N_TRIPLES),
    ("text/html", ".jsonld", ox.RdfFormat.JSON_LD),
    ("text/html", ".rdf", ox.RdfFormat.RDF_XML),
])
def test_pages_entity_rdf_by_accept_or_suffix(sample_client: FlaskClient, accept: str, suffix: str,
                                               fmt: ox.RdfFormat) -> None:
    response = sample_client.get(f"/id/incident/2024-04-05-sample-raid{suffix}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert response.headers["Vary"] == "Accept"
    assert 'rel="alternate"' in response.headers["Link"]
    triples = parse_triples(response.get_data(), fmt)
    incident = ox.NamedNode(SAMPLE_INCIDENT)
    assert ox.Triple(incident, ACTOR, ATLANTIS) in triples
    assert ox.Triple(ox.NamedNode(BASE + "id/event/2024-04-06-sample-protest"),
                     ox.NamedNode(BASE + "ontology#respondsTo"), incident) in triples


def test_pages_entity_html_shows_labels_types_links_and_evidence(sample_client: FlaskClient) -> None:
    response = sample_client.get("/id/incident/2024-04-05-sample-raid", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and response.headers["Vary"] == "Accept"
    assert "Sample raid on the embassy" in page and "Allanamiento de muestra de la embajada" in page
    assert "inv:Incident" in page
    assert 'href="/id/state/atlantis"' in page and 'href="/id/event/2024-04-06-sample-protest"' in page
    assert "characters 399–433" in page
    assert 'href="/timeline/2024-04-05-sample-raid"' in page


def test_pages_entity_html_quotes_evidence_when_sources_configured(sample_engine_store: GraphStore,
                                                                   make_app: MakeApp) -> None:
    sources = require_sources()
    quoting = make_app({"STORE": sample_engine_store, "QUERY_WORKERS": 1, "SOURCES": sources})
    page = quoting.test_client().get("/id/incident/2024-04-05-sample-raid",
                                     headers={"Accept": "text/html"}).get_data(as_text=True)
    document = next(p for p in Path(sources).glob("000_*.txt")).read_text(encoding="utf-8")
    assert f"<blockquote>{document[399:433]}</blockquote>" in page


def test_pages_never_link_non_web_iris_and_forbid_outside_content(make_app: MakeApp) -> None:
    store = sample_store()
    store.load(b"<https://w3id.org/inviolable/id/state/atlantis> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
               b"<javascript:alert(1)> .", format=ox.RdfFormat.N_TRIPLES, graph=BASE + "graph/extra")
    hostile = make_app({"STORE": store, "QUERY_WORKERS": 1})
    response = hostile.test_client().get("/id/state/atlantis", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("path", "accept"), [
    ("/id/state/nowhere", "application/ld+json"),
    ("/id/state/nowhere.jsonld", "*/*"),
    ("/id/state/nowhere", 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'),
])
def test_pages_jsonld_of_an_unknown_entity_is_404_in_the_error_shape(sample_client: FlaskClient, path: str,
                                                                     accept: str) -> None:
    response = sample_client.get(path, headers={"Accept": accept})
    assert response.status_code == 404, response.get_data()
    assert response.mimetype == "application/json"
    assert json_body(response) == {"ok": False, "status": 404,
                                   "error": "nothing is known about <https://w3id.org/inviolable/id/state/nowhere>"}


def _refusing(app, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(job: object) -> None:
        raise AssertionError("the page reached a query worker")

    monkeypatch.setattr(app.extensions["inviolable"], "run", refuse)


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_pages_cache_serves_a_page_again_without_a_worker_until_a_write(make_app: MakeApp, accept: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore()
    store.bulk_load(generate(2))
    token = "page-cache-token"
    app = make_app({"STORE": store, "QUERY_WORKERS": 1, "SOURCES": None, "WRITE_TOKEN": token,
                    "JOURNAL": tmp_path / "journal"})
    client = app.test_client()
    incident = next(iter(store.query("SELECT ?i { ?i a inv:Incident } ORDER BY ?i LIMIT 1",
                                     prefixes={"inv": str(INV)})))[0].value
    path = "/" + incident.removeprefix(BASE)
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    with monkeypatch.context() as patched:
        _refusing(app, patched)
        again = client.get(path, headers={"Accept": accept})
        assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Server-Timing"] == "cache;desc=hit" and again.headers["Link"] == first.headers["Link"]
        assert client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]}).status_code == 304
    update = (f"INSERT DATA {{ GRAPH <{source_graph('synthetic-document')}> {{ <{incident}#cache-note> "
              f'<http://www.w3.org/2000/01/rdf-schema#comment> "sunk again" }} }}')
    written = client.post("/sparql", data=update, headers={"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/sparql-update"})
    assert written.status_code == 200, written.get_data(as_text=True)
    after = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and b"sunk again" in after.get_data()
    assert "cache" not in after.headers.get("Server-Timing", "")


def test_pages_cache_off_renders_every_request_and_still_answers_304(make_app: MakeApp) -> None:
    app = make_app({"STORE": sample_store(), "QUERY_WORKERS": 1, "SOURCES": None, "RESULT_CACHE": 0})
    client = app.test_client()
    state = app.extensions["inviolable"]
    calls: list[str] = []
    run = state.run
    state.run = lambda job: (calls.append(job.sparql), run(job))[1]
    first = client.get("/id/state/atlantis", headers={"Accept": "text/html"})
    once = len(calls)
    again = client.get("/id/state/atlantis", headers={"Accept": "text/html", "If-None-Match": first.headers["ETag"]})
    assert len(calls) == 2 * once - 1  # each request gathers its page; the fragment index is read once per version
    assert again.status_code == 304 and "describe" in again.headers["Server-Timing"]
    assert getattr(state, "result_cache", None) is None


def test_pages_cache_keeps_jsonld_profiles_apart(sample_client: FlaskClient) -> None:
    expanded = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'
    compacted = sample_client.get("/id/state/atlantis", headers={"Accept": "application/ld+json"}).get_data()
    assert sample_client.get("/id/state/atlantis", headers={"Accept": expanded}).get_data() != compacted
