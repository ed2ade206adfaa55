"""The UI blueprint in-process: the query page and its examples, the home page, timelines."""

from __future__ import annotations

from flask.testing import FlaskClient

from server.testing import json_body


def test_ui_query_page_examples_come_from_the_queries_folder(sample_client: FlaskClient) -> None:
    examples = json_body(sample_client.get("/examples.json"))["examples"]
    assert [(e["name"], e["question"]) for e in examples] == [("cq-01", "Which incidents are there?"),
                                                              ("cq-02", "Which states?")]
    page = sample_client.get("/query").get_data(as_text=True)
    assert "query.js" in page and "cdn" not in page.lower()


def test_ui_home_lists_incidents(sample_client: FlaskClient) -> None:
    page = sample_client.get("/").get_data(as_text=True)
    assert 'href="/timeline/2024-04-05-sample-raid"' in page


def test_pages_timeline_lists_events_in_date_order(sample_client: FlaskClient) -> None:
    page = sample_client.get("/timeline/2024-04-05-sample-raid").get_data(as_text=True)
    page = page[page.index('id="timeline"'):]
    positions = [page.index(label) for label in ("A prelude", "Sample raid on the embassy", "Lemuria protests")]
    assert positions == sorted(positions)
    assert "2023-12" in page and "characters 434–487" in page
    assert sample_client.get("/timeline/no-such-incident").status_code == 404
