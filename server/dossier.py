"""An incident's dossier: what, when, where, who, status; the responses by kind; the claims; each with a quote.

Everything is asked of the server's state with SPARQL, so a new document's incidents get a dossier
as soon as they are loaded. Quotes are a few words read from the local documents when the page is
made (never written to the graph or to disk), each linked to its span in context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from server.entities import Documents, Names, documents_for, term_order
from server.plain_text import short_quote
from server.state import ServerState


def label(variable: str) -> str:
    """An OPTIONAL clause binding ``{variable}_l`` to the English (or any) label of ``variable``."""
    return (f"OPTIONAL {{ {variable} rdfs:label {variable}_en FILTER(langMatches(lang({variable}_en), 'en')) }} "
            f"OPTIONAL {{ {variable} rdfs:label {variable}_any }} BIND(COALESCE({variable}_en, {variable}_any) "
            f"AS {variable}_l)")


def value(term: ox.Term | None) -> str | None:
    """A term's lexical value, or None."""
    return term.value if term is not None else None


def slug_of(iri: str) -> str:
    """The last path segment of an IRI, as a fallback label."""
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


@dataclass(frozen=True)
class Quote:
    """A few words of evidence and where they stand."""

    evidence: str
    document: str
    start: int
    end: int
    words: str | None


@dataclass
class Item:
    """One line of the dossier: an entity, what it is, when, and its first quoted evidence."""

    iri: str
    label: str
    kinds: list[str] = field(default_factory=list)
    when: str | None = None
    parties: list[tuple[str, str, str]] = field(default_factory=list)
    quote: Quote | None = None


def when(day: str | None, begin: str | None, end: str | None, month: str | None, at: str | None = None) -> str | None:
    """A date as the data gives it: a day, a period, a month, or None."""
    if at:
        return at.replace("T", " ")[:16]
    if day:
        return day
    if begin:
        return f"{begin} – {end}" if end else f"from {begin}"
    return month


#: What the dossier reads of the incident, of its responses and of its claims: facts, dates, labels, roles,
#: evidence (and ``inv:respondsTo``, ``inv:about``, ``inv:madeIn``, so that each member has a statement).
_FACTS = ("sem:eventType", "inv:method", "inv:completionStatus", "inv:targetMission", "sem:hasPlace", "inv:actor",
          "inv:actingAgency", "inv:actingOfficial", "inv:addressee", "inv:invokes", "dct:description")
_DATES = ("sem:hasTimeStamp", "sem:hasBeginTimeStamp", "sem:hasEndTimeStamp", "inv:month", "inv:dateTime")
_ROLES = ("inv:claimant", "inv:disputedBy", "inv:invokes", "inv:characterisation", "inv:supportedBy")
_READ = (*_FACTS, *_DATES, *_ROLES, "rdfs:label", "prov:wasDerivedFrom", "inv:respondsTo", "inv:about", "inv:madeIn")
# The whole dossier in one query: the members (the incident "i", its responses "r", the claims about it or
# about what answered it "c") with what is read of each; the incident's participants and city; the
# points it may be drawn at ("p0" its own geometry, then its place, mission, the mission's city). Each
# row carries the labels of its object and, for evidence, the span: both OPTIONAL after the union,
# where every branch has bound ?o (a free ?o would pair a row with every label of the store).
# "?s a inv:Claim" stays inside each claim branch, where ?s is bound: after the union the engine
# would read every typed node.
_DOSSIER = """SELECT DISTINCT ?kind ?s ?p ?o ?l ?doc ?start ?end WHERE {
  { { { BIND(<%(iri)s> AS ?s) BIND("i" AS ?kind) }
      UNION { ?s inv:respondsTo <%(iri)s> BIND("r" AS ?kind) }
      UNION { ?s inv:about <%(iri)s> . ?s a inv:Claim BIND("c" AS ?kind) }
      UNION { ?e (inv:respondsTo|inv:relatedIncident) <%(iri)s> . ?s inv:about ?e . ?s a inv:Claim BIND("c" AS ?kind) }
      UNION { ?e inv:respondsTo <%(iri)s> . ?s inv:madeIn ?e . ?s a inv:Claim BIND("c" AS ?kind) }
    } ?s ?p ?o FILTER(?p IN (%(read)s)) }
  UNION { <%(iri)s> sem:hasActor ?role . ?role rdf:value ?o BIND(<%(iri)s> AS ?s) BIND(inv:participant AS ?p)
          BIND("i" AS ?kind) }
  UNION { <%(iri)s> inv:targetMission ?m . ?m inv:city ?o BIND(<%(iri)s> AS ?s) BIND(inv:city AS ?p)
          BIND("i" AS ?kind) }
  UNION { <%(iri)s> geo:hasGeometry/geo:asWKT ?o BIND("p0" AS ?kind) }
  UNION { <%(iri)s> sem:hasPlace/geo:hasGeometry/geo:asWKT ?o BIND("p1" AS ?kind) }
  UNION { <%(iri)s> inv:targetMission/geo:hasGeometry/geo:asWKT ?o BIND("p2" AS ?kind) }
  UNION { <%(iri)s> inv:targetMission/inv:city/geo:hasGeometry/geo:asWKT ?o BIND("p3" AS ?kind) }
  OPTIONAL { ?o rdfs:label ?l
             FILTER(isIRI(?o) && ?p NOT IN (inv:respondsTo, inv:about, inv:madeIn, prov:wasDerivedFrom)) }
  OPTIONAL { ?o oa:hasSource ?doc ; oa:hasSelector ?selector . ?selector oa:start ?start ; oa:end ?end
             FILTER(?p = prov:wasDerivedFrom) }
}"""
_ROLE_NAMES = {"claimant": "asserted by", "disputedBy": "disputed by", "invokes": "law invoked",
               "characterisation": "kind", "supportedBy": "supported by"}


@dataclass
class Dossier:
    """The dossier of one incident."""

    iri: str
    facts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    when: str | None = None
    point: tuple[float, float] | None = None
    responses: dict[str, list[Item]] = field(default_factory=dict)
    claims: list[Item] = field(default_factory=list)
    quote: Quote | None = None


def _point(wkt: str | None) -> tuple[float, float] | None:
    if not wkt or not wkt.upper().startswith("POINT"):
        return None
    try:
        lon, lat = (float(n) for n in wkt[wkt.index("(") + 1:wkt.index(")")].split()[:2])
    except ValueError:
        return None
    return lat, lon


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _prefixed(names: tuple[str, ...]) -> set[str]:
    return {PREFIXES[name.split(":", 1)[0]] + name.split(":", 1)[1] for name in names}


_FACT_IRIS = _prefixed((*_FACTS, "inv:participant", "inv:city"))
_DATE_NAMES = {iri: _local(iri) for iri in _prefixed(_DATES)}
_ROLE_IRIS = {iri: _ROLE_NAMES[_local(iri)] for iri in _prefixed(_ROLES)}
_ROLE_ORDER = {name: number for number, name in enumerate(_ROLE_NAMES.values())}
_EVENT_TYPE, _ACTOR, _LABEL, _DERIVED = (next(iter(_prefixed((name,)))) for name in (
    "sem:eventType", "inv:actor", "rdfs:label", "prov:wasDerivedFrom"))


@dataclass
class _Member:
    """What the query said of one member of the dossier, before it is shown."""

    kind: str
    statements: dict[tuple[str, ox.Term], None] = field(default_factory=dict)
    dates: dict[str, list[str]] = field(default_factory=dict)
    spans: dict[str, tuple] = field(default_factory=dict)

    def date(self, name: str) -> str | None:
        return min(self.dates.get(name, ()), default=None)


def _members(rows: list[tuple], names: Names) -> tuple[dict[str, _Member], list[tuple[str, str]]]:
    """The rows of the dossier query by member, the labels into ``names``, and the points (kind, WKT)."""
    members: dict[str, _Member] = {}
    points = []
    for kind, s, p, o, label, doc, start, end in rows:
        if kind.value.startswith("p"):
            points.append((kind.value, o.value))
            continue
        member = members.setdefault(s.value, _Member(kind.value))
        names.add(o, label)
        if p.value == _LABEL:
            names.add(s, o)
        elif p.value in _DATE_NAMES:
            member.dates.setdefault(_DATE_NAMES[p.value], []).append(o.value)
        elif p.value == _DERIVED:
            if doc is not None and start is not None and end is not None:
                span = (term_order(doc), term_order(start), term_order(end), o.value)
                member.spans[o.value] = (span, doc.value, int(start.value), int(end.value))
        else:
            member.statements[(p.value, o)] = None
    return members, points


def _quote(member: _Member, documents: Documents) -> Quote | None:
    """The first evidence span of a member (by document, then position), with a few of its words."""
    if not member.spans:
        return None
    _, document, start, end = min(member.spans.values(), key=lambda span: span[0])
    evidence = min(member.spans, key=lambda iri: member.spans[iri][0])
    text = documents.quote(document, start, end)
    return Quote(evidence, document, start, end, short_quote(text) if text else None)


def dossier(server: ServerState, iri: str, *, sources: Path | Documents | None = None) -> Dossier:
    """Gather the dossier of the incident ``iri``, in one query."""
    found = Dossier(iri)
    names = Names()
    members, points = _members(server.rows(_DOSSIER % {"iri": iri, "read": ", ".join(dict.fromkeys(_READ))}), names)
    documents = documents_for(sources)

    def named(term: ox.Term) -> str:
        return names.shown(term) or slug_of(term.value)

    incident = members.pop(iri, None)
    if incident is not None:
        for p, o in sorted(incident.statements, key=lambda row: (row[0], term_order(row[1]))):
            if p not in _FACT_IRIS:
                continue
            shown = names.shown(o) or (o.value if isinstance(o, ox.Literal) else slug_of(o.value))
            entry = (o.value if isinstance(o, ox.NamedNode) else "", shown)
            if entry not in found.facts.setdefault(_local(p), []):
                found.facts[_local(p)].append(entry)
        found.when = when(*(incident.date(name) for name in ("hasTimeStamp", "hasBeginTimeStamp", "hasEndTimeStamp",
                                                              "month", "dateTime")))
        found.quote = _quote(incident, documents)
    found.point = next((point for _, wkt in sorted(points) if (point := _point(wkt)) is not None), None)
    responses, claims = [], []
    for member_iri, member in members.items():
        item = Item(member_iri, named(ox.NamedNode(member_iri)), quote=_quote(member, documents))
        statements = sorted(member.statements, key=lambda row: (row[0], named(row[1]) if isinstance(
            row[1], ox.NamedNode) else row[1].value))
        if member.kind == "r":
            item.when = when(member.date("hasTimeStamp"), member.date("hasBeginTimeStamp"), None, member.date("month"))
            item.kinds = list(dict.fromkeys(named(o) for p, o in statements if p == _EVENT_TYPE)) or ["other response"]
            item.parties = list(dict.fromkeys(("by", o.value, named(o)) for p, o in statements if p == _ACTOR))
            responses.append(item)
        else:
            parties = [(_ROLE_IRIS[p], o.value, named(o)) for p, o in statements if p in _ROLE_IRIS]
            item.parties = sorted(dict.fromkeys(parties), key=lambda party: (_ROLE_ORDER[party[0]], party[2]))
            claims.append(item)
    for item in sorted(responses, key=lambda i: (i.when or "9999", i.label)):
        found.responses.setdefault(item.kinds[0], []).append(item)
    found.claims = sorted(claims, key=lambda i: (i.quote.start if i.quote else 10**9, i.label))
    return found
