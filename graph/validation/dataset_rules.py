"""Run the shapes' whole-graph SHACL-SPARQL rules with Oxigraph instead of rdflib.

Rules across nodes are SPARQL constraints of shapes that target the single node
``<https://w3id.org/inviolable/shapes#dataset>``; each binds ``?value`` to the offending node.
They are plain SHACL-SPARQL, so any SHACL engine runs them, but rdflib evaluates such queries
hundreds of times slower than Oxigraph; this module runs them natively, reports the offending
node as the result's focus node (or ``?focus`` when the query binds it, with ``?value`` as the
offending value), and hands pyshacl the shapes without them.

A shape of the dataset node may instead name a closed-world check implemented in Python with
``<https://w3id.org/inviolable/shapes#check>``: ``"defined-terms"`` (every class and property of a
checked namespace exists), ``"lexical-forms"`` (every date, number or boolean is well formed) or
``"declared-datatypes"`` (every value has its property's ``rdfs:range``). Its ``sh:message`` is the
template of the results' messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from graph.namespaces import SH
from graph.store import OxigraphStore
from graph.validation.literals import ill_formed_results, wrong_datatype_results
from graph.validation.report import VIOLATION, ValidationResult
from graph.validation.vocabulary_terms import undefined_term_results

DATASET_NODE = "https://w3id.org/inviolable/shapes#dataset"
CHECK = URIRef("https://w3id.org/inviolable/shapes#check")
CLOSED_WORLD_COMPONENT = "https://w3id.org/inviolable/shapes#ClosedWorldConstraintComponent"
_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


class WholeGraphRule(Protocol):
    """A rule evaluated once over the whole dataset."""

    shape: str

    def run(self, store: OxigraphStore, quads: Sequence[ox.Quad]) -> list[ValidationResult]:
        """The results of the rule over ``store`` (which holds exactly ``quads``)."""
        ...


@dataclass(frozen=True)
class DatasetRule:
    """One whole-graph SPARQL constraint: its query, message, severity and shape."""

    shape: str
    query: str
    message: str
    severity: str

    def run(self, store: OxigraphStore, quads: Sequence[ox.Quad]) -> list[ValidationResult]:
        """One result per solution that binds ``?value``."""
        results = []
        for solution in store.query(self.query):
            value, focus = solution["value"], _bound(solution, "focus")
            if value is None:
                continue
            path = solution["path"]
            results.append(ValidationResult(
                severity=self.severity, focus=(focus or value).value, message=_fill(self.message, solution),
                path=path.value if isinstance(path, ox.NamedNode) else None, shape=self.shape,
                value=_rdflib(value) if focus is not None else None, component=str(SH.SPARQLConstraintComponent)))
        return results


@dataclass(frozen=True)
class ClosedWorldRule:
    """A closed-world check of the whole dataset, implemented in Python (see the module docstring)."""

    shape: str
    check: str
    message: str
    datatype_checked: frozenset[str] = frozenset()

    def run(self, store: OxigraphStore, quads: Sequence[ox.Quad]) -> list[ValidationResult]:
        """The violations the check finds in ``quads``."""
        options = {"message": self.message, "shape": self.shape, "component": CLOSED_WORLD_COMPONENT}
        if self.check == "defined-terms":
            return undefined_term_results(quads, **options)
        if self.check == "lexical-forms":
            return ill_formed_results(quads, **options)
        if self.check == "declared-datatypes":
            return wrong_datatype_results(quads, skip=self.datatype_checked, **options)
        raise ValueError(f"{self.shape}: unknown closed-world check {self.check!r}")


def dataset_rules(shapes: Graph) -> list[WholeGraphRule]:
    """The SPARQL constraints and closed-world checks of every shape that targets the dataset node."""
    rules: list[WholeGraphRule] = []
    for shape in shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)):
        check = shapes.value(shape, CHECK)
        if check is not None:
            rules.append(ClosedWorldRule(str(shape), str(check), _message(shapes, shape, str(shape)),
                                         _datatype_checked(shapes)))
            continue
        shape_severity = shapes.value(shape, SH.severity)
        for constraint in shapes.objects(shape, SH.sparql):
            select = shapes.value(constraint, SH.select)
            if select is None:
                continue
            severity = shapes.value(constraint, SH.severity) or shape_severity or SH.Violation
            rules.append(DatasetRule(str(shape), _prefixes(shapes, constraint) + str(select).replace("$this", "?this"),
                                     _message(shapes, constraint, str(shape)),
                                     str(severity).rpartition("#")[2] or VIOLATION))
    return rules


def _message(shapes: Graph, node: object, shape: str) -> str:
    messages = sorted(shapes.objects(node, SH.message), key=lambda m: (getattr(m, "language", "") != "en", str(m)))
    return str(messages[0]) if messages else f"fails a rule of {shape}"


def _datatype_checked(shapes: Graph) -> frozenset[str]:
    """Properties whose datatype a property shape checks (so a closed-world rule need not)."""
    return frozenset(str(path) for constraint in shapes.subjects(SH.datatype, None)
                     if isinstance(path := shapes.value(constraint, SH.path), URIRef))


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


def run_dataset_rules(quads: list[ox.Quad], rules: Sequence[WholeGraphRule]) -> list[ValidationResult]:
    """Evaluate ``rules`` over ``quads`` (all graphs together) and return their results."""
    if not rules:
        return []
    store = OxigraphStore()
    store.bulk_load(quads)
    results = []
    for rule in rules:
        results.extend(rule.run(store, quads))
    return results


def _bound(solution: ox.QuerySolution, name: str) -> ox.NamedNode | None:
    try:
        term = solution[name]
    except (KeyError, IndexError, ValueError):
        return None
    return term if isinstance(term, ox.NamedNode) else None


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
    from graph.validation.convert import TermConverter

    return TermConverter()(term)


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


__all__ = ["CLOSED_WORLD_COMPONENT", "DATASET_NODE", "ClosedWorldRule", "DatasetRule", "WholeGraphRule", "core_shapes",
           "dataset_rules", "run_dataset_rules"]
