"""The ontology as a page: its header, then every term with its labels, definition and place in the hierarchy.

Each term's section carries its fragment as ``id`` (``/ontology#Incident``), so that the IRI of every
term, resolved by a browser, lands on its own definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import ONTOLOGY_GRAPH, PREFIXES, sparql_prefixes
from server.state import ServerState

ONTOLOGY = PREFIXES["inv"].rstrip("#")
_KINDS = {"http://www.w3.org/2002/07/owl#Class": "class",
          "http://www.w3.org/2002/07/owl#ObjectProperty": "object property",
          "http://www.w3.org/2002/07/owl#DatatypeProperty": "datatype property",
          "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
          "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property"}


@dataclass(frozen=True)
class Term:
    """One term of the ontology, as its page section shows it."""

    iri: str
    fragment: str
    kind: str
    label_en: str | None
    label_es: str | None
    definition: str | None
    parents: tuple[str, ...]
    domain: str | None
    range: str | None
    deprecated: bool


def _value(term: ox.Term | None) -> str | None:
    return term.value if term is not None else None


def header(state: ServerState) -> dict[str, list[str]]:
    """The ontology's own statements, as property short name → values (version, licence, change notes…)."""
    rows = state.rows(f"SELECT ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY}> ?p ?o }} }} ORDER BY ?p ?o")
    found: dict[str, list[str]] = {}
    for predicate, value in rows:
        name = predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        found.setdefault(name, []).append(value.value)
    return found


def versions(state: ServerState) -> list[str]:
    """The ontology's version IRIs."""
    rows = state.rows(f"SELECT ?v WHERE {{ <{ONTOLOGY}> <http://www.w3.org/2002/07/owl#versionIRI> ?v }}")
    return [row[0].value for row in rows]


def terms(state: ServerState) -> list[Term]:
    """Every class and property of the ontology's namespace, classes first, each kind sorted by name."""
    rows = state.rows(sparql_prefixes() + f"""
        SELECT ?t (SAMPLE(?k) AS ?kind) (SAMPLE(?en) AS ?len) (SAMPLE(?es) AS ?les) (SAMPLE(?def) AS ?d)
               (GROUP_CONCAT(DISTINCT STR(?parent); SEPARATOR=" ") AS ?parents)
               (SAMPLE(?dom) AS ?domain) (SAMPLE(?ran) AS ?range) (SAMPLE(?dep) AS ?deprecated)
        WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
            ?t a ?k FILTER(STRSTARTS(STR(?t), "{ONTOLOGY}#"))
            VALUES ?k {{ {" ".join(f"<{k}>" for k in _KINDS)} }}
            OPTIONAL {{ ?t rdfs:label ?en FILTER(langMatches(lang(?en), "en")) }}
            OPTIONAL {{ ?t rdfs:label ?es FILTER(langMatches(lang(?es), "es")) }}
            OPTIONAL {{ ?t skos:definition ?def FILTER(langMatches(lang(?def), "en")) }}
            OPTIONAL {{ {{ ?t rdfs:subClassOf ?parent }} UNION {{ ?t rdfs:subPropertyOf ?parent }}
                        FILTER(isIRI(?parent)) }}
            OPTIONAL {{ ?t rdfs:domain ?dom FILTER(isIRI(?dom)) }}
            OPTIONAL {{ ?t rdfs:range ?ran FILTER(isIRI(?ran)) }}
            OPTIONAL {{ ?t owl:deprecated ?dep }}
        }} }} GROUP BY ?t""")
    found = []
    for iri, kind, en, es, definition, parents, domain, range_, deprecated in rows:
        found.append(Term(iri.value, iri.value.split("#", 1)[1], _KINDS[kind.value], _value(en), _value(es),
                          _value(definition), tuple(p for p in (_value(parents) or "").split() if p),
                          _value(domain), _value(range_), _value(deprecated) == "true"))
    order = {kind: number for number, kind in enumerate(_KINDS.values())}
    return sorted(found, key=lambda term: (order[term.kind], term.fragment.lower()))


def rdf_query(iri: str = ONTOLOGY) -> str:
    """A CONSTRUCT giving the ontology's header and every term's statements."""
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o
        FILTER(?s = <{iri}> || STRSTARTS(STR(?s), "{iri}#")) }} }}"""
