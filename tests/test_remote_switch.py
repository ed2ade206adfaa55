"""The build's switch on the remote engine, seen by readers: every old graph, or every new one, never a mix."""

from __future__ import annotations

import threading
from collections import Counter

import pyoxigraph as ox

from graph.remote_load import switch_operations
from graph.remote_store import RemoteStore
from tests.conftest import remote_store
from tests.virtuoso import VirtuosoServer

MARKER, GENERATION, FILLER = (ox.NamedNode(f"http://e/{name}") for name in ("marker", "generation", "filler"))
GRAPHS = (ox.DefaultGraph(), *(ox.NamedNode(f"http://e/graph-{letter}") for letter in "abc"))
TRIPLES_PER_GRAPH = 1500  # enough for the engine to take a while over each graph's switch
SWITCHES = 3
_READ = (f"SELECT ?n WHERE {{ {{ {MARKER} {GENERATION} ?n }} UNION {{ GRAPH ?g {{ {MARKER} {GENERATION} ?n }} }} }}")


def _generation(number: int) -> list[ox.Quad]:
    """Every graph holding the generation's marker and filler triples that differ from one generation to the next."""
    quads = []
    for index, graph in enumerate(GRAPHS):
        quads.append(ox.Quad(MARKER, GENERATION, ox.Literal(number), graph))
        quads += [ox.Quad(ox.NamedNode(f"http://e/s{index}-{i}"), FILLER, ox.Literal(f"{number}-{i}"), graph)
                  for i in range(TRIPLES_PER_GRAPH)]
    return quads


def _read_until(store: RemoteStore, done: threading.Event, seen: Counter[tuple[str, ...]], errors: list[str]) -> None:
    try:
        while not done.is_set():
            seen[_generations(store)] += 1
    except Exception as error:  # noqa: BLE001 - reported by the test, as text (a traceback holds engine objects)
        errors.append(repr(error))


def _generations(store: RemoteStore) -> tuple[str, ...]:
    """The generation marker of each graph, as one read sees them."""
    return tuple(sorted(row["n"].value for row in store.query(_READ, union_default=False, timeout=60)))  # type: ignore[index,union-attr]


def test_remote_switch_readers_never_see_old_and_new_graphs_together(virtuoso_scratch: VirtuosoServer) -> None:
    store = remote_store(virtuoso_scratch)
    store.replace_all(_generation(0))
    done = threading.Event()
    seen: Counter[tuple[str, ...]] = Counter()
    errors: list[str] = []
    readers = [threading.Thread(target=_read_until, args=(store.reopen(), done, seen, errors)) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for number in range(1, SWITCHES + 1):
            store.replace_all(_generation(number))
    finally:
        done.set()
        for reader in readers:
            reader.join()
    whole = {tuple([str(number)] * len(GRAPHS)) for number in range(SWITCHES + 1)}
    assert not errors
    assert seen, "the readers read nothing"
    assert set(seen) <= whole, f"mixed states seen: { {k: v for k, v in seen.items() if k not in whole} }"
    assert len(store) == len(GRAPHS) * (TRIPLES_PER_GRAPH + 1)


def test_remote_switch_is_one_request_without_move() -> None:
    text = switch_operations({"http://e/g": "urn:inviolable:staging:x:0"}, ["http://e/old"], "v1")
    assert "MOVE" not in text  # Virtuoso commits inside a MOVE
    assert text.index("CLEAR SILENT GRAPH <http://e/g>") < text.index("ADD SILENT <urn:inviolable:staging:x:0>")
    assert "CLEAR SILENT GRAPH <http://e/old>" in text
    assert text.count("INSERT DATA { GRAPH <urn:inviolable:store>") == 1  # the register rewritten in the same request
