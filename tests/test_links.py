"""A crawl of the pages from the home page: every internal link answers, every fragment has its anchor."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from server.app import create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Pages whose links are not followed (each is a file or a form, not a page of links).
LEAVES = ("/dumps/inviolable.", "/sparql?")
ENTITY = re.compile(r"^/(id/[a-z-]+|vocab/[a-z-]+|timeline)/([a-z0-9-]+)(\.[a-z]+)?$")
BASE = "https://w3id.org/inviolable/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")


def _entity(path: str) -> str | None:
    """The kind of an entity page path (``/id/state/x.ttl`` → ``id/state.ttl``), or None for other pages."""
    match = ENTITY.match(path)
    return match.group(1) + (match.group(3) or "") if match else None


def _canonical(path: str) -> str:
    """The IRI an entity path stands for (a timeline stands for its incident)."""
    stem = path[1:].split(".", 1)[0]
    return BASE + (stem.replace("timeline/", "id/incident/", 1) if stem.startswith("timeline/") else stem)


def _existing(client: FlaskClient, paths: list[str]) -> set[str]:
    """Which entity paths the dataset knows something about (the rule an entity page answers 404 by)."""
    found: set[str] = set()
    for start in range(0, len(paths), 300):
        batch = paths[start:start + 300]
        values = " ".join(f"<{_canonical(path)}>" for path in batch)
        query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} {{ ?s ?p ?o }} UNION {{ ?x ?q ?s }} }}"
        rows = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"}).json
        found |= {row["s"]["value"] for row in rows["results"]["bindings"]}
    return found


def crawl(client: FlaskClient, start: str = "/", *, per_kind: int = 1) -> tuple[int, list[str]]:
    """Follow every internal link from ``start``; the number of links checked and the broken ones.

    Every page other than an entity page is fetched and its links followed; of the entity pages,
    ``per_kind`` of each kind are fetched (they share one template), and the others are checked to
    name something the dataset holds, which is what their page answers 404 by.
    """
    broken: list[str] = []
    anchors: dict[str, set[str]] = {}
    wanted: list[tuple[str, str, str]] = []
    unvisited: list[str] = []
    fetched: dict[str, int] = {}
    queue, seen = deque([start]), {start}
    while queue:
        path = queue.popleft()
        kind = _entity(path)
        if kind is not None and fetched.get(kind, 0) >= per_kind:
            unvisited.append(path)
            continue
        if kind is not None:
            fetched[kind] = fetched.get(kind, 0) + 1
        response = client.get(path, headers={"Accept": BROWSER})
        if response.status_code != 200:
            broken.append(f"{path}: {response.status_code}")
            continue
        if response.mimetype != "text/html" or path.startswith(LEAVES):
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        anchors[path] = parser.ids
        for link in parser.links:
            absolute = urljoin("http://localhost" + path, link)
            parts = urlsplit(absolute)
            if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.fragment:
                wanted.append((path, target, parts.fragment))
            if target not in seen:
                seen.add(target)
                queue.append(target)
    existing = _existing(client, unvisited)
    broken += [f"{path}: names nothing in the dataset (404)" for path in unvisited
               if _canonical(path) not in existing]
    for page, target, fragment in wanted:
        if target in anchors and fragment not in anchors[target]:
            broken.append(f"{page} links to {target}#{fragment}, which has no such anchor")
    return len(seen), broken


@pytest.fixture(scope="module")
def client(built_store_path: Path) -> FlaskClient:
    app = create_app({"STORE": built_store_path, "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 60})
    yield app.test_client()
    app.extensions["inviolable"].pool.close()


@pytest.mark.timeout(900)
def test_links_crawl_finds_no_broken_internal_link(client: FlaskClient) -> None:
    visited, broken = crawl(client)
    assert broken == []
    assert visited > 150


def test_links_ontology_terms_and_schemes_resolve(client: FlaskClient) -> None:
    for path in ("/ontology", "/ontology/0.1.0", "/vocab/method", "/vocab/completion-status"):
        assert client.get(path, headers={"Accept": BROWSER}).status_code == 200, path
        turtle = client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.mimetype == "text/turtle", path
    page = client.get("/ontology", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'id="Incident"' in page and 'id="actor"' in page
