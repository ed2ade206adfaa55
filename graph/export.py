"""Serialise the dataset, or one graph of it, deterministically: the one writer behind
``inviolable export`` and the server's ``/dumps/`` files, so both give the same bytes.

Statements are sorted, written by pyoxigraph's serialisers, with the project's prefixes in Turtle
and TriG. A dataset format (N-Quads, TriG, JSON-LD) keeps the graph names; a single-graph format
(Turtle, N-Triples, RDF/XML) given the whole dataset receives the union of its graphs, without
the graph names. One graph (``graph``) is written as triples in any format.
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from graph.store import GraphStore

_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
_LINES = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)


def export_bytes(store: GraphStore, *, format: ox.RdfFormat, graph: str | None = None) -> bytes:
    """The dataset (or ``graph``) serialised in ``format``.

    :raises ValueError: when the data cannot be written in ``format`` (RDF/XML and some IRIs).
    """
    items: list[ox.Quad] | list[ox.Triple]
    if graph is None and format.supports_datasets:
        items = sorted(set(store.quads()), key=str)
    else:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)}, key=str)
    options = {"prefixes": PREFIXES} if format in _PREFIXED else {}
    data = ox.serialize(items, format=format, **options)
    if format in _LINES:
        # One statement per line: sorted lines whatever the serialiser's term order.
        data = b"".join(sorted(data.splitlines(keepends=True)))
    return data


def export(store: GraphStore, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
    """Write the dataset (or ``graph``) to ``output`` in ``format``: see :func:`export_bytes`.

    :raises ValueError: when the data cannot be written in ``format``.
    """
    output.write(export_bytes(store, format=format, graph=graph))
