"""Serialise the dataset, or one graph of it, deterministically: the one writer behind
``inviolable export`` and the server's ``/dumps/`` files, so both give the same bytes.

Statements are sorted, written by pyoxigraph's serialisers, with the project's prefixes in Turtle
and TriG. The dataset is the project graphs (:mod:`graph.project_graphs`): user graphs, which the
shapes never judged, are left out as they are left out of the query union, unless
``user_graphs=True`` asks for them, and then only in a dataset format, under their own names. A
dataset format (N-Quads, TriG, JSON-LD) keeps the graph names; a single-graph format (Turtle,
N-Triples, RDF/XML) receives the union of the project graphs, without the graph names. One graph
(``graph``), project or user, is written as triples in any format.
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from graph.project_graphs import is_project_graph
from graph.store import GraphStore

_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
_LINES = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)


def export_bytes(store: GraphStore, *, format: ox.RdfFormat, graph: str | None = None,
                 user_graphs: bool = False) -> bytes:
    """The project graphs (or ``graph``; with ``user_graphs``, every graph) serialised in ``format``.

    :raises ValueError: when the data cannot be written in ``format`` (RDF/XML and some IRIs), or
        when ``user_graphs`` is asked of a single-graph format (it would merge them into the union).
    """
    if user_graphs and (graph is not None or not format.supports_datasets):
        raise ValueError(f"user graphs are exported with their names, in N-Quads, TriG or JSON-LD, not in "
                         f"{format.name}{' of one graph' if graph is not None else ''}")
    quads = store.quads(graph)
    if graph is None and not user_graphs:
        quads = (quad for quad in quads if is_project_graph(quad.graph_name))
    items: list[ox.Quad] | list[ox.Triple]
    if graph is None and format.supports_datasets:
        items = sorted(set(quads), key=str)
    else:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    options = {"prefixes": PREFIXES} if format in _PREFIXED else {}
    data = ox.serialize(items, format=format, **options)
    if format in _LINES:
        # One statement per line: sorted lines whatever the serialiser's term order.
        data = b"".join(sorted(data.splitlines(keepends=True)))
    return data


def export(store: GraphStore, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
           user_graphs: bool = False) -> None:
    """Write the project graphs (or ``graph``, or every graph) to ``output`` in ``format``: see :func:`export_bytes`.

    :raises ValueError: when the data cannot be written in ``format``.
    """
    output.write(export_bytes(store, format=format, graph=graph, user_graphs=user_graphs))
