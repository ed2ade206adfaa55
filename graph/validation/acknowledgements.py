"""Warnings acknowledged in the data, with a reason, so that ``--strict`` can gate CI.

A recommendation that the source cannot satisfy (a term of office with no dates in the
document, say) is acknowledged on the node it is about::

    <membership/x> inv:acknowledgedWarning [
        inv:warningProperty org:memberDuring ;
        skos:note "The article names the post but gives no dates for it."@en ] .

A warning on that node and property is then reported as acknowledged, with its reason, and
counts neither as a warning nor against ``--strict``. Violations cannot be acknowledged. An
acknowledgement that matches no warning is itself a warning, so stale ones get removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from graph.namespaces import INV, SHAPES
from graph.validation.report import VIOLATION, WARNING, ValidationResult

ACKNOWLEDGED = str(INV.acknowledgedWarning)
PROPERTY = str(INV.warningProperty)
NOTE = "http://www.w3.org/2004/02/skos/core#note"
STALE_SHAPE = str(INV.AcknowledgementShape)


@dataclass(frozen=True)
class Acknowledgement:
    """A node's acknowledgement of the warnings on one of its properties."""

    focus: str
    path: str
    reason: str


def acknowledgements(quads: Iterable[ox.Quad]) -> list[Acknowledgement]:
    """Every acknowledgement stated in ``quads`` (the English note is the reason)."""
    owners: dict[ox.NamedNode | ox.BlankNode, str] = {}
    paths: dict[ox.NamedNode | ox.BlankNode, str] = {}
    notes: dict[ox.NamedNode | ox.BlankNode, dict[str, str]] = {}
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == ACKNOWLEDGED and isinstance(quad.subject, ox.NamedNode) and not isinstance(
                quad.object, ox.Literal):
            owners[quad.object] = quad.subject.value
        elif predicate == PROPERTY and isinstance(quad.object, ox.NamedNode):
            paths[quad.subject] = quad.object.value
        elif predicate == NOTE and isinstance(quad.object, ox.Literal):
            notes.setdefault(quad.subject, {})[quad.object.language or ""] = quad.object.value
    found = []
    for node, focus in owners.items():
        texts = notes.get(node, {})
        reason = texts.get("en") or next(iter(texts.values()), "")
        if node in paths and reason:
            found.append(Acknowledgement(focus, paths[node], reason))
    return found


def acknowledge(results: Sequence[ValidationResult], quads: Iterable[ox.Quad]) -> list[ValidationResult]:
    """``results`` with acknowledged warnings marked, plus a warning for each unused acknowledgement."""
    stated = {(a.focus, a.path): a for a in acknowledgements(quads)}
    used: set[tuple[str, str]] = set()
    marked = []
    for result in results:
        key = (result.focus, result.path or "")
        if result.severity != VIOLATION and key in stated:
            used.add(key)
            marked.append(replace(result, acknowledged=stated[key].reason))
        else:
            marked.append(result)
    for key, unused in stated.items():
        if key not in used:
            marked.append(ValidationResult(
                severity=WARNING, focus=unused.focus, path=ACKNOWLEDGED,
                message=f"The acknowledged warning on {_short(unused.path)} is no longer raised; "
                        "remove the acknowledgement.", shape=STALE_SHAPE,
                component=str(SHAPES.AcknowledgementConstraintComponent)))
    return marked


def _short(iri: str) -> str:
    from graph.validation.report import short_iri

    return short_iri(iri)


__all__ = ["ACKNOWLEDGED", "Acknowledgement", "acknowledge", "acknowledgements"]
