"""Refusal by parsing: what rdflib's parser makes of real queries, of the words in other roles, of the bypasses."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.sparql_check import cannot_reach_out, check, normalise, outbound

QUERIES = sorted((Path(__file__).resolve().parents[1] / "graph" / "queries").glob("*.rq"))


def test_sparql_check_has_competency_queries_to_read() -> None:
    assert len(QUERIES) >= 14


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.stem)
def test_sparql_check_reads_every_competency_query(path: Path) -> None:
    verdict = check(path.read_text(encoding="utf-8"))
    assert verdict.runnable, verdict.error


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p "x"@service }',
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }',
    "SELECT * WHERE { ?s <http://e/SERVICE> <http://e/LOAD> }",
    "PREFIX service: <http://e/s#> PREFIX load: <http://e/l#> SELECT * WHERE { ?s service:load load:service }",
    "SELECT ?service ?load WHERE { ?service ?load ?o } # SERVICE <http://127.0.0.1:9/> { }",
    "SELECT * WHERE { ?s inv:service ?o }",
])
def test_sparql_check_lets_the_words_through_in_other_roles(text: str) -> None:
    verdict = check(text)
    assert verdict.runnable, verdict.error


@pytest.mark.parametrize("text, kind, found", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "query", "SERVICE"),
    ("SELECT * { FILTER NOT EXISTS { SERVICE SILENT ?e { ?s ?p ?o } } }", "query", "SERVICE"),
    ("SELECT * { ?s ?p ?o # c\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "query", "SERVICE"),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "query", "SERVICE"),
    ("LOAD <http://127.0.0.1:9/>", "update", "LOAD"),
    ("PREFIX : <http://127.0.0.1:9/a#> LOAD:x", "update", "LOAD"),
    ("INSERT DATA { <http://e/a> <http://e/b> 1 } ; LOAD SILENT <http://127.0.0.1:9/> INTO GRAPH <http://e/g>",
     "update", "LOAD"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "update", "SERVICE"),
])
def test_sparql_check_finds_service_and_load_in_the_algebra(text: str, kind: str, found: str) -> None:
    assert check(text, kind).refused == found


@pytest.mark.parametrize("text", [
    "PREFIX : <http://127.0.0.1:9/a#> SELECT * { SERVICE:x { ?s ?p ?o } }",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:a\\# ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * {",
    "SELECT * { ?s ex:undeclared ?o }",
    "SELECT * {\u00a0?s ?p ?o }",
])
def test_sparql_check_refuses_what_rdflib_cannot_read(text: str) -> None:
    verdict = check(text)
    assert not verdict.runnable and verdict.error


def test_sparql_check_keeps_an_update_s_own_prefix_for_a_predeclared_namespace() -> None:
    update = ("PREFIX dc: <http://purl.org/dc/terms/>\nDROP ALL ;\nINSERT DATA { <http://e/a> a dc:X } ;\n"
              "INSERT { ?s a dc:Y } WHERE { ?s a dc:X }")
    assert check(update, "update").runnable


def test_sparql_check_runs_the_text_it_read() -> None:
    assert check("ASK {} # c\r").text == "ASK {} # c\n"
    assert normalise("a\r\nb\rc") == "a\r\nb\nc"


def test_sparql_check_outbound_walks_nested_structures() -> None:
    class Node(dict):
        def __init__(self, name: str, **values: object) -> None:
            super().__init__(values)
            self.name = name

    assert outbound(Node("Join", p1=[Node("BGP")], p2=(Node("ServiceGraphPattern"),))) == "SERVICE"
    assert outbound(Node("Join", p1=[Node("BGP")])) is None


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?o WHERE { <https://w3id.org/inviolable/id/state/ecuador> ?p ?o }", True),
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { } }", False),
    ("SELECT * { sErViCe <http://127.0.0.1:9/> { } }", False),
    ("LOAD <http://127.0.0.1:9/>", False),
    ("SELECT * { <urn:download> ?p ?o }", False),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { } }", False),
    ("SELECT * { ?s ex:a\\# ?o }", False),
    ("SELECT * { ?s ?p ?o # c\rX }", False),
])
def test_sparql_check_cannot_reach_out_only_without_the_words_escapes_or_carriage_returns(text: str,
                                                                                          expected: bool) -> None:
    assert cannot_reach_out(text) is expected
