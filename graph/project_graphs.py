"""Which graphs are the project's and which are a user's own: the one rule that queries, writes and dumps follow.

- **Project graphs** are the store's default graph and every named graph under
  ``https://w3id.org/inviolable/graph/`` (:data:`graph.namespaces.GRAPH`). The shapes judge every
  write to them; together they are the default graph of queries and the content of the dumps.
- **User graphs** are all other named graphs (a client's own data sent to the Graph Store, such as
  ``http://example.org/notes``). The shapes do not judge them, so they stay out of the union and out
  of the dumps unless a request names them.
"""

from __future__ import annotations

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
