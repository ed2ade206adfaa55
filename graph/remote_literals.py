"""Literals as Virtuoso 7 gives them back, restored to the RDF that was stored.

Virtuoso keeps some typed literals in its own representation and writes them back differently:
``xsd:boolean`` as ``1``/``0``, ``xsd:duration`` as a number of months (year-month durations) or
of seconds (day-time durations), and WKT geometries with its own datatype. The values are the
same; this module writes them back in their canonical RDF form, so that both engines give the
same terms (and the same exports). A duration mixing months and days cannot be stored by
Virtuoso 7 at all: it keeps only one part (see docs/deployment.md).

>>> restore(XSD + "boolean", "1"), restore(XSD + "duration", "96"), restore(XSD + "duration", "-86400.0")
(('http://www.w3.org/2001/XMLSchema#boolean', 'true'), ('http://www.w3.org/2001/XMLSchema#duration', 'P8Y'), \
('http://www.w3.org/2001/XMLSchema#duration', '-P1D'))
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
VIRTUOSO_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
_TYPED = re.compile(rb'"datatype"\s*:\s*"([^"]+)"\s*,\s*"value"\s*:\s*("(?:[^"\\]|\\.)*")')
_AFFECTED = (XSD + "boolean", XSD + "duration", VIRTUOSO_GEOMETRY)


def _duration(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value  # already a lexical duration
    sign, number = ("-" if number < 0 else ""), abs(number)
    if "." not in value and "E" not in value.upper():
        years, months = divmod(int(number), 12)
        parts = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return f"{sign}P{parts}"
    days, rest = divmod(number, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    clock += f"{seconds.normalize():f}S" if seconds else ""
    text = (f"{int(days)}D" if days else "") + (f"T{clock}" if clock else "")
    return f"{sign}P{text or 'T0S'}"


def restore(datatype: str, value: str) -> tuple[str, str]:
    """The datatype and lexical form of a literal as it was stored, from Virtuoso's rendering."""
    if datatype == XSD + "boolean":
        return datatype, {"1": "true", "0": "false"}.get(value, value)
    if datatype == XSD + "duration":
        return datatype, _duration(value)
    if datatype == VIRTUOSO_GEOMETRY:
        return WKT, value
    return datatype, value


def restore_json(body: bytes) -> bytes:
    """SPARQL JSON results with the affected literals restored."""
    def replace(match: re.Match[bytes]) -> bytes:
        datatype = match.group(1).decode()
        if datatype not in _AFFECTED:
            return match.group(0)
        datatype, value = restore(datatype, json.loads(match.group(2)))
        return f'"datatype": "{datatype}", "value": {json.dumps(value)}'.encode()
    return _TYPED.sub(replace, body)


def restore_term(term: ox.Term) -> ox.Term:
    """A term read from the engine with its literal restored (other terms as they are)."""
    if isinstance(term, ox.Literal) and term.datatype.value in _AFFECTED:
        datatype, value = restore(term.datatype.value, term.value)
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return term
