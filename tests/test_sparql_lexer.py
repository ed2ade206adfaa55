"""``graph.sparql_lexer``: one lexical reading of SPARQL for the endpoint and the remote store, which ends
names, IRIs and strings where a parser that accepts the text ends them, in time linear in the text."""

from __future__ import annotations

import random
import time

import pyoxigraph as ox
import pytest

from graph.sparql_dataset import ask_as_select, has_dataset_clause, outbound_keyword
from graph.sparql_lexer import tokens, words
from server.sparql_check import check
from server.sparql_text import add_using, nesting_depth, read_query

FAR = "<http://127.0.0.1:9/>"
DEEP = "{ " * 80 + "?a ?b ?c " + "} " * 80

#: Texts Oxigraph reads as asking for SERVICE or LOAD, with the keyword after a token that once hid it.
OUTBOUND = [
    ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\\#b . SERVICE " + FAR + " { ?a ?b ?c } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p <http://e/\\u0041#> . SERVICE " + FAR + " { ?a ?b ?c } }", "SERVICE"),
    ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c\\# } ; LOAD " + FAR, "LOAD"),
    ("PREFIX : <http://e/> LOAD:x", "LOAD"),
    ("SELECT * { SERVICESILENT " + FAR + " { ?s ?p ?o } }", "SERVICE"),
    ("LOADSILENT " + FAR, "LOAD"),
    ("SELECT * { ?s ?p trueSERVICE " + FAR + " { ?a ?b ?c } }", "SERVICE"),
    ("SELECT * WHERE { VALUES ?x { '''abc' } SERVICE " + FAR + " { ?a ?b ?c } }", "SERVICE"),
    ("SELECT * { ?s ?p true.SERVICE " + FAR + " {} }", "SERVICE"),
    ("PREFIX : <http://127.0.0.1:9/> SELECT * { ?s ?p trueSERVICE:x { ?a ?b ?c } }", "SERVICE"),
    ("PREFIX : <http://127.0.0.1:9/> SELECT * { ?s ?p true.SERVICE:x { ?a ?b ?c } }", "SERVICE"),
]


@pytest.mark.parametrize(("text", "keyword"), OUTBOUND)
def test_sparql_lexer_outbound_keyword_finds_what_oxigraph_would_fetch(text: str, keyword: str) -> None:
    assert outbound_keyword(text) == keyword


@pytest.mark.parametrize("text", [
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:load\\#x . ?s ex:service ?o }",
    "SELECT * WHERE { ?s ?p ?a\u00b7SERVICE }",
    "SELECT ?service ?load WHERE { ?service ?load 'SERVICE' } # LOAD",
    "SELECT * WHERE { ?s <http://e/SERVICE> _:LOAD }",
])
def test_sparql_lexer_outbound_keyword_lets_the_words_through_in_other_roles(text: str) -> None:
    ox.Store().query(text)
    assert outbound_keyword(text) is None


@pytest.mark.parametrize("prefix", ["download", "webservice", "preload", "reloaded", "selfservice"])
def test_sparql_lexer_outbound_keyword_lets_prefixes_that_hold_the_words_through(prefix: str) -> None:
    text = f"PREFIX {prefix}: <http://e/> SELECT * WHERE {{ ?s {prefix}:p {prefix}:o }}"
    ox.Store().query(text)
    assert outbound_keyword(text) is None


@pytest.mark.parametrize("hiding", ["ex:a\\#b", "ex:a\\'", "<http://e/\\u0041#>", "'''x'"])
def test_sparql_lexer_counts_braces_after_an_escape_that_once_hid_them(hiding: str) -> None:
    text = f"PREFIX ex: <http://e/> SELECT * {{ ?s ?p {hiding} . {DEEP} }}"
    assert nesting_depth(text) == 81


def test_sparql_lexer_reads_strings_iris_and_comments_as_one_token() -> None:
    text = "ASK { ?s ?p 'a}' , \"b{\" , '''c\n}''' , <http://e/ASK#x> } # }"
    assert nesting_depth(text) == 1
    assert [w.text for w in words(text)] == ["ASK"]


def test_sparql_lexer_tokens_cover_the_text_exactly() -> None:
    pieces = ["'", '"', "'''", '"""', "\\", "<", ">", "#", "a", ".", ":", "{", "}", "(", "\n", " ", "?", "_",
              "-", "%4", "ex:", "SELECT", "\u00b7", "\u3002", "\r"]
    rng = random.Random(13)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))
        assert "".join(match.group() for match in tokens(text)) == text


@pytest.mark.parametrize("unit", ["a.", "a-", '"\\', "'''\\", "ex:a\\#", "<\\<", "'\\'", "a.a.a.:"])
def test_sparql_lexer_reads_in_linear_time(unit: str) -> None:
    # The former reading took over 20 s for 80 000 characters of "a."; 400 000 take well under 1 s now.
    text = "ASK { " + unit * (400_000 // len(unit))
    started = time.perf_counter()
    read_query(text)
    outbound_keyword(text)
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(("text", "keyword"), OUTBOUND)
def test_sparql_lexer_agrees_with_the_endpoint_s_parser_check(text: str, keyword: str) -> None:
    # The endpoint refuses by parsing; whatever the lexical check finds, the parse check never runs.
    verdict = check(text, "update" if keyword == "LOAD" else "query")
    assert not verdict.runnable


def test_sparql_lexer_keeps_the_endpoint_readings() -> None:
    assert read_query("PREFIX s: <http://e/select#> ASK FROM <http://e/g> { { ?s ?p '{' } }").form == "ASK"
    assert has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    assert not has_dataset_clause("SELECT ?from { <http://e/FROM> e:FROM 'FROM' } # FROM")
    assert add_using("PREFIX e: <http://e/> DELETE { ?s e:a\\#b 1 } WHERE { ?s ?p 1 }", ["http://e/g"], []) == (
        "PREFIX e: <http://e/> DELETE { ?s e:a\\#b 1 } USING <http://e/g> WHERE { ?s ?p 1 }")
    assert ask_as_select("ASK { ?s ?p ex:a\\#b }") == "SELECT * { ?s ?p ex:a\\#b } LIMIT 1"
