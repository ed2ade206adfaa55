"""Describe a store: triples per named graph and entities per class."""

from __future__ import annotations

from dataclasses import dataclass

from graph.namespaces import ONTOLOGY_GRAPH
from graph.store import GraphStore

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_PER_CLASS = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g != <{ONTOLOGY_GRAPH}>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass(frozen=True)
class Summary:
    """Counts of a built store."""

    triples_per_graph: dict[str, int]
    entities_per_class: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.triples_per_graph.values())

    def to_text(self) -> str:
        """A plain-text table of both counts."""
        width = max((len(k) for k in [*self.triples_per_graph, *self.entities_per_class]), default=10)
        lines = ["triples per graph:"]
        lines += [f"  {g:<{width}}  {n:>7}" for g, n in self.triples_per_graph.items()]
        lines += [f"  {'total':<{width}}  {self.total:>7}", "entities per class:"]
        lines += [f"  {c:<{width}}  {n:>7}" for c, n in self.entities_per_class.items()]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"triples_per_graph": self.triples_per_graph, "total": self.total,
                "entities_per_class": self.entities_per_class}


def summarise(store: GraphStore) -> Summary:
    """Count the triples of each graph and the instances of each class outside the ontology."""
    graphs = {row["g"].value: int(row["n"].value) for row in store.query(_PER_GRAPH)}
    classes = {row["class"].value: int(row["n"].value) for row in store.query(_PER_CLASS)}
    return Summary(graphs, classes)
