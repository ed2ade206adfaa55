"""The incidents placed on a map: a point where the data has one, else the receiving state's country."""

from __future__ import annotations

from typing import Any

from server.dossier import _point, label, slug_of, value, when
from server.entities import PREFIXES
from server.state import ServerState

_QUERY = PREFIXES + """SELECT ?i ?i_l ?day ?begin ?month (SAMPLE(?wkt) AS ?point) (SAMPLE(?s_l) AS ?country)
WHERE { ?i a inv:Incident . %(i)s
  OPTIONAL { ?i sem:hasTimeStamp ?day } OPTIONAL { ?i sem:hasBeginTimeStamp ?begin } OPTIONAL { ?i inv:month ?month }
  OPTIONAL { ?i (geo:hasGeometry|sem:hasPlace/geo:hasGeometry|inv:targetMission/inv:city/geo:hasGeometry)
                /geo:asWKT ?wkt }
  OPTIONAL { ?i inv:targetMission/inv:receivingState ?s . ?s rdfs:label ?s_l FILTER(langMatches(lang(?s_l), "en")) }
} GROUP BY ?i ?i_l ?day ?begin ?month ORDER BY ?day ?month ?i"""


def incidents_on_map(server: ServerState) -> list[dict[str, Any]]:
    """Every incident with its page, label, date, point (lat, lon) if known, and receiving country's name."""
    found: dict[str, dict[str, Any]] = {}
    for iri, name, day, begin, month, point, country in server.rows(_QUERY % {"i": label("?i")}):
        if iri.value in found:
            continue
        where = _point(value(point))
        found[iri.value] = {"iri": iri.value, "page": "/" + iri.value.split("/inviolable/", 1)[-1],
                            "label": value(name) or slug_of(iri.value),
                            "when": when(value(day), value(begin), None, value(month)),
                            "lat": where[0] if where else None, "lon": where[1] if where else None,
                            "country": value(country)}
    return list(found.values())
