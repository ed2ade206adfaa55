"""What a page says about an entity, gathered by queries that run under the deadline like any other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import sparql_prefixes
from graph.sources import SourceError, find_document, read_document
from server.state import ServerState

PREFIXES = sparql_prefixes() + "\n"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Evidence:
    """One evidence span: the document, the offsets, and the quoted text when the document is at hand."""

    iri: str
    document: str
    title: str | None
    start: int
    end: int
    text: str | None


@dataclass
class Description:
    """Labels, types, statements and evidence of one entity, as pyoxigraph terms."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    types: list[tuple[ox.Term, str | None]] = field(default_factory=list)
    outgoing: list[tuple[ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    parts: list[tuple[ox.Term, ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    incoming: list[tuple[ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """True when the dataset says anything about the entity."""
        return bool(self.labels or self.types or self.outgoing or self.incoming or self.parts)


def _label(variable: str, of: str) -> str:
    return (f'OPTIONAL {{ {of} rdfs:label {variable}_en FILTER(langMatches(lang({variable}_en), "en")) }} '
            f'OPTIONAL {{ {of} rdfs:label {variable}_any }} ')


def _text(term: ox.Term | None) -> str | None:
    return term.value if term is not None else None


def evidence_of(server: ServerState, iri: str, sources: Path | None) -> list[Evidence]:
    """Every evidence span backing ``iri``, in document order, quoted when ``sources`` is given."""
    rows = server.rows(PREFIXES + f"""SELECT DISTINCT ?ev ?doc ?title ?start ?end WHERE {{
        <{iri}> prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?sel .
        ?sel oa:start ?start ; oa:end ?end .
        OPTIONAL {{ ?doc schema:name ?title }} }} ORDER BY ?doc ?start""")
    found = []
    for ev, doc, title, start, end in rows:
        begin, finish = int(start.value), int(end.value)
        found.append(Evidence(ev.value, doc.value, _text(title), begin, finish,
                              quote(doc.value, begin, finish, sources)))
    return found


def quote(document: str, start: int, end: int, sources: Path | None) -> str | None:
    """The text of a span of a source document, or None when the document is not available."""
    if sources is None:
        return None
    try:
        return read_document(find_document(document), sources)[start:end]
    except SourceError:
        return None


def describe(server: ServerState, iri: str, *, sources: Path | None = None) -> Description:
    """Gather everything a page shows about ``iri``."""
    description = Description(iri)
    for label, in_lang in server.rows(PREFIXES + f"SELECT ?l (LANG(?l) AS ?lang) WHERE {{ <{iri}> rdfs:label ?l }}"):
        description.labels.setdefault(in_lang.value or "", label.value)
    out = server.rows(PREFIXES + f"""SELECT ?p (SAMPLE(?p_en) AS ?pl) ?o
        (COALESCE(SAMPLE(?o_en), SAMPLE(?o_any)) AS ?ol) WHERE {{
        <{iri}> ?p ?o . {_label("?p", "?p")} {_label("?o", "?o")} }} GROUP BY ?p ?o ORDER BY ?p ?o""")
    for p, pl, o, ol in out:
        if p.value == RDF_TYPE:
            description.types.append((o, _text(ol)))
        elif p.value != "http://www.w3.org/2000/01/rdf-schema#label":
            description.outgoing.append((p, _text(pl), o, _text(ol)))
    parts = server.rows(PREFIXES + f"""SELECT ?x ?p (SAMPLE(?p_en) AS ?pl) ?o
        (COALESCE(SAMPLE(?o_en), SAMPLE(?o_any)) AS ?ol) WHERE {{
        ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{iri}#")) {_label("?p", "?p")} {_label("?o", "?o")} }}
        GROUP BY ?x ?p ?o ORDER BY ?x ?p ?o LIMIT 2000""")
    description.parts = [(x, p, _text(pl), o, _text(ol)) for x, p, pl, o, ol in parts]
    incoming = server.rows(PREFIXES + f"""SELECT ?s (COALESCE(SAMPLE(?s_en), SAMPLE(?s_any)) AS ?sl) ?p
        (SAMPLE(?p_en) AS ?pl) WHERE {{ ?s ?p <{iri}> FILTER(?p != prov:wasDerivedFrom)
        {_label("?s", "?s")} {_label("?p", "?p")} }} GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 2000""")
    description.incoming = [(s, _text(sl), p, _text(pl)) for s, sl, p, pl in incoming]
    description.evidence = evidence_of(server, iri, sources)
    return description


def rdf_query(iri: str) -> str:
    """A CONSTRUCT giving an entity's statements, its ``#`` parts' statements and the links to it."""
    return f"""CONSTRUCT {{ <{iri}> ?p ?o . ?x ?xp ?xo . ?s ?sp <{iri}> }} WHERE {{
        {{ <{iri}> ?p ?o }} UNION {{ ?x ?xp ?xo FILTER(STRSTARTS(STR(?x), "{iri}#")) }}
        UNION {{ ?s ?sp <{iri}> }} }}"""
