"""The pages in headless Chromium: an example query, a result link, an incident timeline; over the built
data, the dossier, timeline, map, editor and ontology at 1280 and 390 px: no console error, no request
leaving the host, no horizontal overflow, and a screenshot of each into docs/img/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.testing import LiveServer, sample_store
from tests.conftest import SOURCES, require, require_executable

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    queries = tmp_path_factory.mktemp("queries")
    (queries / "cq-01.rq").write_text("# Which incidents are there, with their labels?\n"
                                      "SELECT ?incident ?label WHERE { ?incident a inv:Incident ; rdfs:label ?label "
                                      'FILTER(LANG(?label) = "en") }\n')
    with LiveServer({"STORE": sample_store(), "QUERY_WORKERS": 2, "SOURCES": None, "QUERIES": queries}) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (Playwright's sync API allows one instance per thread)."""
    executable = require_executable("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed")
        raise
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def guarded(browser: object, origin: str) -> tuple[object, list[str]]:
    """A browser context that lets requests reach ``origin`` only, and the list of those it refused."""
    context = browser.new_context()  # type: ignore[attr-defined]
    outside: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(origin):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    return context, outside


@pytest.fixture(scope="module")
def page(live: LiveServer, browser: object) -> Iterator[object]:
    context, outside = guarded(browser, live.url)
    yield context.new_page()  # type: ignore[attr-defined]
    context.close()  # type: ignore[attr-defined]
    assert outside == [], f"pages asked for outside resources: {outside}"


def test_browser_runs_an_example_query_and_follows_a_result(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.url}/query")
    page.wait_for_selector("#examples option[value='cq-01']", state="attached")
    page.select_option("#examples", "cq-01")
    assert "inv:Incident" in page.input_value("#query")
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    headers = page.locator("#results-table thead th").all_inner_texts()
    assert headers == ["incident", "label"]
    cells = page.locator("#results-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[1] == "Sample raid on the embassy"  # no language-tag noise
    downloads = page.locator("#downloads a.download").all_inner_texts()
    assert len(downloads) == 4
    page.click("#results-table tbody tr >> nth=0 >> a")
    page.wait_for_selector("h1#label")
    assert page.url == f"{live.url}/id/incident/2024-04-05-sample-raid"
    assert page.inner_text("h1#label") == "Sample raid on the embassy"
    assert "Allanamiento de muestra de la embajada" in page.inner_text("main")


def test_browser_opens_an_incident_timeline(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.url}/id/incident/2024-04-05-sample-raid")
    page.click("#timeline-link")
    page.wait_for_selector("#timeline li")
    times = page.locator("#timeline li time").all_inner_texts()
    assert times == ["2023-12", "2024-04-05", "2024-04-06"]
    assert "Lemuria protests" in page.inner_text("#timeline")


def test_browser_shows_query_errors(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.url}/query")
    page.fill("#query", "SELECT * WHERE {")
    page.click("#run")
    # A locator assertion polls without evaluating a string, which the page's CSP forbids.
    expect(page.locator("#status")).to_have_text(re.compile(r"^Error 400"))
    assert "syntax error" in page.inner_text("#status")


def test_browser_editor_points_at_a_syntax_error(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.url}/query")
    page.fill("#query", "SELECT ?s WHERE {\n  ?s ?p \n}")
    page.click("#run")
    page.wait_for_selector("#error-position", state="visible")
    text = page.inner_text("#error-position")
    assert re.match(r"line [23], column \d+:", text) and "^" in text


PAGES = {
    "dossier": ("/id/incident/2024-04-05-quito-mexican-embassy-raid", "#incident-map[data-ready]"),
    "timeline": ("/timeline/2024-04-05-quito-mexican-embassy-raid", "#timeline li"),
    "map": ("/map", "#map[data-ready]"),
    "editor": ("/query", "#query"),
    "ontology": ("/ontology", "#Incident"),
}
IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"


@pytest.fixture(scope="module")
def built_live(built_store_path: Path) -> Iterator[LiveServer]:
    with LiveServer({"STORE": built_store_path, "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 60,
                     "SOURCES": SOURCES if SOURCES.is_dir() else None}) as server:
        yield server


@pytest.mark.timeout(600)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_browser_page_renders_without_errors_or_overflow(built_live: LiveServer, browser, name: str,
                                                         width: int) -> None:  # type: ignore[no-untyped-def]
    context, outside = guarded(browser, built_live.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    path, ready = PAGES[name]
    page.goto(f"{built_live.url}{path}", timeout=120_000)
    page.wait_for_selector(ready, state="attached", timeout=120_000)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}-{width}.png"), full_page=False)
    context.close()
    assert errors == [], errors
    assert outside == [], f"pages asked for outside resources: {outside}"
    assert overflow <= width, f"{path} is {overflow} px wide at {width} px"
