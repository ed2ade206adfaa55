"""The embedded engine behind the store interface: deltas in one transaction, versions, datasets."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph.store
from graph.delta import delta_update
from graph.store import OxigraphStore

P = ox.NamedNode("http://e/p")
G = ox.NamedNode("http://e/g")


def _quad(i: int, graph: ox.NamedNode | ox.DefaultGraph = G) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"http://e/s{i}"), P, ox.Literal(i), graph)


def test_store_apply_delta_removes_then_adds() -> None:
    store = OxigraphStore()
    store.bulk_load([_quad(1), _quad(2), _quad(3, ox.DefaultGraph())])
    store.apply_delta([_quad(1), _quad(3, ox.DefaultGraph())], [_quad(4), _quad(5, ox.DefaultGraph())])
    assert set(store.quads()) == {_quad(2), _quad(4), _quad(5, ox.DefaultGraph())}


def test_store_apply_delta_keeps_blank_node_identity() -> None:
    store = OxigraphStore()
    node = ox.BlankNode("kept")
    other = ox.BlankNode("other")
    store.bulk_load([ox.Quad(node, P, ox.Literal("a"), G), ox.Quad(other, P, ox.Literal("a"), G)])
    store.apply_delta([ox.Quad(node, P, ox.Literal("a"), G)],
                      [ox.Quad(node, P, ox.Literal("b"), G), ox.Quad(node, P, other, ox.DefaultGraph())])
    assert set(store.quads()) == {ox.Quad(other, P, ox.Literal("a"), G), ox.Quad(node, P, ox.Literal("b"), G),
                                  ox.Quad(node, P, other, ox.DefaultGraph())}


def test_store_apply_delta_escapes_literals_and_iris() -> None:
    store = OxigraphStore()
    awkward = ox.Quad(ox.NamedNode("http://e/s?q=1#x"), P, ox.Literal('quote " back \\ new\nline }'), G)
    store.apply_delta([], [awkward, ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal("hola", language="es"), G)])
    assert awkward in set(store.quads())
    store.apply_delta([awkward], [])
    assert awkward not in set(store.quads())


def test_store_apply_delta_failure_midway_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore()
    store.bulk_load([_quad(1), _quad(2)])
    node = ox.BlankNode("b")

    def failing(removed, added):  # the delta's own operations, then one that fails at the end
        text, terms = delta_update(removed, added)
        return f"{text} ;\nCREATE GRAPH {G}", terms

    monkeypatch.setattr(graph.store, "delta_update", failing)
    before = store.version()
    with pytest.raises(RuntimeError):
        store.apply_delta([_quad(1)], [_quad(3), ox.Quad(node, P, ox.Literal(9), G)])
    assert set(store.quads()) == {_quad(1), _quad(2)}
    assert store.version() == before


def _write_forever(path: str, ready: multiprocessing.synchronize.Event) -> None:
    store = OxigraphStore(Path(path))
    added = [_quad(i) for i in range(1, 60_000)]
    ready.set()
    store.apply_delta([_quad(0)], added)  # about 3 s of work: the kill lands in the middle


def test_store_apply_delta_is_all_or_nothing_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "db"
    first = OxigraphStore(path)
    first.bulk_load([_quad(0)])
    first.flush()
    del first
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    writer = context.Process(target=_write_forever, args=(str(path), ready))
    writer.start()
    assert ready.wait(60)
    time.sleep(1.2)
    if writer.is_alive():
        os.kill(writer.pid, signal.SIGKILL)
    writer.join()
    count = len(OxigraphStore(path, read_only=True))
    assert count in (1, 59_999), f"a killed delta left {count} quads: neither before (1) nor after (59999)"


def test_store_version_changes_with_each_commit() -> None:
    store = OxigraphStore()
    seen = {store.version()}
    store.apply_delta([], [_quad(1)])
    seen.add(store.version())
    store.update(f"INSERT DATA {{ GRAPH {G} {{ <http://e/x> {P} 1 }} }}")
    seen.add(store.version())
    store.load(b"<http://e/y> <http://e/p> \"2\" .", format=ox.RdfFormat.N_TRIPLES, graph="http://e/g")
    seen.add(store.version())
    assert len(seen) == 4
    store.apply_delta([], [])
    assert store.version() in seen
    assert OxigraphStore().version() not in seen


def test_store_query_dataset_options() -> None:
    store = OxigraphStore()
    store.bulk_load([_quad(1), _quad(2, ox.NamedNode("http://e/h")), _quad(3, ox.DefaultGraph())])

    def count(**options: object) -> int:
        return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **options)))["n"].value)

    assert count() == 3
    assert count(union_default=False) == 1
    assert count(default_graphs=["http://e/g"]) == 1
    assert not store.query("ASK { GRAPH ?g { ?s ?p ?o } }", default_graphs=["http://e/g"])
    assert store.query("ASK { GRAPH <http://e/h> { ?s ?p ?o } }", named_graphs=["http://e/h"])
    assert count(named_graphs=["http://e/h"]) == 0


def test_store_query_takes_base_iri_and_prefixes() -> None:
    store = OxigraphStore()
    store.bulk_load([ox.Quad(ox.NamedNode("http://e/a/s"), P, ox.Literal(1), G)])
    assert store.query("ASK { <s> e:p 1 }", base_iri="http://e/a/", prefixes={"e": "http://e/"})


def test_store_update_takes_base_iri() -> None:
    store = OxigraphStore()
    store.update("INSERT DATA { <s> <p> 1 }", base_iri="http://e/")
    assert set(store.quads()) == {ox.Quad(ox.NamedNode("http://e/s"), P, ox.Literal(1))}
