"""Validation in proportion to the change: the neighbourhood of a write gives the same verdict as the whole store."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import generate
from graph.namespaces import ONTOLOGY_GRAPH
from graph.store import OxigraphStore
from server.validation import validate_change

QUADS = generate(2, seed=3)
STORE = OxigraphStore()
STORE.bulk_load(QUADS)
DATA = sorted((q for q in QUADS if q.graph_name != ox.NamedNode(str(ONTOLOGY_GRAPH))), key=str)
NODES = sorted({q.subject for q in DATA} | {q.object for q in DATA if isinstance(q.object, ox.NamedNode)}, key=str)
PREDICATES = sorted({q.predicate for q in DATA}, key=str)
GRAPHS = sorted({q.graph_name for q in DATA}, key=str)
LITERALS = [ox.Literal("x"), ox.Literal("2024-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
            ox.Literal("Etiqueta", language="es"), ox.Literal("12", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))]

new_quads = st.builds(ox.Quad, st.sampled_from(NODES), st.sampled_from(PREDICATES),
                      st.one_of(st.sampled_from(NODES), st.sampled_from(LITERALS)), st.sampled_from(GRAPHS))


def _key(report: object) -> set[tuple[str, str, str | None]]:
    # The report keeps one result per node, path and message; when several constraints of a property
    # share a message, which one is kept (and which value a message quotes) depends on the engine's
    # order, so results are compared by severity, node and path.
    return {(r.severity, r.focus, r.path) for r in report.results}  # type: ignore[attr-defined]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(removed=st.lists(st.sampled_from(DATA), max_size=4, unique=True),
       added=st.lists(new_quads, max_size=4, unique=True))
def test_writes_incremental_and_full_validation_agree(removed: list[ox.Quad], added: list[ox.Quad]) -> None:
    added = [q for q in added if q not in set(QUADS)]
    incremental = validate_change(STORE, removed, added, incremental=True)
    full = validate_change(STORE, removed, added, incremental=False)
    assert incremental.conforms == full.conforms
    assert _key(incremental) == _key(full), (_key(incremental) - _key(full), _key(full) - _key(incremental))
