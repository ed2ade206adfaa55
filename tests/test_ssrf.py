"""The SSRF corpus: hundreds of ways of asking the server to connect somewhere, none of which may succeed.

Every variant goes through the real application over HTTP to a loopback listener that counts the
connections made to it. The corpus runs twice: with the workers confined (the normal server) and with the
confinement turned off, so that refusal by parsing is shown to hold on its own as well.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

import server.sandbox
from graph.store import OxigraphStore
from server.testing import ConnectionCounter, LiveServer

TOKEN = "ssrf-token"


@dataclass(frozen=True)
class Case:
    """One request of the corpus; ``refused`` cases must get 400, the others any status below 500."""

    name: str
    method: str
    path: str
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    refused: bool = True


TRIPLE = "{ ?s ?p ?o }"
WHITESPACE = ["\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\u00a0", "\u1680", "\u2003", "\u2028", "\u2029",
              "\u202f", "\u3000", "\ufeff", "\u0085", "\u200b"]
TERMINATORS = ["\n", "\r", "\r\n"]
ESCAPES = ["\\#", "\\'", "\\.x", "\\~", "\\-", "\\!", "\\$", "\\&", "\\(", "\\)", "\\*", "\\+", "\\,", "\\;",
           "\\=", "\\/", "\\?", "\\@", "\\%", "\\_"]


def _spellings(target: str) -> list[tuple[str, str, str]]:
    """(name, prologue, SERVICE clause) for every way of writing SERVICE to the target."""
    iri = f"<{target}>"
    spellings = [("plain", "", f"SERVICE {iri} {TRIPLE}"), ("silent", "", f"SERVICE SILENT {iri} {TRIPLE}"),
                 ("lower", "", f"service {iri} {TRIPLE}"), ("title", "", f"Service {iri} {TRIPLE}"),
                 ("mixed", "", f"sErViCe SiLeNt {iri} {TRIPLE}"), ("glued-iri", "", f"SERVICE{iri}{TRIPLE}"),
                 ("glued-silent", "", f"SERVICE SILENT{iri}{TRIPLE}"),
                 ("glued-pname", f"PREFIX : <{target}a#> ", f"SERVICE:x {TRIPLE}"),
                 ("glued-silent-pname", f"PREFIX : <{target}a#> ", f"SERVICE SILENT:x {TRIPLE}"),
                 ("pname", f"PREFIX r: <{target}> ", f"SERVICE r:sparql {TRIPLE}"),
                 ("prefix-named-service", f"PREFIX service: <{target}> ", f"SERVICE service:x {TRIPLE}"),
                 ("variable-values", "", f"VALUES ?e {{ {iri} }} SERVICE ?e {TRIPLE}"),
                 ("variable-bind", "", f"BIND({iri} AS ?e) SERVICE ?e {TRIPLE}"),
                 ("variable-unbound", "", f"SERVICE ?e {TRIPLE}"),
                 ("u-escape-keyword", "", f"\\u0053ERVICE {iri} {TRIPLE}"),
                 ("u-escape-inner", "", f"SERVIC\\u0045 {iri} {TRIPLE}"),
                 ("U-escape-keyword", "", f"\\U00000053ERVICE {iri} {TRIPLE}"),
                 ("u-escape-iri", "", f"SERVICE <\\u0068ttp{target[4:]}> {TRIPLE}"),
                 ("base-relative", f"BASE <{target}> ", f"SERVICE <sparql> {TRIPLE}")]
    spellings += [(f"space-{ws.encode('unicode_escape').decode()}", "", f"SERVICE{ws}{iri}{ws}{TRIPLE}")
                  for ws in WHITESPACE]
    spellings += [(f"comment-inside-{i}", "", f"SERVICE#c{end}{iri} {TRIPLE}") for i, end in enumerate(TERMINATORS)]
    spellings += [(f"comment-before-{i}", "", f"?a ?b ?c # note{end}SERVICE {iri} {TRIPLE}")
                  for i, end in enumerate(TERMINATORS)]
    spellings += [(f"comment-no-newline-{i}", "", f"?a ?b ?c #{end}SERVICE {iri} {TRIPLE} #")
                  for i, end in enumerate(TERMINATORS)]
    spellings += [(f"escape-{i}", "PREFIX ex: <http://e/> ", f"?s ex:a{escape} ?o . SERVICE {iri} {TRIPLE}")
                  for i, escape in enumerate(ESCAPES)]
    spellings += [("string-escaped-quote", "", f'?s ?p "a\\"b" . SERVICE {iri} {TRIPLE}'),
                  ("long-string-quote", "", f'?s ?p """a"b""" . SERVICE {iri} {TRIPLE}'),
                  ("long-string-single", "", f"?s ?p '''a'b''' . SERVICE {iri} {TRIPLE}"),
                  ("langtag-service", "", f'?s ?p "x"@service . SERVICE {iri} {TRIPLE}'),
                  ("iri-with-word", "", f"?s <http://e/SERVICE> ?o . SERVICE {iri} {TRIPLE}")]
    return spellings


GROUP_KINDS = {
    "where": "SELECT * WHERE {{ {x} }}",
    "optional": "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {x} }} }}",
    "union-right": "SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {x} }} }}",
    "union-left": "SELECT * WHERE {{ {{ {x} }} UNION {{ ?a ?b ?c }} }}",
    "minus": "SELECT * WHERE {{ ?a ?b ?c MINUS {{ {x} }} }}",
    "graph-iri": "SELECT * WHERE {{ GRAPH <http://e/g> {{ {x} }} }}",
    "graph-var": "SELECT * WHERE {{ GRAPH ?g {{ {x} }} }}",
    "filter-exists": "SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ {x} }} }}",
    "filter-not-exists": "SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ {x} }} }}",
    "bind-exists": "SELECT * WHERE {{ BIND(EXISTS {{ {x} }} AS ?e) }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ {x} }} }} }}",
    "nested": "SELECT * WHERE {{ {{ {{ {x} }} }} }}",
    "values": "SELECT * WHERE {{ VALUES ?v {{ 1 }} {x} }}",
    "ask": "ASK {{ {x} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {x} }}",
    "describe": "DESCRIBE ?s WHERE {{ {x} }}",
    "having": "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c }} GROUP BY ?a HAVING (EXISTS {{ {x} }})",
    "order-by": "SELECT * WHERE {{ ?a ?b ?c }} ORDER BY (EXISTS {{ {x} }})",
    "projection": "SELECT (EXISTS {{ {x} }} AS ?e) WHERE {{ }}",
}


def _query_request(name: str, text: str, index: int, *, refused: bool = True) -> Case:
    """The query sent by GET, by POST form or by POST direct, in turn."""
    transport = index % 3
    if transport == 0:
        return Case(name, "GET", "/sparql?" + urlencode({"query": text}), refused=refused)
    if transport == 1:
        return Case(name, "POST", "/sparql", urlencode({"query": text}),
                    {"Content-Type": "application/x-www-form-urlencoded"}, refused=refused)
    return Case(name, "POST", "/sparql", text, {"Content-Type": "application/sparql-query"}, refused=refused)


def _update_request(name: str, text: str, *, refused: bool = True, params: str = "") -> Case:
    return Case(name, "POST", "/sparql" + params, text, {"Content-Type": "application/sparql-update",
                                                         "Authorization": f"Bearer {TOKEN}"}, refused=refused)


def query_corpus(target: str) -> list[Case]:
    """Queries that would make the engine connect to ``target``."""
    cases: list[Case] = []
    for name, prologue, clause in _spellings(target):
        for kind in ("where", "optional", "filter-exists"):
            cases.append(_query_request(f"{name}/{kind}", prologue + GROUP_KINDS[kind].format(x=clause), len(cases)))
    for kind, template in GROUP_KINDS.items():
        for name, prologue, clause in (_spellings(target)[0], _spellings(target)[7], _spellings(target)[11]):
            cases.append(_query_request(f"{kind}/{name}", prologue + template.format(x=clause), len(cases)))
    return cases


def load_corpus(target: str) -> list[Case]:
    """Updates that would make the engine connect to ``target``."""
    iri = f"<{target}>"
    colon = f"PREFIX : <{target}a#> "
    loads = [("plain", f"LOAD {iri}"), ("silent", f"LOAD SILENT {iri}"), ("lower", f"load {iri}"),
             ("mixed", f"LoAd SiLeNt {iri}"), ("glued", f"LOAD{iri}"), ("into", f"LOAD {iri} INTO GRAPH <http://e/g>"),
             ("glued-pname", colon + "LOAD:x"), ("glued-silent-pname", colon + "LOAD SILENT:x"),
             ("u-escape", f"\\u004cOAD {iri}"),
             ("after-insert", f"INSERT DATA {{ <http://e/a> <http://e/b> 1 }} ; LOAD {iri}"),
             ("after-escape", f"PREFIX ex: <http://e/> INSERT DATA {{ <http://e/a> ex:a\\# 1 }} ; LOAD {iri}"),
             ("service-insert", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {iri} {TRIPLE} }}"),
             ("service-delete", f"DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE {iri} {TRIPLE} }}"),
             ("service-with", colon + f"WITH <http://e/g> DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} "
                                      f"WHERE {{ SERVICE:x {TRIPLE} }}")]
    loads += [(f"space-{ws.encode('unicode_escape').decode()}", f"LOAD{ws}{iri}") for ws in WHITESPACE]
    loads += [(f"comment-{i}", f"INSERT DATA {{ <http://e/a> <http://e/b> 2 }} # c{end}; LOAD {iri}")
              for i, end in enumerate(TERMINATORS)]
    return [_update_request(f"load/{name}", text) for name, text in loads]


def harmless_corpus(target: str) -> list[Case]:
    """Requests that name the target without asking for it to be fetched: answered, never connecting."""
    iri = f"<{target}>"
    queries = [("from", f"SELECT * FROM {iri} WHERE {TRIPLE}"),
               ("from-named", f"SELECT * FROM NAMED {iri} WHERE {TRIPLE}"),
               ("from-both", f"ASK FROM {iri} FROM NAMED <{target}g> {{ GRAPH ?g {TRIPLE} }}"),
               ("describe", f"DESCRIBE {iri}"), ("graph", f"SELECT * WHERE {{ GRAPH {iri} {TRIPLE} }}"),
               ("literal-service", 'SELECT * WHERE { ?s ?p "x"@service }'),
               ("names-with-words", "PREFIX service: <http://e/service#> PREFIX load: <http://e/load#> "
                                    "SELECT ?service ?load WHERE { ?service service:load load:service }"),
               ("iri-words", "ASK { <http://e/SERVICE> <http://e/LOAD> 'SERVICE LOAD' }")]
    cases = [_query_request(f"harmless/{name}", text, i, refused=False) for i, (name, text) in enumerate(queries)]
    for name, params in (("default-graph-uri", {"default-graph-uri": target}),
                         ("named-graph-uri", {"named-graph-uri": target}),
                         ("both", {"default-graph-uri": target, "named-graph-uri": target + "g"})):
        text = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        cases.append(Case(f"dataset/{name}", "GET", "/sparql?" + urlencode({"query": text, **params}), refused=False))
        cases.append(Case(f"dataset-post/{name}", "POST", "/sparql?" + urlencode(params), text,
                          {"Content-Type": "application/sparql-query"}, refused=False))
    graph = quote(target, safe="")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    cases += [Case("graph-store/get", "GET", f"/graph-store?graph={graph}", refused=False),
              Case("graph-store/head", "HEAD", f"/graph-store?graph={graph}", refused=False),
              Case("graph-store/put", "PUT", f"/graph-store?graph={graph}", f"<{target}a> <{target}b> <{target}> .",
                   {"Content-Type": "text/turtle", **auth}, refused=False),
              Case("graph-store/post", "POST", f"/graph-store?graph={graph}", f"<{target}a> <{target}b> 1 .",
                   {"Content-Type": "text/turtle", **auth}, refused=False),
              Case("graph-store/delete", "DELETE", f"/graph-store?graph={graph}", None, auth, refused=False)]
    updates = [("create", f"CREATE SILENT GRAPH {iri}"), ("clear", f"CLEAR SILENT GRAPH {iri}"),
               ("drop", f"DROP SILENT GRAPH {iri}"), ("add", f"ADD SILENT {iri} TO DEFAULT"),
               ("copy", f"COPY SILENT {iri} TO <http://e/g>"), ("move", f"MOVE SILENT {iri} TO <http://e/h>")]
    cases += [_update_request(f"harmless-update/{name}", text, refused=False) for name, text in updates]
    cases.append(_update_request("harmless-update/using", "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", refused=False,
                                 params="?" + urlencode({"using-graph-uri": target})))
    return cases


def corpus(target: str) -> list[Case]:
    """The whole corpus against one target URL."""
    return query_corpus(target) + load_corpus(target) + harmless_corpus(target)


def _send(port: int, case: Case) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = case.body.encode() if case.body is not None else None
        connection.request(case.method, case.path, body=body, headers=case.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _store() -> OxigraphStore:
    # Data in the default graph and a named graph, so that the patterns joined with SERVICE match
    # something: an engine may skip a SERVICE whose other side of the join is empty.
    store = OxigraphStore()
    a, b, c = (ox.NamedNode(f"http://e/{name}") for name in "abc")
    store.bulk_load([ox.Quad(a, b, c), ox.Quad(a, b, c, ox.NamedNode("http://e/g"))])
    return store


@pytest.fixture(scope="module", params=["confined", "parser-only"])
def live(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "parser-only":
            patch.setattr(server.sandbox, "_seccomp", lambda: "turned off to test refusal by parsing alone")
        with LiveServer({"STORE": _store(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 2, "SOURCES": None,
                         "QUERY_TIMEOUT": 5, "CLIENT_QUERIES": 64}) as server_:
            yield server_


def test_ssrf_corpus_is_large_and_covers_the_issue_bypasses() -> None:
    cases = corpus("http://127.0.0.1:9/")
    names = {case.name for case in cases}
    assert len(cases) >= 200 + 4
    assert {"glued-pname/where", "comment-before-1/where", "escape-0/where", "escape-1/where",
            "load/glued-pname"} <= names
    assert len(names) == len(cases)


def test_ssrf_corpus_makes_no_connection(live: LiveServer) -> None:
    listener = ConnectionCounter()
    try:
        wrong: list[str] = []
        cases = corpus(listener.url)
        for case in cases:
            status, payload = _send(live.port, case)
            if case.refused:
                error = json.loads(payload).get("error", "") if payload else ""
                if status != 400 or not any(word in error for word in ("SERVICE", "LOAD", "syntax", "nests")):
                    wrong.append(f"{case.name}: {status} {error[:80]}")
            elif status >= 500:
                wrong.append(f"{case.name}: {status} {payload[:120]!r}")
        time.sleep(0.3)
        assert listener.count == 0
        assert not wrong, wrong
    finally:
        listener.close()
