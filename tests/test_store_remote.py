"""The remote engine behind the store interface, against a scratch Virtuoso, and beside the embedded one."""

from __future__ import annotations

import http.server
import io
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graph.export import export_bytes
from graph.remote_http import Client, RemoteError, ResultCut
from graph.remote_store import RemoteStore
from graph.store import GraphStore, OxigraphStore
from server.testing import json_body, loopback_http
from tests.conftest import MakeApp, remote_store, require_executable
from tests.virtuoso import VirtuosoServer

P = ox.NamedNode("http://e/p")
G = ox.NamedNode("http://e/g")
H = ox.NamedNode("http://e/h")
XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


def _quad(i: int, graph: ox.NamedNode | ox.DefaultGraph = G) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"http://e/s{i}"), P, ox.Literal(f"v{i}"), graph)


@pytest.fixture()
def remote(virtuoso_scratch: VirtuosoServer) -> RemoteStore:
    store = remote_store(virtuoso_scratch)
    store.replace_all([])
    return store


@pytest.fixture(params=["oxigraph", "virtuoso"])
def either(request: pytest.FixtureRequest) -> GraphStore:
    if request.param == "oxigraph":
        return OxigraphStore()
    store = remote_store(request.getfixturevalue("virtuoso_scratch"))
    store.replace_all([])
    return store


def test_store_remote_apply_delta_removes_then_adds(either: GraphStore) -> None:
    either.apply_delta([], [_quad(1), _quad(2), _quad(3, ox.DefaultGraph())])
    either.apply_delta([_quad(1), _quad(3, ox.DefaultGraph())], [_quad(4, H)])
    assert set(either.quads()) == {_quad(2), _quad(4, H)}
    assert either.graph_names() == ["http://e/g", "http://e/h"]


def test_store_remote_removes_a_stored_blank_node_exactly(either: GraphStore) -> None:
    first, second = ox.BlankNode("one"), ox.BlankNode("two")
    either.apply_delta([], [ox.Quad(first, P, ox.Literal("a"), G), ox.Quad(second, P, ox.Literal("a"), G),
                            ox.Quad(ox.NamedNode("http://e/s"), P, first, G)])
    stored = list(either.quads())
    target = next(q for q in stored if isinstance(q.subject, ox.BlankNode)
                  and ox.Quad(ox.NamedNode("http://e/s"), P, q.subject, G) in set(stored))
    either.apply_delta([target], [ox.Quad(target.subject, P, ox.Literal("b"), G)])
    after = set(either.quads())
    assert ox.Quad(target.subject, P, ox.Literal("b"), G) in after
    assert target not in after
    assert len([q for q in after if q.object == ox.Literal("a")]) == 1  # the other blank node kept its triple


def test_store_remote_version_changes_with_each_commit(either: GraphStore) -> None:
    seen = {either.version()}
    either.apply_delta([], [_quad(1)])
    seen.add(either.version())
    either.load(b'<http://e/x> <http://e/p> "x" .', format=ox.RdfFormat.N_TRIPLES, graph="http://e/g")
    seen.add(either.version())
    either.apply_delta([_quad(1)], [])
    seen.add(either.version())
    assert len(seen) == 4


def test_store_remote_query_dataset_options_match_the_embedded_engine(either: GraphStore) -> None:
    either.apply_delta([], [_quad(1), _quad(2, H), _quad(3, ox.DefaultGraph())])

    def count(**options: object) -> int:
        return int(next(iter(either.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **options)))["n"].value)

    assert count() == 3
    assert count(union_default=False) == 1
    assert count(default_graphs=["http://e/g"]) == 1
    assert not either.query("ASK { GRAPH ?g { ?s ?p ?o } }", default_graphs=["http://e/g"])
    assert either.query("ASK { GRAPH <http://e/h> { ?s ?p ?o } }", named_graphs=["http://e/h"])
    assert either.query("ASK { <s1> e:p 'v1' }", base_iri="http://e/", prefixes={"e": "http://e/"})


def test_store_remote_export_is_the_same_bytes_on_both_engines(remote: RemoteStore) -> None:
    quads = [_quad(1), _quad(2, H), _quad(3, ox.DefaultGraph()),
             ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal("hola", language="es"), G),
             ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal("7", datatype=ox.NamedNode(
                 "http://www.w3.org/2001/XMLSchema#integer")), G),
             *(ox.Quad(ox.NamedNode(f"http://e/t{i}"), P, ox.Literal(value, datatype=ox.NamedNode(datatype)), G)
               for i, (value, datatype) in enumerate([("true", XSD + "boolean"), ("false", XSD + "boolean"),
                                                       ("P8Y", XSD + "duration"), ("P11M", XSD + "duration"),
                                                       ("-P1D", XSD + "duration"), ("PT1H30M", XSD + "duration"),
                                                       ("POINT(1 2)", WKT)]))]
    embedded = OxigraphStore()
    embedded.bulk_load(quads)
    remote.apply_delta([], quads)
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        assert export_bytes(remote, format=fmt) == export_bytes(embedded, format=fmt), fmt


def test_store_remote_restored_literals_can_be_removed_again(remote: RemoteStore) -> None:
    quads = [ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)), G)
             for value, datatype in [("true", "boolean"), ("P8Y", "duration"), ("P1D", "duration")]]
    remote.apply_delta([], quads)
    stored = set(remote.quads())
    assert stored == set(quads)
    remote.apply_delta(stored, [])
    assert list(remote.quads()) == []


def test_store_remote_refuses_a_removal_it_cannot_match(remote: RemoteStore) -> None:
    point = ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal("POINT(1 2)", datatype=ox.NamedNode(WKT)), G)
    remote.apply_delta([], [point, _quad(1)])
    with pytest.raises(ValueError, match="cannot remove"):
        remote.apply_delta([point, _quad(1)], [])
    assert set(remote.quads()) == {point, _quad(1)}


def test_store_remote_keeps_other_graphs_of_the_engine_out(remote: RemoteStore) -> None:
    assert remote.graph_names() == []
    assert not remote.query("ASK { ?s ?p ?o }")  # Virtuoso's own system graphs are not in the dataset
    assert not remote.query("ASK { GRAPH ?g { ?s ?p ?o } }")


def test_store_remote_refused_change_leaves_nothing(remote: RemoteStore) -> None:
    remote.apply_delta([], [_quad(1)])
    before = remote.version()
    ill_typed = ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal("not a number", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), G)
    with pytest.raises(ValueError, match="nothing was applied"):
        remote.apply_delta([_quad(1)], [_quad(2), ill_typed])
    assert set(remote.quads()) == {_quad(1)}
    assert remote.version() == before


def test_store_remote_refuses_service_and_syntax_errors(remote: RemoteStore) -> None:
    with pytest.raises(ValueError, match="SERVICE"):
        remote.query("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(SyntaxError):
        remote.query("SELECT * { ?s ?p }")
    with pytest.raises(ValueError, match="LOAD"):
        remote.update("LOAD <http://127.0.0.1:9/data.ttl>")


def test_store_remote_engine_refuses_service_to_anonymous_readers(virtuoso_scratch: VirtuosoServer) -> None:
    body = b"query=SELECT+*+{+SERVICE+<http://127.0.0.1:9/sparql>+{+?s+?p+?o+}+}"
    with pytest.raises(RemoteError) as refused:
        Client().request("POST", virtuoso_scratch.query_url, body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert refused.value.status >= 400


def test_store_remote_replace_all_switches_graphs_and_drops_the_old(remote: RemoteStore) -> None:
    remote.apply_delta([], [_quad(1), _quad(2, H)])
    remote.replace_all([_quad(3), _quad(4, ox.NamedNode("http://e/new"))])
    assert remote.graph_names() == ["http://e/g", "http://e/new"]
    assert set(remote.quads()) == {_quad(3), _quad(4, ox.NamedNode("http://e/new"))}
    names = {row["g"].value for row in remote.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
                                                      default_graphs=["urn:none"], named_graphs=None)}
    assert not any(name.startswith("urn:inviolable:staging") for name in names)


def test_store_remote_failed_build_leaves_the_previous_data(remote: RemoteStore) -> None:
    remote.apply_delta([], [_quad(1)])
    before = remote.version()
    remote.load_dir = None  # through the Graph Store, which fails here after a first graph went in
    calls = []
    real = remote._client.request

    def failing_second(method: str, url: str, **options: object) -> object:
        if url == remote.graph_store_url:
            calls.append(url)
            if len(calls) == 2:
                raise RemoteError("the engine went away", 503)
        return real(method, url, **options)

    remote._client.request = failing_second  # type: ignore[method-assign]
    with pytest.raises(RemoteError):
        remote.replace_all([_quad(2), _quad(3, H)])
    remote._client.request = real  # type: ignore[method-assign]
    assert set(remote.quads()) == {_quad(1)}
    assert remote.version() == before


def test_store_remote_bulk_load_uses_the_engine_loader(remote: RemoteStore) -> None:
    quads = [_quad(i) for i in range(2000)] + [_quad(i, ox.DefaultGraph()) for i in range(10)]
    remote.bulk_load(quads)
    assert len(remote) == 2010
    assert remote.graph_names() == ["http://e/g"]
    remote.load_dir = None
    remote.bulk_load([_quad(5000, H)])
    assert set(remote.quads("http://e/h")) == {_quad(5000, H)}


def test_store_remote_result_at_the_engine_row_limit_is_refused_not_cut(remote: RemoteStore) -> None:
    # Virtuoso cuts HTTP results at 1,048,576 rows whatever its ini says, silently (its bench at 10M
    # returned exactly that many rows of cq-09); the store is told the limit, here a small one.
    remote.apply_delta([], [_quad(i) for i in range(150)])
    remote.max_rows = 100
    with pytest.raises(ResultCut, match="limit of 100 rows"):
        remote.query("SELECT * { ?s ?p ?o }")
    with pytest.raises(ResultCut):
        remote.query("CONSTRUCT { ?s ?p ?o . ?s <http://e/q> ?o } WHERE { ?s ?p ?o }")
    assert len(list(remote.query("SELECT * { ?s ?p ?o } LIMIT 99"))) == 99


def test_store_remote_server_answers_507_for_a_result_at_the_row_limit(remote: RemoteStore, make_app: MakeApp) -> None:
    remote.apply_delta([], [_quad(i) for i in range(150)])
    remote.max_rows = 100
    client = make_app({"STORE": remote, "QUERY_WORKERS": 1, "SOURCES": None}).test_client()
    every = {"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": "http://e/g"}
    response = client.get("/sparql", query_string=every)
    assert response.status_code == 507
    assert "limit of 100 rows" in json_body(response)["error"]
    assert client.get("/sparql", query_string={**every, "query": "SELECT * { ?s ?p ?o } LIMIT 10"}).status_code == 200


def test_store_remote_quads_of_a_graph_past_the_row_limit_come_in_pages(remote: RemoteStore) -> None:
    quads = [_quad(i) for i in range(250)] + [_quad(i, H) for i in range(30)]
    remote.apply_delta([], quads)
    remote.max_rows = 100
    read = list(remote.quads())
    assert len(read) == len(quads) and set(read) == set(quads)
    assert set(remote.quads("http://e/g")) == set(quads[:250])
    dumped = io.BytesIO()
    remote.dump(dumped, format=ox.RdfFormat.N_QUADS)
    assert set(ox.parse(dumped.getvalue(), format=ox.RdfFormat.N_QUADS)) == set(quads)


def test_store_remote_result_the_engine_says_it_cut_is_refused() -> None:
    require_executable("virtuoso-t")
    with VirtuosoServer(overrides={"SPARQL": {"ResultSetMaxRows": "100"}}) as server:
        store = remote_store(server)
        store.replace_all([_quad(i) for i in range(150)])
        with pytest.raises(ResultCut, match="limit of 100 rows"):
            store.query("SELECT * { ?s ?p ?o }")  # the engine sends X-SPARQL-MaxRows with 100 of 150 rows
        assert len(list(store.query("SELECT * { ?s ?p ?o } LIMIT 50"))) == 50


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        if self.path.startswith("/partial"):
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("X-SQL-State", "S1TAT")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')
            return
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_engine() -> Iterator[str]:
    with loopback_http(_Slow) as url:
        yield url


def test_store_remote_deadline_is_enforced_on_the_client_side(fake_engine: str) -> None:
    store = RemoteStore(f"{fake_engine}/slow")
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        store.query("SELECT * { ?s ?p ?o }", default_graphs=["http://e/g"], timeout=0.5)
    assert time.monotonic() - began < 2.5


def test_store_remote_partial_answer_is_an_error_not_a_result(fake_engine: str) -> None:
    store = RemoteStore(f"{fake_engine}/partial")
    with pytest.raises(TimeoutError, match="time limit"):
        store.query("SELECT * { ?s ?p ?o }", default_graphs=["http://e/g"], timeout=5)


def test_store_remote_server_holds_a_slow_engine_to_the_deadline(fake_engine: str) -> None:
    from server.app import create_app

    app = create_app({"STORE": RemoteStore(f"{fake_engine}/slow"), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 0.5,
                      "SOURCES": None})
    try:
        began = time.monotonic()
        response = app.test_client().post("/sparql", data={"query": "SELECT * { ?s ?p ?o }"})
        assert response.status_code in (500, 503), response.get_data()  # an error, never a 200
        assert response.get_json()["ok"] is False
        assert time.monotonic() - began < 2.5
    finally:
        app.extensions["inviolable"].pool.close()
