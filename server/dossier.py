"""An incident's dossier: what, when, where, who, status; the responses by kind; the claims; each with a quote.

Everything is asked of the server's state with SPARQL, so a new document's incidents get a dossier
as soon as they are loaded. Quotes are a few words read from the local documents when the page is
made (never stored), each linked to its span in context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from server.entities import PREFIXES, Documents, documents_for, labels_of, term_order
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


def _add(items: list[tuple[str, str, str]], entry: tuple[str, str, str]) -> None:
    if entry not in items:
        items.append(entry)


def quotes(server: ServerState, iris: list[str], sources: Path | Documents | None) -> dict[str, Quote]:
    """The first evidence span (by document position) of each of ``iris``, with a few of its words."""
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in sorted(set(iris)))
    rows = server.rows(PREFIXES + f"""SELECT ?x ?ev ?doc ?start ?end WHERE {{ VALUES ?x {{ {values} }}
        ?x prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?sel .
        ?sel oa:start ?start ; oa:end ?end }}""")
    rows.sort(key=lambda row: tuple(map(term_order, row[:1] + row[2:4])))  # by ?x ?doc ?start, as ORDER BY would
    found: dict[str, Quote] = {}
    documents = documents_for(sources)
    for x, ev, doc, start, end in rows:
        if x.value in found:
            continue
        begin, finish = int(start.value), int(end.value)
        text = documents.quote(doc.value, begin, finish)
        found[x.value] = Quote(ev.value, doc.value, begin, finish, short_quote(text) if text else None)
    return found


def when(day: str | None, begin: str | None, end: str | None, month: str | None, at: str | None = None) -> str | None:
    """A date as the data gives it: a day, a period, a month, or None."""
    if at:
        return at.replace("T", " ")[:16]
    if day:
        return day
    if begin:
        return f"{begin} – {end}" if end else f"from {begin}"
    return month


# The labels are asked for inside the branches that bind ?o: after the dates branch, which binds no
# ?o, a label pattern would pair that one row with every label in the store.
_CORE = """SELECT ?p ?o ?o_l ?day ?begin ?end ?month ?at WHERE {
  { { <%(iri)s> ?p ?o FILTER(?p IN (sem:eventType, inv:method, inv:completionStatus, inv:targetMission, sem:hasPlace,
                                   inv:actor, inv:actingAgency, inv:actingOfficial, inv:addressee, inv:invokes,
                                   dct:description)) }
    UNION { <%(iri)s> sem:hasActor ?role . ?role rdf:value ?o . BIND(inv:participant AS ?p) }
    UNION { <%(iri)s> inv:targetMission ?m . ?m inv:city ?o . BIND(inv:city AS ?p) }
    %(label)s }
  UNION { BIND(<%(iri)s> AS ?i) OPTIONAL { ?i sem:hasTimeStamp ?day } OPTIONAL { ?i sem:hasBeginTimeStamp ?begin }
          OPTIONAL { ?i sem:hasEndTimeStamp ?end } OPTIONAL { ?i inv:month ?month } OPTIONAL { ?i inv:dateTime ?at } }
}"""
_POINT = """SELECT ?wkt WHERE { { <%(iri)s> geo:hasGeometry/geo:asWKT ?wkt }
  UNION { <%(iri)s> (sem:hasPlace|inv:targetMission|inv:targetMission/inv:city)/geo:hasGeometry/geo:asWKT ?wkt } }
  LIMIT 1"""
# Labels are looked up afterwards by name (entities.labels_of): an OPTIONAL label per row costs a read of every label.
_RESPONSES = """SELECT DISTINCT ?r ?t ?a ?day ?begin ?month WHERE {
  ?r inv:respondsTo <%(iri)s> .
  OPTIONAL { ?r sem:eventType ?t }
  OPTIONAL { ?r inv:actor ?a }
  OPTIONAL { ?r sem:hasTimeStamp ?day } OPTIONAL { ?r sem:hasBeginTimeStamp ?begin } OPTIONAL { ?r inv:month ?month }
}"""
# "?c a inv:Claim" stays inside each branch, where ?c is bound: after the union the engine reads every typed node.
_CLAIMS = """SELECT DISTINCT ?c ?role ?w WHERE {
  { ?c inv:about <%(iri)s> . ?c a inv:Claim }
  UNION { ?e (inv:respondsTo|inv:relatedIncident) <%(iri)s> . ?c inv:about ?e . ?c a inv:Claim }
  UNION { ?e inv:respondsTo <%(iri)s> . ?c inv:madeIn ?e . ?c a inv:Claim }
  OPTIONAL { VALUES ?role { inv:claimant inv:disputedBy inv:invokes inv:characterisation inv:supportedBy }
             ?c ?role ?w }
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


def dossier(server: ServerState, iri: str, *, sources: Path | Documents | None = None) -> Dossier:
    """Gather the dossier of the incident ``iri``."""
    found = Dossier(iri)
    for p, o, o_l, day, begin, end, month, at in server.rows(PREFIXES + _CORE % {"iri": iri, "label": label("?o")}):
        if p is None:
            found.when = when(value(day), value(begin), value(end), value(month), value(at)) or found.when
            continue
        name = p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        shown = (value(o_l) or (o.value if isinstance(o, ox.Literal) else slug_of(o.value)))
        entry = (o.value if isinstance(o, ox.NamedNode) else "", shown)
        if entry not in found.facts.setdefault(name, []):
            found.facts[name].append(entry)
    wkt = server.rows(PREFIXES + _POINT % {"iri": iri})
    found.point = _point(value(wkt[0][0])) if wkt else None
    items: dict[str, Item] = {}
    responses = server.rows(PREFIXES + _RESPONSES % {"iri": iri})
    claimed = server.rows(PREFIXES + _CLAIMS % {"iri": iri})
    names = labels_of(server, [term for row in responses for term in row[:3] if term is not None]
                      + [term for row in claimed for term in (row[0], row[2]) if term is not None])

    def named(term: ox.Term) -> str:
        english, first = names.get(term.value, (None, None))
        return english or first or slug_of(term.value)

    for r, t, a, day, begin, month in responses:
        item = items.setdefault(r.value, Item(r.value, named(r)))
        item.when = when(value(day), value(begin), None, value(month)) or item.when
        kind = named(t) if t is not None else "other response"
        if kind not in item.kinds:
            item.kinds.append(kind)
        if a is not None:
            _add(item.parties, ("by", a.value, named(a)))
    claims: dict[str, Item] = {}
    for c, role, w in claimed:
        item = claims.setdefault(c.value, Item(c.value, named(c)))
        if role is not None and w is not None:
            name = _ROLE_NAMES[role.value.rsplit("#", 1)[-1]]
            _add(item.parties, (name, w.value, named(w)))
    said = quotes(server, [iri, *items, *claims], sources)
    found.quote = said.get(iri)
    for item in [*items.values(), *claims.values()]:
        item.quote = said.get(item.iri)
    for item in sorted(items.values(), key=lambda i: (i.when or "9999", i.label)):
        found.responses.setdefault(item.kinds[0] if item.kinds else "other response", []).append(item)
    found.claims = sorted(claims.values(), key=lambda i: (i.quote.start if i.quote else 10**9, i.label))
    return found
