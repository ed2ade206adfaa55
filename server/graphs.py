"""Which graphs are the project's and which are a user's own, and what the query union holds.

- **Project graphs** are the store's default graph and every named graph under
  ``https://w3id.org/inviolable/graph/``. Every write that reaches them goes through the shapes, and
  together they are the default graph of queries (the union).
- **User graphs** are all other named graphs (a client's own data sent to the Graph Store, such as
  ``http://example.org/notes``). A write to them is accepted once it parses; the shapes do not judge
  it, and so user graphs stay out of the union: queries reach them only by name (``GRAPH <g>``,
  ``FROM``, ``default-graph-uri``, the Graph Store), never by accident.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from graph.namespaces import GRAPH

PROJECT_GRAPHS = str(GRAPH)
#: How a dataset option names the store's own default graph (no IRI can be empty).
DEFAULT_GRAPH_NAME = ""


def is_project_graph(name: ox.NamedNode | ox.DefaultGraph | ox.BlankNode | str | None) -> bool:
    """True for the default graph and the graphs under :data:`PROJECT_GRAPHS`.

    >>> is_project_graph(ox.DefaultGraph()), is_project_graph("https://w3id.org/inviolable/graph/reference")
    (True, True)
    >>> is_project_graph(ox.NamedNode("http://www.example/gsp/person/1.ttl"))
    False
    """
    if name is None or isinstance(name, ox.DefaultGraph) or name == DEFAULT_GRAPH_NAME:
        return True
    value = name if isinstance(name, str) else name.value
    return value.startswith(PROJECT_GRAPHS)


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
