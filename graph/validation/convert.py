"""Turn pyoxigraph quads into the rdflib Graph that pyshacl validates.

Re-parsing the Turtle with rdflib would cost more than validating, so terms are converted
directly, each distinct term once.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TermConverter:
    """Convert pyoxigraph terms to rdflib terms, remembering each one already seen.

    >>> converter = TermConverter()
    >>> converter(ox.Literal("2024-04-05", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    rdflib.term.Literal('2024-04-05', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """

    def __init__(self) -> None:
        self._seen: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        """The rdflib term equal to ``term``.

        :raises TypeError: for RDF 1.2 triple terms, which rdflib cannot hold.
        """
        found = self._seen.get(term)
        if found is None:
            found = self._seen[term] = self._convert(term)
        return found

    @staticmethod
    def _convert(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(datatype))
        raise TypeError(f"cannot convert {term!r} to an rdflib term")


class ValidationGraph(Graph):
    """An in-memory rdflib Graph that parses each SPARQL query text only once.

    pyshacl hands rdflib the text of a SHACL-SPARQL constraint once per focus node, and rdflib
    parses it each time; parsing then costs far more than evaluating. Remembering the parsed
    query keeps SHACL-SPARQL at evaluation cost.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, str | None], Query] = {}

    def query(self, query_object: str | Query, *args: object, **kwargs: object) -> Result:  # type: ignore[override]
        """Evaluate a query, parsing its text only the first time it is seen."""
        if isinstance(query_object, str) and not kwargs.get("initNs") and not kwargs.get("base"):
            key = (query_object, None)
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepared[key] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def quads_to_graph(quads: Iterable[ox.Quad], *, graph: Graph | None = None) -> Graph:
    """Add the triples of ``quads`` (graph names dropped) to an rdflib Graph and return it.

    :param graph: the graph to add to; a new in-memory graph when None.
    :raises TypeError: when a quad holds a triple term.
    """
    target = graph if graph is not None else ValidationGraph()
    convert = TermConverter()
    target.addN((convert(q.subject), convert(q.predicate), convert(q.object), target) for q in quads)
    return target
