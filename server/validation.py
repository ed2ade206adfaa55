"""The server's one door to the project's validation: SHACL shapes over the part of the data a write reaches.

A write is validated in proportion to its change. The nodes it touches (subjects and objects of
its quads) are the start; every node that reaches one of them within :data:`REACH` steps along
any property (other than ``rdf:type``) may have its conformance changed by the write, so those
are the focus nodes. Their descriptions, :data:`DEPTH` further steps out (vocabulary concepts and
classes included), plus the class and property hierarchy, are the data handed to the shapes, after the write; only
results about focus nodes are kept. The whole-graph rules of the shapes run over the same data,
so a rule across nodes is checked wherever the change can reach it.

When the change or its neighbourhood is large, or blank nodes are involved (SPARQL cannot name
them to fetch their neighbours), the whole dataset after the write is validated instead.

``graph.validation`` is imported when a write arrives, so a server without it still reads,
and a write then fails saying why instead of committing unchecked data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.store import GraphStore
from server.errors import ApiError
from server.graphs import gated

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
REACH = 2
DEPTH = 3
MAX_CHANGE = 2_000
MAX_NEIGHBOURHOOD = 50_000
_BATCH = 400


class ValidationUnavailable(ApiError):
    """The validation module is missing: writes are refused rather than committed unchecked."""

    def __init__(self, reason: str) -> None:
        super().__init__(503, "writes are disabled because the data cannot be validated: "
                              f"graph.validation is not available ({reason})")


class _TooLarge(Exception):
    """The neighbourhood cannot be fetched by name or is too large: validate the whole dataset."""


def validate(quads: list[ox.Quad], *, sources: Path | None = None) -> Any:
    """Validate a whole dataset; returns the report (``conforms``, ``to_text()``, ``to_json()``).

    :raises ValidationUnavailable: when ``graph.validation.validate_quads`` cannot be imported.
    """
    try:
        from graph.validation import validate_quads
    except ImportError as error:
        raise ValidationUnavailable(str(error)) from error
    return validate_quads(gated(quads), sources=sources)  # user graphs are not the shapes' business


def _nodes(quads: Iterable[ox.Quad]) -> set[Any]:
    found: set[Any] = set()
    for quad in quads:
        found.add(quad.subject)
        if not isinstance(quad.object, ox.Literal) and quad.predicate != RDF_TYPE:
            found.add(quad.object)
    return found


class _After:
    """The dataset after a delta, read by node through queries on the store before it."""

    def __init__(self, store: GraphStore, removed: list[ox.Quad], added: list[ox.Quad]) -> None:
        self.store, self.removed, self.added = store, set(removed), added

    def _fetch(self, nodes: set[Any], position: str) -> list[ox.Quad]:
        if any(not isinstance(node, ox.NamedNode) for node in nodes):
            raise _TooLarge("a blank node or triple term")
        found: list[ox.Quad] = []
        ordered = sorted(nodes, key=str)
        for start in range(0, len(ordered), _BATCH):
            values = " ".join(str(node) for node in ordered[start:start + _BATCH])
            variable = "?s" if position == "subject" else "?o"
            rows = self.store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES {variable} {{ {values} }} "
                                    "{ GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }", union_default=False)
            for row in rows:
                graph = row["g"] if row["g"] is not None else ox.DefaultGraph()
                quad = ox.Quad(row["s"], row["p"], row["o"], graph)
                if quad not in self.removed:
                    found.append(quad)
                if len(found) > MAX_NEIGHBOURHOOD:
                    raise _TooLarge("the neighbourhood is large")
        key = "subject" if position == "subject" else "object"
        found += [quad for quad in self.added if getattr(quad, key) in nodes]
        return found

    def out(self, nodes: set[Any]) -> list[ox.Quad]:
        """Quads whose subject is one of ``nodes``."""
        return self._fetch(nodes, "subject") if nodes else []

    def into(self, nodes: set[Any]) -> list[ox.Quad]:
        """Quads whose object is one of ``nodes``."""
        return self._fetch(nodes, "object") if nodes else []


def neighbourhood(store: GraphStore, removed: list[ox.Quad], added: list[ox.Quad]) -> tuple[set[Any], list[ox.Quad]]:
    """The focus nodes a delta may affect and the quads (after the delta) needed to validate them.

    :raises _TooLarge: when it cannot or should not be computed node by node.
    """
    after = _After(store, removed, added)
    focus = _nodes([*removed, *added])
    frontier = set(focus)
    for _ in range(REACH):
        frontier = {q.subject for q in after.into(frontier) if q.predicate != RDF_TYPE} - focus
        focus |= frontier
    data: dict[ox.Quad, None] = dict.fromkeys(after.into(focus))
    seen, frontier = set(focus), set(focus)
    for _ in range(DEPTH):
        described = after.out(frontier)
        data.update(dict.fromkeys(described))
        frontier = _nodes(described) - seen
        seen |= frontier
        if len(data) > MAX_NEIGHBOURHOOD:
            raise _TooLarge("the neighbourhood is large")
    for row in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o "
                           "VALUES ?p { rdfs:subClassOf rdfs:subPropertyOf } } }",
                           union_default=False, prefixes={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}):
        data[ox.Quad(row["s"], row["p"], row["o"], row["g"])] = None
    return focus, list(data)


def _whole(store: GraphStore, removed: list[ox.Quad], added: list[ox.Quad]) -> list[ox.Quad]:
    gone = set(removed)
    return [*(q for q in store.quads() if q not in gone), *added]


def validate_change(store: GraphStore, removed: list[ox.Quad], added: list[ox.Quad], *,
                    sources: Path | None = None, incremental: bool = True) -> Any:
    """Validate the dataset a delta would leave, on the part of it the delta can affect.

    :param incremental: False to validate the whole dataset after the delta.
    :return: the report, with only the results about nodes the delta may affect when incremental.
    :raises ValidationUnavailable: when ``graph.validation`` cannot be imported.
    """
    if incremental and len(removed) + len(added) <= MAX_CHANGE:
        try:
            focus, data = neighbourhood(store, removed, added)
        except _TooLarge:
            pass
        else:
            report = validate(data, sources=sources)
            names = {node.value for node in focus if isinstance(node, ox.NamedNode)}
            # Shapes targeting the objects of a property can have a literal as focus node.
            names |= {q.object.value for q in [*removed, *added] if isinstance(q.object, ox.Literal)}
            kept = [result for result in report.results if result.focus in names]
            return dataclasses.replace(report, results=kept)
    return validate(_whole(store, removed, added), sources=sources)
