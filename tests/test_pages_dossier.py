"""Pages people read, over the built data: the incident dossier, person and state summaries, context, ontology."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from bench.synthetic import generate
from graph.namespaces import BASE, source_graph
from graph.store import OxigraphStore
from server.app import create_app
from server.page_extras import evidence_order
from tests.conftest import SOURCES, MakeApp

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUITO = "/id/incident/2024-04-05-quito-mexican-embassy-raid"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_ROW = re.compile(r'<tr><th>(.*?)</th>\s*<td>(.*?)</td></tr>', re.S)
_PART_ROW = re.compile(r'<tr(?: id="[^"]*")?><td>#([^<]*)</td><th>')


@pytest.fixture(scope="module")
def client(built_store_path: Path) -> Iterator[FlaskClient]:
    app = create_app({"STORE": built_store_path, "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 60,
                      "SOURCES": SOURCES if SOURCES.is_dir() else None})
    yield app.test_client()
    app.extensions["inviolable"].pool.close()


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_pages_dossier_of_every_incident(client: FlaskClient) -> None:
    home = _page(client, "/")
    incidents = sorted(set(re.findall(r'href="(/id/incident/[a-z0-9-]+)"', home)))
    assert QUITO in incidents and len(incidents) >= 2
    for path in incidents:
        page = _page(client, path)
        assert 'id="dossier"' in page and "<dt>When</dt>" in page and "<dt>Who acted</dt>" in page, path
    quito = _page(client, QUITO)
    assert "<h3>Responses</h3>" in quito and "<h3>Claims</h3>" in quito
    assert "disputed by:" in quito and "law invoked:" in quito and "asserted by:" in quito
    assert 'id="incident-map"' in quito
    assert quito.index('id="dossier"') < quito.index("All statements")


def test_pages_dossier_quotes_are_short_and_link_to_context(client: FlaskClient) -> None:
    quito = _page(client, QUITO)
    quotes = re.findall(r'<q class="quote">(.*?)</q>', quito, re.S)
    assert quotes
    if SOURCES.is_dir():
        assert all(len(q.replace(" …", "").split()) <= 12 for q in quotes)
        assert not any("[[" in q or "{{" in q or "'''" in q for q in quotes)
    link = re.search(r'href="(/context/[a-z0-9-]+)"', quito)
    assert link is not None
    context = _page(client, link.group(1))
    assert ('<mark id="span">' in context) == SOURCES.is_dir()


def test_pages_statement_table_has_no_duplicate_rows(client: FlaskClient) -> None:
    glas = _page(client, "/id/person/jorge-glas")
    assert "role-jorge-glas" not in glas
    assert "<h3>Posts held" in glas and "<h3>Incidents" in glas and "<h3>Statements" in glas
    quito = _page(client, QUITO)
    table = quito[quito.index("All statements"):quito.index("<h2", quito.index("All statements"))]
    spans = [(int(a), int(b)) for a, b in re.findall(r"quito-embassy-raid-wikipedia-(\d+)-(\d+)(?:&gt;)?</a>", table)]
    assert len(spans) > 5 and spans == sorted(spans) and len(set(spans)) == len(spans)


def test_pages_state_summary(client: FlaskClient) -> None:
    ecuador = _page(client, "/id/state/ecuador")
    for section in ("Incidents as actor", "Incidents as target", "Responses made", "Responses received",
                    "Relations broken"):
        assert f"<h3>{section}" in ecuador


def test_pages_timeline_compact_filters_and_plain_text(client: FlaskClient) -> None:
    slug = QUITO.rsplit("/", 1)[-1]
    page = _page(client, f"/timeline/{slug}")
    lines = page.count('class="line')
    assert lines > 10 and 'id="filters"' in page and "<details class=\"evidence\">" in page
    assert "[[" not in page and "'''" not in page and "{{" not in page
    mexico = _page(client, f"/timeline/{slug}?actor=https://w3id.org/inviolable/id/state/mexico")
    assert 0 < mexico.count('class="line') < lines
    kind = _page(client, f"/timeline/{slug}?kind=Response")
    assert 0 < kind.count('class="line') < lines


def _incidents(client: FlaskClient) -> list[str]:
    return sorted(set(re.findall(r'href="(/id/incident/[a-z0-9-]+)"', _page(client, "/"))))


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    following = page.find("<h2", start + len(heading))
    return page[start:following if following >= 0 else len(page)]


def _shown(cell: str) -> str:
    """What a statement cell names: the IRI it links to (our pages mapped back to IRIs), or the literal's value."""
    link = re.match(r'<a href="([^"]*)">', cell)
    if link:
        target = html.unescape(link.group(1))
        return str(BASE) + target[1:] if target.startswith("/") else target
    return html.unescape(re.sub(r' <span class="lang">@[^<]*</span>$', "", cell))


def _statements(client: FlaskClient, path: str) -> tuple[list[tuple[str, str]], list[ox.Triple]]:
    """The statement table of an entity's page as (predicate, object) pairs, and the triples of its Turtle."""
    table = _section(_page(client, path), "All statements")
    rows = [(_shown(predicate), _shown(value.strip())) for predicate, value in _ROW.findall(table)]
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, path
    return rows, list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))


def test_pages_statement_table_is_the_data_of_every_incident(client: FlaskClient) -> None:
    for path in _incidents(client):
        rows, triples = _statements(client, path)
        iri = str(BASE) + path[1:]
        expected = sorted({(t.predicate.value, t.object.value) for t in triples if t.subject.value == iri
                           and t.predicate.value not in (RDF_TYPE, RDFS_LABEL)})
        assert sorted(rows) == expected, path  # every statement once, nothing else
        derived = [value for predicate, value in rows if predicate == DERIVED]
        assert rows[len(rows) - len(derived):] == [(DERIVED, value) for value in derived], path
        assert derived == sorted(derived, key=lambda value: evidence_order(ox.NamedNode(value))), path


def test_pages_parts_table_holds_every_fragment_statement(client: FlaskClient) -> None:
    for path in _incidents(client):
        page = _page(client, path)
        iri = str(BASE) + path[1:]
        triples = list(ox.parse(client.get(path, headers={"Accept": "text/turtle"}).data,
                                format=ox.RdfFormat.TURTLE))
        fragments = [t.subject.value.split("#", 1)[1] for t in triples if t.subject.value.startswith(iri + "#")]
        shown = _PART_ROW.findall(_section(page, "<h2>Parts</h2>")) if fragments else []
        assert sorted(shown) == sorted(fragments), path


def test_pages_parts_follow_a_write(tmp_path: Path, make_app: MakeApp) -> None:
    store = OxigraphStore()
    store.bulk_load(generate(2))
    token = "t0ken"
    app = make_app({"STORE": store, "WRITE_TOKEN": token, "QUERY_WORKERS": 1, "SOURCES": None,
                    "JOURNAL": tmp_path / "journal"})
    writer = app.test_client()
    query = "SELECT ?i { ?i a <https://w3id.org/inviolable/ontology#Incident> } ORDER BY ?i LIMIT 1"
    found = writer.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    incident = found.get_json()["results"]["bindings"][0]["i"]["value"]
    path = "/" + incident.removeprefix(str(BASE))
    before = _page(writer, path)
    assert "#added-note" not in before
    update = (f"INSERT DATA {{ GRAPH <{source_graph('synthetic-document')}> "
              f'{{ <{incident}#added-note> <http://www.w3.org/2000/01/rdf-schema#comment> "noted" }} }}')
    response = writer.post("/sparql", data=update, headers={"Authorization": f"Bearer {token}",
                                                           "Content-Type": "application/sparql-update"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "#added-note" in _page(writer, path)
    turtle = writer.get(path, headers={"Accept": "text/turtle"}).data
    assert any(t.subject.value == incident + "#added-note" for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))
