"""Pages people read, over the built data: the incident dossier, person and state summaries, context, ontology."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from server.app import create_app
from tests.conftest import SOURCES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUITO = "/id/incident/2024-04-05-quito-mexican-embassy-raid"


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
    spans = [(int(a), int(b)) for a, b in re.findall(r"quito-embassy-raid-wikipedia-(\d+)-(\d+)</a>", table)]
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
