"""Serialise the dataset, or one graph of it, deterministically."""

from __future__ import annotations

import io
from typing import IO

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from graph.store import GraphStore


def export(store: GraphStore, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
    """Write the dataset (or ``graph``) to ``output``; N-Triples and N-Quads lines are sorted.

    A single-graph format (Turtle, N-Triples, RDF/XML) given the whole dataset receives the union
    of its graphs, without the graph names.
    """
    if graph is None and not format.supports_datasets:
        union = ox.Store()
        union.extend(ox.Quad(t.subject, t.predicate, t.object)
                     for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"))
        buffer = io.BytesIO()
        union.dump(buffer, format=format, from_graph=ox.DefaultGraph(), **_prefixed(format))
        data = buffer.getvalue()
        if format is ox.RdfFormat.N_TRIPLES:
            data = b"".join(sorted(set(data.splitlines(keepends=True))))
        output.write(data)
        return
    if format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        buffer = io.BytesIO()
        store.dump(buffer, format=format, graph=graph)
        output.writelines(sorted(buffer.getvalue().splitlines(keepends=True)))
        return
    store.dump(output, format=format, graph=graph, prefixes=PREFIXES)


def _prefixed(format: ox.RdfFormat) -> dict:
    return {"prefixes": PREFIXES} if format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
