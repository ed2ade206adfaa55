"""Run the shapes' whole-graph SHACL-SPARQL rules with Oxigraph instead of rdflib.

Rules across nodes are SPARQL constraints of shapes that target the single node
``<https://w3id.org/inviolable/shapes#dataset>``; each binds ``?value`` to the offending node.
They are plain SHACL-SPARQL, so any SHACL engine runs them, but rdflib evaluates such queries
hundreds of times slower than Oxigraph; this module runs them natively, reports the offending
node as the result's focus node (or ``?focus`` when the query binds it, with ``?value`` as the
offending value), and hands pyshacl the shapes without them.

A SPARQL constraint of any other shape may carry ``<https://w3id.org/inviolable/shapes#wholeGraph> true``:
its query selects its own focus nodes (``$this`` is bound by the query's first pattern to exactly
the shape's targets), so evaluating it once with ``$this`` free finds what evaluating it once per
focus node would. It is run here in the same way, with ``?this`` as the focus node, and left out of
the shapes handed to the SHACL engine, which would otherwise evaluate it once per focus node.

A shape of the dataset node may instead name a closed-world check implemented in Python with
``<https://w3id.org/inviolable/shapes#check>``: ``"defined-terms"`` (every class and property of a
checked namespace exists), ``"lexical-forms"`` (every date, number or boolean is well formed) or
``"declared-datatypes"`` (every value has its property's ``rdfs:range``). Its ``sh:message`` is the
template of the results' messages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from graph.namespaces import SH, SHAPES
from graph.validation.literals import ill_formed_results, wrong_datatype_results
from graph.validation.report import VIOLATION, ValidationResult
from graph.validation.vocabulary_terms import undefined_term_results

DATASET_NODE = str(SHAPES.dataset)
CHECK = URIRef(str(SHAPES["check"]))
WHOLE_GRAPH = URIRef(str(SHAPES["wholeGraph"]))
CLOSED_WORLD_COMPONENT = str(SHAPES.ClosedWorldConstraintComponent)
_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


class WholeGraphRule(Protocol):
    """A rule evaluated once over the whole dataset."""

    shape: str

    def run(self, store: ox.Store, quads: Sequence[ox.Quad], text: str | None = None) -> list[ValidationResult]:
        """The results of the rule over ``store``, whose default graph holds the triples of ``quads``
        (``text``, when given, is those triples as N-Triples)."""
        ...


@dataclass(frozen=True)
class DatasetRule:
    """One whole-graph SPARQL constraint: its query, message, severity and shape.

    ``focus`` names the variable bound to the focus node: ``focus`` for a rule of the dataset node
    (the offending node ``?value`` is the focus when it is unbound), ``this`` for a whole-graph
    constraint of a shape with its own targets.
    """

    shape: str
    query: str
    message: str
    severity: str
    focus: str = "focus"

    def run(self, store: ox.Store, quads: Sequence[ox.Quad], text: str | None = None) -> list[ValidationResult]:
        """One result per solution that binds ``?value``."""
        results = []
        for solution in store.query(self.query):
            value, focus = solution["value"], _bound(solution, self.focus, blank=self.focus == "this")
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

    def run(self, store: ox.Store, quads: Sequence[ox.Quad], text: str | None = None) -> list[ValidationResult]:
        """The violations the check finds in ``store`` (which holds the triples of ``quads``, and
        ``text`` those triples as N-Triples when given)."""
        options = {"message": self.message, "shape": self.shape, "component": CLOSED_WORLD_COMPONENT}
        if self.check == "defined-terms":
            return undefined_term_results(quads, store=store, triples_text=text, **options)
        if self.check == "lexical-forms":
            # Over the quads as parsed: the store holds some literals in canonical form ("1" for "01").
            return ill_formed_results(quads, **options)
        if self.check == "declared-datatypes":
            return wrong_datatype_results(quads, store=store, skip=self.datatype_checked, **options)
        raise ValueError(f"{self.shape}: unknown closed-world check {self.check!r}")


def dataset_rules(shapes: Graph) -> list[WholeGraphRule]:
    """The SPARQL constraints and closed-world checks of every shape that targets the dataset node,
    and the constraints of other shapes marked ``shapes:wholeGraph``."""
    rules: list[WholeGraphRule] = []
    for shape, constraint in _whole_graph_constraints(shapes):
        severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
        rules.append(DatasetRule(str(shape), _query(shapes, constraint), _message(shapes, constraint, str(shape)),
                                 str(severity).rpartition("#")[2] or VIOLATION, focus="this"))
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
            rules.append(DatasetRule(str(shape), _query(shapes, constraint), _message(shapes, constraint, str(shape)),
                                     str(severity).rpartition("#")[2] or VIOLATION))
    return rules


def _whole_graph_constraints(shapes: Graph) -> list[tuple[URIRef, object]]:
    """(shape, constraint) for each SPARQL constraint marked ``shapes:wholeGraph`` of a shape with its own targets."""
    dataset_shapes = set(shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)))
    found = []
    for constraint in shapes.subjects(WHOLE_GRAPH, Literal(True)):
        for shape in shapes.subjects(SH.sparql, constraint):
            if shape not in dataset_shapes and shapes.value(constraint, SH.select) is not None:
                found.append((shape, constraint))
    return sorted(found, key=lambda pair: str(pair[0]))


def _query(shapes: Graph, constraint: object) -> str:
    return _prefixes(shapes, constraint) + str(shapes.value(constraint, SH.select)).replace("$this", "?this")


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
    for prefix, namespace in shapes.namespaces():
        remaining.bind(prefix, namespace)
    skipped = set(shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)))
    moved = {constraint for _, constraint in _whole_graph_constraints(shapes)}
    # The blank nodes of a moved constraint (its message, its type) go with it.
    dropped = set(moved)
    pending = list(moved)
    while pending:
        for value in shapes.objects(pending.pop(), None):
            if isinstance(value, BNode) and value not in dropped:
                dropped.add(value)
                pending.append(value)
    for triple in shapes:
        if triple[0] in skipped or triple[0] in dropped or (triple[1] == SH.sparql and triple[2] in moved):
            continue
        remaining.add(triple)
    return remaining


def core_shapes(shapes: Graph) -> Graph:
    """The shapes graph without the rules run here, for the SHACL engine (computed once per shapes graph)."""
    return _shapes_without_rules(shapes)


def rules_store(quads: Iterable[ox.Quad] | None = None, *, triples_text: str | None = None) -> ox.Store:
    """An in-memory store whose default graph holds the triples of ``quads`` (or the N-Triples ``triples_text``).

    Graph names are dropped: no rule reads them, and the store's size is then the number of
    distinct triples.
    """
    store = ox.Store()
    if triples_text is None:
        triples_text = ox.serialize((quad.triple for quad in quads or ()), format=ox.RdfFormat.N_TRIPLES)
    if triples_text:
        store.bulk_load(triples_text, format=ox.RdfFormat.N_TRIPLES)
    return store


def run_rules(store: ox.Store, quads: Sequence[ox.Quad], rules: Sequence[WholeGraphRule],
              timings: dict[str, float] | None = None, *, text: str | None = None) -> list[ValidationResult]:
    """Evaluate ``rules`` over ``store`` (see :func:`rules_store`); ``timings`` gets each rule's seconds.

    :param text: the triples of ``quads`` as N-Triples (:func:`graph.validation.turbo.triples_text`),
        when already written: the closed-world term check then scans it instead of querying the store.
    """
    results = []
    for rule in rules:
        began = time.perf_counter()
        results.extend(rule.run(store, quads, text))
        if timings is not None:
            name = rule.shape.rpartition("#")[2] + (f" {rule.check}" if isinstance(rule, ClosedWorldRule) else "")
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - began
    return results


def run_dataset_rules(quads: Sequence[ox.Quad], rules: Sequence[WholeGraphRule]) -> list[ValidationResult]:
    """Evaluate ``rules`` over ``quads`` (all graphs together) and return their results."""
    if not rules:
        return []
    return run_rules(rules_store(quads), quads, rules)


def _bound(solution: ox.QuerySolution, name: str, *, blank: bool = False) -> ox.NamedNode | ox.BlankNode | None:
    try:
        term = solution[name]
    except (KeyError, IndexError, ValueError):
        return None
    return term if isinstance(term, ox.NamedNode) or (blank and isinstance(term, ox.BlankNode)) else None


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


__all__ = ["CLOSED_WORLD_COMPONENT", "DATASET_NODE", "WHOLE_GRAPH", "ClosedWorldRule", "DatasetRule", "WholeGraphRule",
           "core_shapes", "dataset_rules", "rules_store", "run_dataset_rules", "run_rules"]
