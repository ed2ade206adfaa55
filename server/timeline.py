"""An incident's timeline: one line per event, in date order, with actors, kinds and expandable evidence.

Events that say the same thing twice (the same day and label, or the same evidence) are merged into
one line that links every merged event. Evidence is shown as a few words of plain text (no wikitext)
read from the local documents now, with a link to the span in context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from server.dossier import Quote, label, slug_of, value, when
from server.entities import PREFIXES, Documents, documents_for
from server.plain_text import short_quote
from server.state import ServerState

_LINKED = "(inv:respondsTo|inv:relatedIncident|^inv:resultedIn|inv:inCase)+"
_EVENTS = PREFIXES + """
SELECT ?e ?e_l ?kind ?t_l ?a ?a_l ?day ?begin ?end ?at ?month WHERE {
  { BIND(<%(iri)s> AS ?e) } UNION { ?e %(linked)s <%(iri)s> }
  %(e)s
  OPTIONAL { ?e a ?kind FILTER(STRSTARTS(STR(?kind), STR(inv:))) }
  OPTIONAL { ?e sem:eventType ?t . %(t)s }
  OPTIONAL { ?e inv:actor ?a . %(a)s }
  OPTIONAL { ?e sem:hasTimeStamp ?day } OPTIONAL { ?e sem:hasBeginTimeStamp ?begin }
  OPTIONAL { ?e sem:hasEndTimeStamp ?end } OPTIONAL { ?e inv:dateTime ?at } OPTIONAL { ?e inv:month ?month }
}"""
_EVIDENCE = PREFIXES + """SELECT DISTINCT ?e ?ev ?doc ?start ?end WHERE {
  { BIND(<%(iri)s> AS ?e) } UNION { ?e %(linked)s <%(iri)s> }
  ?e prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
} ORDER BY ?e ?doc ?start"""
_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass
class Moment:
    """One line of the timeline: an event (and the near-duplicates merged into it)."""

    iri: str
    label: str
    kind: str | None
    when: str
    sort_key: str
    kinds: list[str] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)


def _normal(text: str) -> str:
    return _WORDS.sub(" ", text.lower()).strip()


def _merge(moments: list[Moment]) -> list[Moment]:
    kept: list[Moment] = []
    for moment in moments:
        spans = {(q.document, q.start, q.end) for q in moment.evidence}
        twin = next((k for k in kept if k.sort_key[:10] == moment.sort_key[:10] and (
            _normal(k.label) == _normal(moment.label)
            or (spans and spans == {(q.document, q.start, q.end) for q in k.evidence}))), None)
        if twin is None:
            kept.append(moment)
            continue
        twin.merged.append((moment.iri, moment.label))
        twin.kinds += [kind for kind in moment.kinds if kind not in twin.kinds]
        twin.actors += [actor for actor in moment.actors if actor not in twin.actors]
        known = {(q.document, q.start) for q in twin.evidence}
        twin.evidence += [q for q in moment.evidence if (q.document, q.start) not in known]
    return kept


def timeline(server: ServerState, iri: str, *, sources: Path | Documents | None = None) -> list[Moment]:
    """The incident ``iri`` and its related events sorted by date (undated ones last), near-duplicates merged."""
    moments: dict[str, Moment] = {}
    query = _EVENTS % {"iri": iri, "linked": _LINKED, "e": label("?e"), "t": label("?t"), "a": label("?a")}
    for event, e_l, kind, t_l, actor, a_l, day, begin, end, at, month in server.rows(query):
        if event is None:
            continue
        moment = moments.get(event.value)
        if moment is None:
            shown = when(value(day), value(begin), value(end), value(month), value(at)) or "undated"
            key = value(at) or value(day) or value(begin) or (f"{value(month)}-00" if month else "9999")
            moment = moments[event.value] = Moment(event.value, value(e_l) or slug_of(event.value),
                                                   kind.value.rsplit("#", 1)[-1] if kind else None, shown,
                                                   key[:10] + (value(at) or ""))
        if t_l is not None and t_l.value not in moment.kinds:
            moment.kinds.append(t_l.value)
        if actor is not None and (actor.value, value(a_l) or slug_of(actor.value)) not in moment.actors:
            moment.actors.append((actor.value, value(a_l) or slug_of(actor.value)))
    documents = documents_for(sources)
    for event, ev, doc, start, end in server.rows(_EVIDENCE % {"iri": iri, "linked": _LINKED}):
        moment = moments.get(event.value)
        if moment is not None:
            begin, finish = int(start.value), int(end.value)
            text = documents.quote(doc.value, begin, finish)
            moment.evidence.append(Quote(ev.value, doc.value, begin, finish, short_quote(text) if text else None))
    ordered = sorted(moments.values(), key=lambda m: (m.sort_key, m.label))
    for moment in ordered:
        moment.evidence.sort(key=lambda q: (q.document, q.start))
    return _merge(ordered)


def filtered(moments: list[Moment], *, actor: str | None, kind: str | None) -> list[Moment]:
    """The moments with ``actor`` among their actors and ``kind`` among their kinds (or class), when given."""
    return [m for m in moments
            if (not actor or any(iri == actor for iri, _ in m.actors))
            and (not kind or kind in m.kinds or kind == m.kind)]
