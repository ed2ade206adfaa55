"""An incident's timeline: the incident and the events tied to it, in date order, with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from server.entities import PREFIXES, Evidence, quote
from server.state import ServerState

_EVENTS = PREFIXES + """
SELECT ?e (SAMPLE(?l_en) AS ?label) (SAMPLE(?l_es) AS ?label_es) (SAMPLE(?kind) AS ?k)
       (MIN(?day) AS ?d) (MIN(?begin) AS ?b) (MIN(?finish) AS ?f) (MIN(?dt) AS ?t) (MIN(?month) AS ?m)
WHERE {
  { BIND(<%(iri)s> AS ?e) } UNION { ?e (inv:respondsTo|inv:relatedIncident|^inv:resultedIn|inv:inCase)+ <%(iri)s> }
  OPTIONAL { ?e rdfs:label ?l_en FILTER(langMatches(lang(?l_en), "en")) }
  OPTIONAL { ?e rdfs:label ?l_es FILTER(langMatches(lang(?l_es), "es")) }
  OPTIONAL { ?e a ?kind FILTER(STRSTARTS(STR(?kind), STR(inv:))) }
  OPTIONAL { ?e sem:hasTimeStamp ?day } OPTIONAL { ?e sem:hasBeginTimeStamp ?begin }
  OPTIONAL { ?e sem:hasEndTimeStamp ?finish } OPTIONAL { ?e inv:dateTime ?dt } OPTIONAL { ?e inv:month ?month }
} GROUP BY ?e"""
_EVIDENCE = PREFIXES + """SELECT DISTINCT ?e ?doc ?title ?start ?end WHERE {
  { BIND(<%(iri)s> AS ?e) } UNION { ?e (inv:respondsTo|inv:relatedIncident|^inv:resultedIn|inv:inCase)+ <%(iri)s> }
  ?e prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
  OPTIONAL { ?doc schema:name ?title }
} ORDER BY ?e ?doc ?start"""


@dataclass
class Moment:
    """One event on the timeline."""

    iri: str
    label: str
    label_es: str | None
    kind: str | None
    when: str
    sort_key: str
    evidence: list[Evidence] = field(default_factory=list)


def _when(day: str | None, begin: str | None, finish: str | None, at: str | None, month: str | None) -> str:
    if at:
        return at.replace("T", " ")
    if day:
        return day
    if begin:
        return f"{begin} – {finish}" if finish else f"from {begin}"
    return month or "undated"


def timeline(server: ServerState, iri: str, *, sources: Path | None = None) -> list[Moment]:
    """The incident ``iri`` and its related events sorted by date (undated ones last)."""
    moments: dict[str, Moment] = {}
    for row in server.rows(_EVENTS % {"iri": iri}):
        event, label, label_es, kind, day, begin, finish, at, month = (
            term.value if term is not None else None for term in row)
        if event is None:
            continue
        key = at or day or begin or (f"{month}-00" if month else "9999")
        moments[event] = Moment(event, label or event.rsplit("/", 1)[-1], label_es,
                                kind.rsplit("#", 1)[-1] if kind else None,
                                _when(day, begin, finish, at, month), key[:10] + (at or ""))
    for event, doc, title, start, end in server.rows(_EVIDENCE % {"iri": iri}):
        moment = moments.get(event.value)
        if moment is not None:
            begin, finish = int(start.value), int(end.value)
            moment.evidence.append(Evidence(event.value, doc.value, title.value if title else None, begin, finish,
                                            quote(doc.value, begin, finish, sources)))
    return sorted(moments.values(), key=lambda m: (m.sort_key, m.label))
