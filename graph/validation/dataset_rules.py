"""Run the shapes' whole-graph SHACL-SPARQL rules with Oxigraph instead of rdflib.

Rules across nodes are SPARQL constraints of shapes that target the single node
``<https://w3id.org/inviolable/shapes#dataset>``; each binds ``?value`` to the offending node.
They are plain SHACL-SPARQL, so any SHACL engine runs them, but rdflib evaluates such queries
hundreds of times slower than Oxigraph; this module runs them natively, reports the offending
node as the result's focus node, and hands pyshacl the shapes without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from graph.namespaces import SH
from graph.validation.report import VIOLATION, ValidationResult

DATASET_NODE = "https://w3id.org/inviolable/shapes#dataset"
_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class DatasetRule:
    """One whole-graph SPARQL constraint: its query, message, severity and shape."""

    shape: str
    query: str
    message: str
    severity: str


def dataset_rules(shapes: Graph) -> list[DatasetRule]:
    """The SPARQL constraints of every shape that targets the dataset node."""
    rules = []
    for shape in shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)):
        shape_severity = shapes.value(shape, SH.severity)
        for constraint in shapes.objects(shape, SH.sparql):
            select = shapes.value(constraint, SH.select)
            if select is None:
                continue
            severity = shapes.value(constraint, SH.severity) or shape_severity or SH.Violation
            messages = sorted(shapes.objects(constraint, SH.message),
                              key=lambda m: (getattr(m, "language", "") != "en", str(m)))
            rules.append(DatasetRule(str(shape), _prefixes(shapes, constraint) + str(select).replace("$this", "?this"),
                                     str(messages[0]) if messages else f"fails a rule of {shape}",
                                     str(severity).rpartition("#")[2] or VIOLATION))
    return rules


@cache
def _shapes_without_rules(shapes: Graph) -> Graph:
    remaining = Graph()
    skipped = set(shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)))
    for triple in shapes:
        if triple[0] not in skipped:
            remaining.add(triple)
    return remaining


def core_shapes(shapes: Graph) -> Graph:
    """The shapes graph without the dataset rules, for pyshacl (computed once per shapes graph)."""
    return _shapes_without_rules(shapes)


def run_dataset_rules(quads: list[ox.Quad], rules: list[DatasetRule]) -> list[ValidationResult]:
    """Evaluate ``rules`` over ``quads`` (all graphs together) and return one result per solution."""
    if not rules:
        return []
    store = ox.Store()
    store.bulk_extend(quads)
    results = []
    for rule in rules:
        for solution in store.query(rule.query, use_default_graph_as_union=True):
            value = solution["value"]
            if value is None:
                continue
            path = solution["path"]
            results.append(ValidationResult(
                severity=rule.severity, focus=value.value, message=_fill(rule.message, solution),
                path=path.value if isinstance(path, ox.NamedNode) else None, shape=rule.shape,
                component=str(SH.SPARQLConstraintComponent)))
    return results


def _fill(message: str, solution: ox.QuerySolution) -> str:
    def replace(match: re.Match[str]) -> str:
        term = solution[match.group(1)]
        return term.value if term is not None else match.group(0)

    return _TEMPLATE.sub(replace, message)


def _prefixes(shapes: Graph, constraint: object) -> str:
    lines = []
    for declarations in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declarations, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if isinstance(prefix, Literal) and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines) + "\n"


__all__ = ["DATASET_NODE", "DatasetRule", "core_shapes", "dataset_rules", "run_dataset_rules"]
