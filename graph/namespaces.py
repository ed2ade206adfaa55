"""IRIs of the project and of the vocabularies it reuses.

Every entity IRI has the form ``{BASE}id/{kind}/{slug}``; subsidiary nodes (selectors,
intervals, votes, roles) hang off their owner as ``{owner}#{fragment}``.
"""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/inviolable/"
INV = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
VOCAB = Namespace(BASE + "vocab/")

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_GRAPH = GRAPH["ontology"]
REFERENCE_GRAPH = GRAPH["reference"]

KINDS = (
    "state", "person", "organization", "mission", "incident", "event", "convention", "article",
    "claim", "post", "source", "reference", "evidence", "place", "membership", "group", "inference",
)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

PREFIXES = {
    "inv": str(INV), "id": str(ID), "vocab": str(VOCAB), "sem": str(SEM), "org": str(ORG),
    "time": str(TIME), "prov": str(PROV), "oa": str(OA), "skos": str(SKOS), "eli": str(ELI),
    "schema": str(SCHEMA), "geo": str(GEO), "dct": str(DCTERMS), "foaf": str(FOAF),
    "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "wd": str(WD),
    "sh": str(SH),
}


def sparql_prefixes() -> str:
    """Return PREFIX declarations for every namespace above, one per line.

    >>> "PREFIX inv: <https://w3id.org/inviolable/ontology#>" in sparql_prefixes()
    True
    """
    return "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())


def entity_iri(kind: str, slug: str) -> str:
    """Build the canonical IRI of an entity.

    :raises ValueError: if the kind is unknown or the slug is not lowercase ASCII words.

    >>> entity_iri("state", "ecuador")
    'https://w3id.org/inviolable/id/state/ecuador'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not SLUG_PATTERN.match(slug):
        raise ValueError(f"slug {slug!r} must be lowercase ASCII words joined by hyphens")
    return f"{ID}{kind}/{slug}"


def source_graph(source_slug: str) -> str:
    """Name of the graph that holds the facts taken from one source document."""
    return f"{GRAPH}{source_slug}"


INFERRED = "inferred"


def inferred_graph(source_slug: str) -> str:
    """Name of the graph that holds curators' inferences about one source document.

    >>> inferred_graph("minneapolis-consulate-news")
    'https://w3id.org/inviolable/graph/minneapolis-consulate-news/inferred'
    """
    return f"{GRAPH}{source_slug}/{INFERRED}"


def is_inferred_graph(graph_iri: str) -> bool:
    """True for the name of a document's inference-layer graph."""
    return graph_iri.startswith(str(GRAPH)) and graph_iri.endswith(f"/{INFERRED}")
