"""What the project/user graph rule (:mod:`graph.project_graphs`) means for writes and for the query union.

- **Project graphs** (the store's default graph and every named graph under
  ``https://w3id.org/inviolable/graph/``): every write that reaches them goes through the shapes, and
  together they are the default graph of queries (the union) and the content of the dumps.
- **User graphs** (all other named graphs, a client's own data sent to the Graph Store, such as
  ``http://example.org/notes``): a write to them is accepted once it parses; the shapes do not judge
  it, and so user graphs stay out of the union: queries reach them only by name (``GRAPH <g>``,
  ``FROM``, ``default-graph-uri``, the Graph Store), never by accident.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from graph.project_graphs import DEFAULT_GRAPH_NAME, PROJECT_GRAPHS, is_project_graph


def gated(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads that belong to project graphs, which the shapes judge."""
    return [quad for quad in quads if is_project_graph(quad.graph_name)]


def union_dataset(names: Iterable[str]) -> tuple[list[str], list[str]] | None:
    """The default graphs and named graphs of the query union, or None when it is simply every graph.

    :param names: the store's named graphs.
    :return: None when the store holds no user graph; otherwise the default graph and the project graphs
        as the default graphs, and every named graph as the named graphs.

    >>> union_dataset(["https://w3id.org/inviolable/graph/a"]) is None
    True
    >>> union_dataset(["https://w3id.org/inviolable/graph/a", "http://e/mine"])
    (['', 'https://w3id.org/inviolable/graph/a'], ['https://w3id.org/inviolable/graph/a', 'http://e/mine'])
    """
    names = list(names)
    if all(is_project_graph(name) for name in names):
        return None
    return [DEFAULT_GRAPH_NAME, *(name for name in names if is_project_graph(name))], names


__all__ = ["DEFAULT_GRAPH_NAME", "PROJECT_GRAPHS", "gated", "is_project_graph", "union_dataset"]
