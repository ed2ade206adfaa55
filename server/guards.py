"""Guards against destructive writes: emptying a graph the project depends on, or removing much of one.

A write is refused (409) when, as a whole:

- it empties the ontology graph, the reference graph or a document graph (``CLEAR``/``DROP`` of
  one of them, ``DROP ALL``/``CLEAR ALL``, or deletes that amount to the same), or
- it removes more than ``DESTRUCTIVE_SHARE`` (default 0.1, i.e. 10 %) of the quads of any graph,
  counting only writes that remove at least ``DESTRUCTIVE_FLOOR`` quads of it (default 10), so that
  correcting a few statements of a small graph stays possible.

A server started with ``INVIOLABLE_ALLOW_DESTRUCTIVE=true`` accepts such writes (they are still
validated and journalled).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import pyoxigraph as ox

from graph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
from graph.store import GraphStore
from server.errors import ApiError

DEFAULT_SHARE = 0.1
DEFAULT_FLOOR = 10


def protected_graphs() -> set[str]:
    """The ontology graph, the reference graph and every document graph of the source manifest."""
    names = {str(ONTOLOGY_GRAPH), str(REFERENCE_GRAPH)}
    try:
        from graph.sources import load_manifest

        names |= {document.graph for document in load_manifest().values()}
    except (OSError, ValueError):
        pass
    return names


def _name(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else ""


def graph_size(store: GraphStore, graph: str, *, at_most: int | None = None) -> int:
    """The number of quads in one graph (the default graph for ``""``), counting no further than ``at_most``.

    Counting stops there, so that guarding a small write on a large graph costs little.
    """
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    if at_most is not None:
        pattern = f"{{ SELECT * WHERE {{ {pattern} }} LIMIT {at_most} }}"
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", union_default=False))
    return int(rows[0]["n"].value) if rows else 0


def check_destructive(store: GraphStore, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], *,
                      share: float = DEFAULT_SHARE, floor: int = DEFAULT_FLOOR,
                      protected: set[str] | None = None) -> None:
    """Refuse a delta that empties a protected graph or removes too large a share of a graph.

    :raises ApiError: 409 naming the graph, how much would be removed, and the setting that allows it.
    """
    gone = Counter(_name(quad.graph_name) for quad in removed)
    if not gone:
        return
    kept = Counter(_name(quad.graph_name) for quad in added)
    guarded = protected_graphs() if protected is None else protected
    for graph, count in sorted(gone.items()):
        # Past this many quads neither rule can apply, so the count stops there.
        bound = count + 1 if count < floor else max(count + 1, math.ceil(count / share) + 1)
        size = graph_size(store, graph, at_most=bound)
        shown = f"<{graph}>" if graph else "the default graph"
        if graph in guarded and count >= size and not kept[graph]:
            raise ApiError(409, f"the write would empty {shown}, which the project's data depends on "
                                f"({count} quads); the store is unchanged. Such writes need a server "
                                "started with INVIOLABLE_ALLOW_DESTRUCTIVE=true")
        if count >= floor and count > share * size:
            raise ApiError(409, f"the write would remove {count} of the {size} quads of {shown}, more than "
                                f"{share:.0%}; the store is unchanged. Such writes need a server started "
                                "with INVIOLABLE_ALLOW_DESTRUCTIVE=true")
