"""The pages in headless Chromium: the query editor (highlighting, prefix and term completion, an example
run, a syntax error marked at its line, the plain form without JavaScript), a result link, an incident
timeline; over the built data, the dossier, timeline, map, editor and ontology at 1280 and 390 px: no
console error, no request leaving the host, no horizontal overflow, and a screenshot of each into
docs/img/."""

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


# The servers ask for the browser first, so they stop before it: their query workers, forked while the
# browser runs, hold copies of its driver's pipe, and the driver waits for that pipe to close before it exits.
@pytest.fixture(scope="module")
def live(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
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


def console_errors(page: object) -> list[str]:
    """The console errors and uncaught exceptions of ``page`` from now on, but the 400s a test asks for."""
    errors: list[str] = []

    def on_console(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if message.type == "error" and "status of 400" not in text:  # type: ignore[attr-defined]
            errors.append(text)

    page.on("console", on_console)  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: errors.append(str(error)))  # type: ignore[attr-defined]
    return errors


@pytest.fixture(scope="module")
def page(live: LiveServer, browser: object) -> Iterator[object]:
    context, outside = guarded(browser, live.url)
    opened = context.new_page()  # type: ignore[attr-defined]
    errors = console_errors(opened)
    yield opened
    context.close()  # type: ignore[attr-defined]
    assert outside == [], f"pages asked for outside resources: {outside}"
    assert errors == [], errors


def open_editor(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open the query page and wait until its editor and examples are ready."""
    page.goto(f"{url}/query")
    page.wait_for_selector("#query-form[data-ready]", state="attached")


def editor_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def write_query(page, text: str, line: int = 0, ch: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Put ``text`` in the editor and the cursor at ``line``, ``ch`` (0-based), as if the user had clicked."""
    page.evaluate("([text, line, ch]) => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                  " cm.setValue(text); cm.focus(); cm.setCursor({line, ch}); }", [text, line, ch])


def hint_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(".CodeMirror-hints li")
    return page.locator(".CodeMirror-hints li").all_inner_texts()


def marked_line(page) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The number (from the gutter) and the text of the one line the editor marks as the error's."""
    marked = page.locator(".CodeMirror .query-error-line")
    expect(marked).to_have_count(1)
    number = int(marked.locator(".CodeMirror-linenumber").inner_text())
    return number, marked.locator(".CodeMirror-line").inner_text()


def test_browser_runs_an_example_query_and_follows_a_result(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    page.select_option("#examples", "cq-01")
    assert "inv:Incident" in editor_text(page)
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
    open_editor(page, live.url)
    write_query(page, "SELECT * WHERE {")
    page.click("#run")
    # A locator assertion polls without evaluating a string, which the page's CSP forbids.
    expect(page.locator("#status")).to_have_text(re.compile(r"^Error 400"))
    assert "syntax error" in page.inner_text("#status")


def test_browser_editor_highlights_sparql(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    assert page.locator("textarea#query").is_hidden()  # still the form's field, kept in step by CodeMirror
    page.select_option("#examples", "cq-01")
    editor = page.locator(".CodeMirror")
    assert "SELECT" in editor.locator(".cm-keyword").all_inner_texts()
    assert "?incident" in editor.locator(".cm-variable-2").all_inner_texts()
    assert "inv:Incident" in editor.locator(".cm-atom").all_inner_texts()
    assert editor.locator(".cm-comment").first.inner_text().startswith("# Which incidents")
    assert '"en"' in editor.locator(".cm-string").all_inner_texts()


def test_browser_editor_declares_a_prefix_typed_with_a_colon(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    write_query(page, "SELECT ?s WHERE {\n  ?s a \n}", line=1, ch=7)
    page.keyboard.type("inv:")
    assert editor_text(page).splitlines()[0] == "PREFIX inv: <https://w3id.org/inviolable/ontology#>"
    assert "inv:Incident" in hint_texts(page)  # the terms of the data, offered after "inv:"
    page.keyboard.type("Inci")
    assert hint_texts(page) == ["inv:Incident"]
    page.keyboard.press("Enter")
    assert editor_text(page).splitlines()[2] == "  ?s a inv:Incident"
    page.keyboard.type(" ; rdfs:")
    assert editor_text(page).count("PREFIX") == 2 and "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in \
        editor_text(page)
    page.keyboard.type("label ?l FILTER(LANG(?l) = 'en') ")
    page.keyboard.press("Control+Enter")  # runs the query
    page.wait_for_selector("#results-table tbody tr")
    assert page.locator("#results-table tbody td").first.inner_text() == "incident/2024-04-05-sample-raid"


def test_browser_editor_completes_a_prefix_on_ctrl_space(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    write_query(page, "# People\nSELECT ?s WHERE { ?s a  }", line=1, ch=23)
    page.keyboard.type("sch")
    page.keyboard.press("Control+Space")
    assert hint_texts(page) == ["schema: <https://schema.org/>"]
    page.keyboard.press("Enter")
    page.keyboard.type("Person")
    # The declaration goes below the leading comment, which stays the question's line.
    assert editor_text(page).splitlines() == ["# People", "PREFIX schema: <https://schema.org/>",
                                              "SELECT ?s WHERE { ?s a schema:Person }"]


def test_browser_editor_marks_a_syntax_error_at_its_line(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    write_query(page, "SELECT ?s WHERE {\n  ?s ?p \n}")
    page.click("#run")
    page.wait_for_selector("#error-position", state="visible")
    where = re.match(r"line (\d+), column (\d+):", page.inner_text("#error-position"))
    assert where and "^" in page.inner_text("#error-position")
    line, text = marked_line(page)
    assert line == int(where[1]) and line in (2, 3)
    assert f"line:{line}" in page.inner_text("#status")  # the parser's own position, as the server gave it
    assert page.locator(".CodeMirror .query-error-marker").count() == 1
    page.keyboard.type("?o")  # editing clears the mark
    expect(page.locator(".CodeMirror .query-error-line")).to_have_count(0)


def test_browser_editor_marks_an_undeclared_prefix_at_its_use(live: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    open_editor(page, live.url)
    write_query(page, "# nope: is no prefix\nSELECT * WHERE {\n  ?s nope:p ?o\n}")
    page.click("#run")
    expect(page.locator("#status")).to_have_text(re.compile(r"^Error 400.*nope"))
    assert marked_line(page) == (3, "  ?s nope:p ?o")
    assert page.locator(".CodeMirror .query-error-at").inner_text() == "n"
    assert page.inner_text("#error-position").startswith("line 3, column 6:")


def test_browser_query_form_posts_without_javascript(live: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live.url}/query")
        assert page.locator("textarea#query").is_visible()
        page.fill("#query", "SELECT ?label WHERE { ?i a inv:Incident ; rdfs:label ?label } ORDER BY ?label")
        with page.expect_navigation():
            page.click("#run")
        assert "Sample raid on the embassy" in page.content()
    finally:
        context.close()


PAGES = {
    "dossier": ("/id/incident/2024-04-05-quito-mexican-embassy-raid", "#incident-map[data-ready]"),
    "timeline": ("/timeline/2024-04-05-quito-mexican-embassy-raid", "#timeline li"),
    "map": ("/map", "#map[data-ready]"),
    "editor": ("/query", "#query-form[data-ready]"),
    "ontology": ("/ontology", "#Incident"),
}
IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"


QUITO = "https://w3id.org/inviolable/id/incident/2024-04-05-quito-mexican-embassy-raid"


def run_wide_example(page) -> None:  # type: ignore[no-untyped-def]
    """Run cq-12 for the Quito raid from the chooser: five columns of long values, which scroll, not overflow."""
    page.select_option("#examples", "cq-12")
    page.wait_for_selector(f"#incident option[value='{QUITO}']", state="attached")
    page.select_option("#incident", QUITO)
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr", timeout=120_000)
    assert page.locator("#results-table thead th").count() == 5
    assert {QUITO.rsplit("/", 2)[-2] + "/" + QUITO.rsplit("/", 1)[-1]} == set(
        page.locator("#results-table tbody td:first-child").all_inner_texts())


@pytest.fixture(scope="module")
def built_live(browser: object, built_store_path: Path) -> Iterator[LiveServer]:
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
    if name == "editor":
        run_wide_example(page)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}-{width}.png"), full_page=False)
    context.close()
    assert errors == [], errors
    assert outside == [], f"pages asked for outside resources: {outside}"
    assert overflow <= width, f"{path} is {overflow} px wide at {width} px"


@pytest.mark.timeout(600)
def test_browser_editor_screenshots_completion_and_an_error(built_live: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    context, outside = guarded(browser, built_live.url)
    page = context.new_page()
    errors = console_errors(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    open_editor(page, built_live.url)
    page.select_option("#examples", "cq-01")
    lines = editor_text(page).splitlines()
    where = next(i for i, line in enumerate(lines) if line.lstrip().upper().startswith("WHERE"))
    page.evaluate("line => { const cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus();"
                  " cm.setCursor({line, ch: cm.getLine(line).length}); }", where)
    page.keyboard.press("Enter")
    page.keyboard.type("?incident inv:res")
    offered = hint_texts(page)
    assert any(text.startswith("inv:respondsTo") for text in offered)
    assert all(text.lower().startswith("inv:res") for text in offered)  # letter case does not matter
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "editor-completion-1280.png"))
    page.keyboard.press("Escape")
    page.keyboard.type(" .")  # a triple without its object
    page.click("#run")
    page.wait_for_selector(".CodeMirror .query-error-line")
    page.screenshot(path=str(IMAGES / "editor-error-1280.png"))
    context.close()
    assert errors == [], errors
    assert outside == [], f"pages asked for outside resources: {outside}"
