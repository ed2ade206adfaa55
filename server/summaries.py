"""Readable summaries of a person (posts, statements, incidents) and of a state (incidents, responses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.namespaces import BREAK_RELATIONS
from server.dossier import label, slug_of, value, when
from server.entities import PREFIXES
from server.state import ServerState

_INCIDENT_LINK = "(inv:respondsTo|inv:relatedIncident|inv:about|inv:madeIn/inv:respondsTo)"


@dataclass(frozen=True)
class Line:
    """One row of a summary: an entity, its label, a date and a note."""

    iri: str
    label: str
    when: str | None = None
    note: str | None = None


@dataclass
class Summary:
    """Named sections of lines, in the order they are shown."""

    sections: dict[str, list[Line]] = field(default_factory=dict)


def _lines(server: ServerState, sparql: str) -> list[Line]:
    seen: dict[str, Line] = {}
    for row in server.rows(PREFIXES + sparql):
        iri, name, day, begin, end, month, note = (row + (None,) * 7)[:7]
        if iri is None or iri.value in seen:
            continue
        seen[iri.value] = Line(iri.value, value(name) or slug_of(iri.value),
                               when(value(day), value(begin), value(end), value(month)), value(note))
    return sorted(seen.values(), key=lambda line: (line.when or "9999", line.label))


def _dates(variable: str) -> str:
    return (f"OPTIONAL {{ {variable} sem:hasTimeStamp ?day }} OPTIONAL {{ {variable} sem:hasBeginTimeStamp ?begin }} "
            f"OPTIONAL {{ {variable} sem:hasEndTimeStamp ?end }} OPTIONAL {{ {variable} inv:month ?month }}")


def person_summary(server: ServerState, iri: str) -> Summary:
    """Posts held with their dates, statements made (acts and claims), incidents involved."""
    summary = Summary()
    summary.sections["Posts held"] = _lines(server, f"""SELECT ?m ?x_l ?day ?begin ?end ?month ?note WHERE {{
        ?m org:member <{iri}> . OPTIONAL {{ ?m org:role ?x . {label("?x")} }}
        OPTIONAL {{ ?m org:organization ?org . {label("?org")} }}
        OPTIONAL {{ ?m org:memberDuring ?int . OPTIONAL {{ ?int time:hasBeginning/time:inXSDDate ?begin }}
                   OPTIONAL {{ ?int time:hasEnd/time:inXSDDate ?end }} }}
        BIND(?org_l AS ?note) BIND(?nothing AS ?day) BIND(?nothing AS ?month) }}""")
    summary.sections["Statements"] = _lines(server, f"""SELECT ?s ?s_l ?day ?begin ?end ?month ?note WHERE {{
        {{ ?s inv:actingOfficial <{iri}> }} UNION {{ ?s inv:actor <{iri}> FILTER NOT EXISTS {{ ?s a inv:Incident }} }}
        UNION {{ ?s inv:claimant <{iri}> }}
        {label("?s")} {_dates("?s")} OPTIONAL {{ ?s a inv:Claim BIND("claim" AS ?note) }} }}""")
    summary.sections["Incidents"] = _lines(server, f"""SELECT ?i ?i_l ?day ?begin ?end ?month WHERE {{
        {{ SELECT DISTINCT ?i WHERE {{
          {{ ?i ?p <{iri}> }} UNION {{ ?i sem:hasActor/rdf:value <{iri}> }}
          UNION {{ {{ ?e ?q <{iri}> }} UNION {{ ?e sem:hasActor/rdf:value <{iri}> }} ?e {_INCIDENT_LINK} ?i }}
          ?i a inv:Incident }} }}
        {label("?i")} {_dates("?i")} }}""")
    return summary


def state_summary(server: ServerState, iri: str) -> Summary:
    """Incidents as actor and as target, responses made and received, relations broken."""
    summary = Summary()
    summary.sections["Incidents as actor"] = _lines(server, f"""SELECT ?i ?i_l ?day ?begin ?end ?month WHERE {{
        ?i a inv:Incident ; inv:actor <{iri}> . {label("?i")} {_dates("?i")} }}""")
    summary.sections["Incidents as target"] = _lines(server, f"""SELECT ?i ?i_l ?day ?begin ?end ?month ?note WHERE {{
        ?i a inv:Incident ; inv:targetMission ?m . ?m inv:sendingState <{iri}> . {label("?m")}
        BIND(?m_l AS ?note) {label("?i")} {_dates("?i")} }}""")
    summary.sections["Responses made"] = _lines(server, f"""SELECT ?r ?r_l ?day ?begin ?end ?month ?note WHERE {{
        ?r a inv:Response ; inv:actor <{iri}> . OPTIONAL {{ ?r sem:eventType ?t . {label("?t")} }}
        BIND(?t_l AS ?note) {label("?r")} {_dates("?r")} }}""")
    summary.sections["Responses received"] = _lines(server, f"""SELECT ?r ?r_l ?day ?begin ?end ?month ?note WHERE {{
        ?r a inv:Response ; inv:addressee <{iri}> . OPTIONAL {{ ?r inv:actor ?a . {label("?a")} }}
        BIND(?a_l AS ?note) {label("?r")} {_dates("?r")} }}""")
    summary.sections["Relations broken"] = _lines(server, f"""SELECT ?r ?r_l ?day ?begin ?end ?month ?note WHERE {{
        ?r sem:eventType <{BREAK_RELATIONS}> .
        {{ ?r inv:actor <{iri}> . OPTIONAL {{ ?r inv:addressee ?o }} }}
        UNION {{ ?r inv:addressee <{iri}> . OPTIONAL {{ ?r inv:actor ?o }} }}
        UNION {{ ?r inv:actor ?o ; inv:respondsTo ?i . ?i inv:actor <{iri}> }}
        {label("?o")} BIND(?o_l AS ?note) {label("?r")} {_dates("?r")} }}""")
    return summary
