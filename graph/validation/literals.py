"""Closed-world checks of literal values: well-formed lexical forms, and the datatype of each property.

The SHACL shapes check the datatype of the properties they name; pyshacl does not reject an
ill-formed value of the right datatype, such as ``"2024-13"^^xsd:gYearMonth`` or
``"2024-02-30"^^xsd:date``. This module checks every literal of a date, time, number or boolean
datatype against its XML Schema lexical space, and every value of a property whose ontology
declares an ``rdfs:range`` in XML Schema against that datatype.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from graph.config import ONTOLOGY_DIR
from graph.validation.convert import TermConverter
from graph.validation.report import VIOLATION, ValidationResult, short_iri

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
# An ill-formed literal is reported as a violation at its line; rdflib would also print its own
# conversion warning, with a Python traceback, whenever such a literal becomes an rdflib term.
logging.getLogger("rdflib.term").addHandler(logging.NullHandler())
logging.getLogger("rdflib.term").propagate = False

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"


def _dated(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)

    def check(text: str) -> bool:
        match = compiled.fullmatch(text)
        if match is None:
            return False
        parts = match.groupdict()
        month = int(parts.get("month") or 1)
        if not 1 <= month <= 12:
            return False
        if parts.get("day") is not None:
            # The Gregorian calendar repeats every 400 years: check leap days on an equivalent year.
            year = 2000 + abs(int(parts["year"])) % 400
            if not 1 <= int(parts["day"]) <= calendar.monthrange(year, month)[1]:
                return False
        if parts.get("hour") is not None:
            hour, minute, second = int(parts["hour"]), int(parts["minute"]), float(parts["second"])
            if hour == 24:
                return minute == 0 and second == 0
            return hour < 24 and minute < 60 and second < 60
        return True

    return check


def _pattern(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.fullmatch(text) is not None


_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}(?:\.\d+)?)"
_DOUBLE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN"
LEXICAL_FORMS: dict[str, tuple[Callable[[str], bool], str]] = {
    XSD + "date": (_dated(rf"(?P<year>{_YEAR})-(?P<month>\d{{2}})-(?P<day>\d{{2}}){_TZ}"), '"2024-04-05"'),
    XSD + "dateTime": (_dated(rf"(?P<year>{_YEAR})-(?P<month>\d{{2}})-(?P<day>\d{{2}})T{_TIME}{_TZ}"),
                       '"2024-04-05T22:00:00-05:00"'),
    XSD + "time": (_dated(rf"{_TIME}{_TZ}"), '"22:00:00"'),
    XSD + "gYearMonth": (_dated(rf"(?P<year>{_YEAR})-(?P<month>\d{{2}}){_TZ}"), '"2024-04"'),
    XSD + "gYear": (_dated(rf"(?P<year>{_YEAR}){_TZ}"), '"2024"'),
    XSD + "integer": (_pattern(r"[+-]?\d+"), '"12"'),
    XSD + "nonNegativeInteger": (_pattern(r"\+?\d+|-0+"), '"12"'),
    XSD + "positiveInteger": (_pattern(r"\+?0*[1-9]\d*"), '"12"'),
    XSD + "decimal": (_pattern(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"), '"1.5"'),
    XSD + "double": (_pattern(_DOUBLE), '"1.5E3"'),
    XSD + "float": (_pattern(_DOUBLE), '"1.5E3"'),
    XSD + "boolean": (_pattern(r"true|false|1|0"), "true"),
    XSD + "duration": (_pattern(r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?"
                                r"(?:\d+(?:\.\d+)?S)?)?"), '"P2Y6M"'),
}


def well_formed(literal: ox.Literal) -> bool:
    """True when ``literal``'s lexical form belongs to its datatype (or the datatype is not checked).

    >>> well_formed(ox.Literal("2024-02-30", datatype=ox.NamedNode(XSD + "date")))
    False
    >>> well_formed(ox.Literal("2024-04", datatype=ox.NamedNode(XSD + "gYearMonth")))
    True
    """
    checker = LEXICAL_FORMS.get(literal.datatype.value)
    return checker is None or checker[0](literal.value)


def ill_formed_results(quads: Iterable[ox.Quad], *, message: str, shape: str,
                       component: str) -> list[ValidationResult]:
    """One violation per triple whose literal is not in its datatype's lexical space.

    :param message: template with ``{value}``, ``{datatype}`` and ``{example}`` placeholders.
    """
    convert, verdicts, results = TermConverter(), {}, []
    for quad in quads:
        value = quad.object
        if not isinstance(value, ox.Literal) or value.datatype.value not in LEXICAL_FORMS:
            continue
        ok = verdicts.get(value)
        if ok is None:
            ok = verdicts[value] = well_formed(value)
        if not ok and isinstance(quad.subject, ox.NamedNode):
            datatype = value.datatype.value
            results.append(ValidationResult(
                severity=VIOLATION, focus=quad.subject.value, path=quad.predicate.value, value=convert(value),
                message=message.format(value=f'"{value.value}"', datatype=short_iri(datatype),
                                       example=f"{LEXICAL_FORMS[datatype][1]}^^{short_iri(datatype)}"),
                shape=shape, component=component))
    return results


def declared_ranges(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """Property → datatype, for every ``rdfs:range`` in XML Schema (or ``rdf:langString``) in ``quads``."""
    return {q.subject.value: q.object.value for q in quads
            if q.predicate.value == RANGE and isinstance(q.object, ox.NamedNode)
            and (q.object.value.startswith(XSD) or q.object.value == RDF + "langString")}


@cache
def _ontology_ranges(files: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    ranges: dict[str, str] = {}
    for path, _ in files:
        try:
            ranges.update(declared_ranges(ox.parse(path=path, format=ox.RdfFormat.TURTLE)))
        except (OSError, SyntaxError):
            continue
    return tuple(ranges.items())


def ontology_ranges(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, str]:
    """The datatype ranges the committed ontology declares."""
    paths = sorted(ontology_dir.glob("*.ttl"))
    return dict(_ontology_ranges(tuple((str(p), p.stat().st_mtime_ns) for p in paths)))


def _store_ranges(store: ox.Store) -> dict[str, str] | None:
    """:func:`declared_ranges` of the triples of ``store``, or None when a property has two (order decides then)."""
    query = (f"SELECT ?property ?range WHERE {{ ?property <{RANGE}> ?range FILTER (isIRI(?range) && "
             f'(STRSTARTS(STR(?range), "{XSD}") || ?range = <{RDF}langString>)) }}')
    ranges: dict[str, str] = {}
    for solution in store.query(query):
        prop, datatype = solution["property"].value, solution["range"].value
        if ranges.setdefault(prop, datatype) != datatype:
            return None
    return ranges


def _any_wrong_datatype(store: ox.Store, ranges: dict[str, str]) -> bool:
    """Whether some value in ``store`` lacks its property's datatype (the test of :func:`wrong_datatype_results`)."""
    if not ranges:
        return False
    pairs = " ".join(f"(<{prop}> <{datatype}>)" for prop, datatype in sorted(ranges.items()))
    query = (f"ASK {{ VALUES (?property ?datatype) {{ {pairs} }} ?subject ?property ?value "
             "FILTER (isIRI(?subject) && !(isLiteral(?value) && (sameTerm(DATATYPE(?value), ?datatype) || "
             f"(sameTerm(?datatype, <{XSD}string>) && sameTerm(DATATYPE(?value), <{RDF}langString>))))) }}")
    return bool(store.query(query))


def wrong_datatype_results(quads: Sequence[ox.Quad], *, message: str, shape: str, component: str,
                           skip: frozenset[str] = frozenset(), store: ox.Store | None = None,
                           ontology_dir: Path = ONTOLOGY_DIR) -> list[ValidationResult]:
    """One violation per value whose datatype is not its property's declared ``rdfs:range``.

    :param message: template with ``{property}``, ``{datatype}`` and ``{value}`` placeholders.
    :param skip: properties whose datatype a shape already checks (reported once, by the shape).
    :param store: a store holding the triples of ``quads``: one query then tells whether any value
        is wrong, and the quads are read only when one is.
    """
    stored = _store_ranges(store) if store is not None else None
    ranges = {**ontology_ranges(ontology_dir), **(stored if stored is not None else declared_ranges(quads))}
    for prop in skip:
        ranges.pop(prop, None)
    if store is not None and not _any_wrong_datatype(store, ranges):
        return []
    convert, results = TermConverter(), []
    for quad in quads:
        expected = ranges.get(quad.predicate.value)
        if expected is None or not isinstance(quad.subject, ox.NamedNode):
            continue
        value = quad.object
        actual = value.datatype.value if isinstance(value, ox.Literal) else None
        if actual == expected or (expected == XSD + "string" and actual == RDF + "langString"):
            continue
        shown = convert(value)
        results.append(ValidationResult(
            severity=VIOLATION, focus=quad.subject.value, path=quad.predicate.value, value=shown,
            message=message.format(property=short_iri(quad.predicate.value), datatype=short_iri(expected),
                                   value=short_iri(actual) if actual else "not a literal"),
            shape=shape, component=component))
    return results


__all__ = ["LEXICAL_FORMS", "declared_ranges", "ill_formed_results", "ontology_ranges", "well_formed",
           "wrong_datatype_results"]
