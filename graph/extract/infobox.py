"""Read a wikitext infobox into facts about the document's incident, each with its evidence.

The facts are stated about the same IRIs the curated data uses: the incident the document is
``schema:about`` (in the reference graph), and the states, persons, places and posts the
infobox names, resolved through the reference graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from graph.extract.entities import Resolver, kind_of
from graph.extract.turtle import Turtle, add_span, iri, literal, xsd_date
from graph.extract.wikitext import ExtractionError, Located, template_name
from graph.namespaces import evidence_iri, vocabulary_scheme
from graph.sources import SourceDocument

#: What an infobox ``methods`` value names, as an incident type.
METHOD_TYPES = {"raid": vocabulary_scheme("incident-type") + "raid-on-premises"}
_DESCRIBED_FIELDS = ("goals", "methods", "result")


def coordinates_wkt(template: Template) -> str:
    """A ``{{coord}}`` template (degrees, minutes, seconds and hemispheres) as a WKT point.

    :raises ValueError: when its positional values are not numbers and hemispheres.

    >>> import mwparserfromhell as mw
    >>> coordinates_wkt(mw.parse("{{coord|0|10|40|S|78|28|42|W|type:event}}").filter_templates()[0])
    'POINT(-78.478333 -0.177778)'
    """
    values = [str(p.value).strip() for p in template.params if not p.showkey]
    numbers: list[list[float]] = [[], []]
    signs = [1, 1]
    axis = 0
    for value in values:
        if value in ("N", "S", "E", "W"):
            signs[axis] = -1 if value in ("S", "W") else 1
            axis += 1
            if axis == 2:
                break
        elif re.fullmatch(r"-?\d+(\.\d+)?", value):
            numbers[axis].append(float(value))
        else:
            raise ValueError(f"unexpected coordinate value {value!r}")
    if axis == 0 and len(numbers[0]) == 2:
        latitude, longitude = numbers[0]
    else:
        latitude, longitude = (signs[i] * sum(n / 60 ** k for k, n in enumerate(numbers[i])) for i in (0, 1))
    return f"POINT({longitude:.6f} {latitude:.6f})"


def find_infobox(nodes: list[Located]) -> Located | None:
    """The first top-level infobox template of the document."""
    for located in nodes:
        if not located.containers and template_name(located.node).startswith("infobox"):
            return located
    return None


@dataclass(frozen=True)
class Field:
    """An infobox field's value: its span (surrounding white space left out) and its parsed content."""

    start: int
    end: int
    value: Wikicode

    @property
    def empty(self) -> bool:
        return self.end <= self.start


def _value_spans(text: str, infobox: Located) -> dict[str, Field]:
    template = infobox.node
    assert isinstance(template, Template)
    spans = {}
    cursor = infobox.start + 2 + len(str(template.name))
    for parameter in template.params:
        cursor += 1
        start = cursor + (len(str(parameter.name)) + 1 if parameter.showkey else 0)
        end = cursor + len(str(parameter))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        spans[str(parameter.name).strip().lower()] = Field(start, end, parameter.value)
        cursor += len(str(parameter))
    return spans


def extract_infobox(turtle: Turtle, document: SourceDocument, text: str, nodes: list[Located],
                    resolver: Resolver, incident: str) -> int:
    """Add the infobox's facts about ``incident`` to ``turtle``; return how many fields were read.

    :raises ExtractionError: when a date or the coordinates cannot be read.
    """
    infobox = find_infobox(nodes)
    if infobox is None:
        return 0
    fields = _value_spans(text, infobox)
    subject = iri(incident)
    read = 0

    def evidence(name: str) -> str:
        node = add_span(turtle, document, text, fields[name].start, fields[name].end)
        turtle.add(subject, "prov:wasDerivedFrom", node)
        return node

    if "date" in fields and not fields["date"].empty:
        start, end = fields["date"].start, fields["date"].end
        try:
            day = datetime.strptime(text[start:end], "%d %B %Y").date()
        except ValueError as error:
            raise ExtractionError(document.slug, text, start, "infobox date is not a day such as 5 April 2024") \
                from error
        turtle.add(subject, "sem:hasTimeStamp", xsd_date(day))
        evidence("date")
        read += 1
    if "place" in fields:
        place = _resolve_place(text, fields["place"], resolver)
        if place:
            turtle.add(subject, "sem:hasPlace", iri(place))
            evidence("place")
            read += 1
    if "coordinates" in fields:
        start, value = fields["coordinates"].start, fields["coordinates"].value
        coords = [t for t in value.filter_templates(recursive=False) if template_name(t) == "coord"]
        if coords:
            try:
                wkt = coordinates_wkt(coords[0])
            except ValueError as error:
                raise ExtractionError(document.slug, text, start, f"infobox coordinates: {error}") from error
            geometry = iri(f"{incident}#geometry")
            turtle.add(subject, "geo:hasGeometry", geometry)
            turtle.add(geometry, "a", "geo:Geometry")
            turtle.add(geometry, "geo:asWKT", literal(wkt, datatype="geo:wktLiteral"))
            evidence("coordinates")
            read += 1
    for name in _DESCRIBED_FIELDS:
        if name in fields and not fields[name].empty:
            _describe(turtle, document, text, fields[name], subject, name)
            read += 1
    read += _parties(turtle, document, text, fields, resolver, incident)
    return read


def _resolve_place(text: str, field: Field, resolver: Resolver) -> str | None:
    value = field.value
    plain = value.strip_code().strip()
    parts = [part.strip() for part in plain.split(",")]
    for size in range(len(parts), 0, -1):
        found = resolver.by_name(", ".join(parts[:size]))
        if found and kind_of(found) == "place":
            return found
    for link in value.filter_wikilinks():
        found = resolver.by_title(str(link.title))
        if found and kind_of(found) == "place":
            return found
    return None


def _describe(turtle: Turtle, document: SourceDocument, text: str, field: Field, subject: str, name: str) -> None:
    """One annotation per item (bullet or whole value) saying the span describes the incident's ``name``."""
    start, end = field.start, field.end
    items, offset = [], start
    for line in text[start:end].split("\n"):
        stripped = line.strip().lstrip("*").strip()
        if stripped:
            item_start = offset + line.index(stripped)
            items.append((item_start, item_start + len(stripped)))
        offset += len(line) + 1
    for number, (item_start, item_end) in enumerate(items, 1):
        annotation = f"<evidence/{document.slug}-infobox-{name}-{number}>"
        turtle.add(annotation, "a", "oa:Annotation")
        turtle.add(annotation, "oa:motivatedBy", "oa:describing")
        turtle.add(annotation, "oa:hasBody", subject)
        turtle.add(annotation, "oa:hasTarget", add_span(turtle, document, text, item_start, item_end))
        turtle.add(annotation, "inv:infoboxField", literal(name))
        if name == "methods":
            for keyword, concept in METHOD_TYPES.items():
                if keyword in text[item_start:item_end].lower():
                    turtle.add(subject, "sem:eventType", iri(concept))
                    turtle.add(subject, "prov:wasDerivedFrom", iri(evidence_iri(document.slug, item_start, item_end)))


def _parties(turtle: Turtle, document: SourceDocument, text: str, fields: dict[str, Field], resolver: Resolver,
             incident: str) -> int:
    subject, read = iri(incident), 0
    for side in ("1", "2"):
        key = f"side{side}" if f"side{side}" in fields else f"combatant{side}"
        if key not in fields:
            continue
        party = resolver.by_name(fields[key].value.strip_code().strip())
        if party is None or kind_of(party) not in ("state", "organization"):
            continue
        turtle.add(subject, "inv:party", iri(party))
        turtle.add(subject, "prov:wasDerivedFrom", add_span(turtle, document, text, fields[key].start, fields[key].end))
        read += 1
        if f"combatant{side}" in fields:
            read += _officials(turtle, document, text, fields[f"combatant{side}"], resolver, incident, party)
    return read


def _officials(turtle: Turtle, document: SourceDocument, text: str, field: Field, resolver: Resolver,
               incident: str, party: str) -> int:
    """Each ``[[post|…]] [[person]]`` line of a combatant field becomes a role of the incident."""
    start, end = field.start, field.end
    read, offset = 0, start
    for piece in re.split(r"(<br\s*/?>)", text[start:end]):
        piece_start, offset = offset, offset + len(piece)
        links = re.findall(r"\[\[([^|\]]+)(?:\|[^\]]*)?\]\]", piece)
        resolved = [resolver.by_title(title) for title in links]
        post = next((r for r in resolved if r and kind_of(r) == "post"), None)
        person = next((r for r in resolved if r and kind_of(r) == "person"), None)
        if person is None:
            continue
        stripped = piece.strip().lstrip("•").strip()
        span_start = piece_start + piece.index(stripped)
        role = iri(f"{incident}#role-{person.rsplit('/', 1)[1]}")
        turtle.add(iri(incident), "sem:hasActor", role)
        turtle.add(role, "a", "sem:Role")
        turtle.add(role, "rdf:value", iri(person))
        turtle.add(role, "inv:onSideOf", iri(party))
        if post:
            turtle.add(role, "inv:post", iri(post))
            if post in resolver.post_role:
                turtle.add(role, "sem:roleType", iri(resolver.post_role[post]))
        turtle.add(role, "prov:wasDerivedFrom",
                   add_span(turtle, document, text, span_start, span_start + len(stripped)))
        read += 1
    return read
