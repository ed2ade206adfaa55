"""IRIs of the project and of the vocabularies it reuses: the one place that spells them.

Every entity IRI has the form ``{BASE}id/{kind}/{slug}``; subsidiary nodes (selectors,
intervals, votes, roles) hang off their owner as ``{owner}#{fragment}``. Data files are written
relative to ``@base <{BASE}id/>`` (:data:`DATA_BASE`). Graph names follow the data folders
(:func:`graph_for_data_file`), and :func:`short_iri` is the one short display of an IRI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath

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
#: The project's own SHACL terms (constraint components, the dataset-wide rules).
SHAPES = Namespace(BASE + "shapes#")
#: Terms of the drafts ``inviolable draft`` writes outside the graph (``draft:Sentence``, ...).
DRAFT = Namespace(BASE + "draft#")

#: The ``@base`` of the data files: entity IRIs are written relative to it (``<state/ecuador>``).
DATA_BASE = str(ID)

ONTOLOGY_GRAPH = GRAPH["ontology"]
REFERENCE_GRAPH = GRAPH["reference"]

#: The kinds an entity IRI names: ``{ID}{kind}/{slug}``, the slug matching :data:`SLUG_PATTERN`.
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


def vocabulary_scheme(scheme: str) -> str:
    """The namespace of one SKOS concept scheme of the project's vocabularies.

    >>> vocabulary_scheme("response-type")
    'https://w3id.org/inviolable/vocab/response-type/'
    """
    return f"{VOCAB}{scheme}/"


#: The response type of a break of diplomatic relations, which summaries and benchmarks look for.
BREAK_RELATIONS = vocabulary_scheme("response-type") + "break-relations"


def _is_local_name(local: str) -> bool:
    # The local names the data files use; anything else (slashes, dots, escapes) is shown whole.
    return bool(local) and all(c.isalnum() or c in "-_" for c in local)


def prefixed_name(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """``prefix:local`` for the longest namespace of ``prefixes`` that ``iri`` is in, else None.

    >>> prefixed_name("https://w3id.org/inviolable/ontology#actor"), prefixed_name("https://example.org/x")
    ('inv:actor', None)
    """
    for name, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        local = iri.removeprefix(namespace)
        if local != iri and _is_local_name(local):
            return f"{name}:{local}"
    return None


def short_iri(iri: str) -> str:
    """The one short display of an IRI, as the data files write it.

    An entity IRI is relative to :data:`DATA_BASE`; otherwise a prefixed name when a known
    prefix matches, else the whole IRI in angle brackets.

    >>> short_iri("https://w3id.org/inviolable/id/state/ecuador")
    '<state/ecuador>'
    >>> short_iri("http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp"), short_iri("https://example.org/a")
    ('sem:hasTimeStamp', '<https://example.org/a>')
    """
    if iri.startswith(DATA_BASE):
        return f"<{iri.removeprefix(DATA_BASE)}>"
    found = prefixed_name(iri)
    return found if found is not None else f"<{iri}>"


def evidence_iri(source_slug: str, start: int, end: int) -> str:
    """The IRI of the evidence node for characters ``start``–``end`` of a source document.

    >>> evidence_iri("minneapolis-consulate-news", 0, 12)
    'https://w3id.org/inviolable/id/evidence/minneapolis-consulate-news-0-12'
    """
    return f"{ID}evidence/{source_slug}-{start}-{end}"


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


#: The data folder (under ``graph/data``) of the reference graph, and the one of generated files.
REFERENCE_FOLDER = "reference"
GENERATED_FOLDER = "generated"


class MisplacedDataFile(ValueError):
    """A data file lies outside the folders that name graphs; the message says where it belongs."""


def graph_for_data_file(relative: PurePath | str) -> str:
    """The named graph of a data file, from its path relative to the data folder.

    ``reference/…`` → the reference graph; ``{slug}/…`` and ``generated/{slug}/…`` → the
    document's graph; ``{slug}/inferred/…`` → its inference layer.

    :raises MisplacedDataFile: for a file directly in the data folder or in ``generated/``.

    >>> graph_for_data_file("reference/states.ttl") == str(REFERENCE_GRAPH)
    True
    >>> graph_for_data_file("generated/quito/infobox.ttl"), graph_for_data_file("quito/facts.ttl")
    ('https://w3id.org/inviolable/graph/quito', 'https://w3id.org/inviolable/graph/quito')
    >>> graph_for_data_file("quito/inferred/rules.ttl")
    'https://w3id.org/inviolable/graph/quito/inferred'
    """
    parts = PurePath(relative).parts
    if parts and parts[0] == REFERENCE_FOLDER:
        return str(REFERENCE_GRAPH)
    if parts and parts[0] == GENERATED_FOLDER:
        if len(parts) < 3:
            raise MisplacedDataFile(f"generated files belong in {GENERATED_FOLDER}/{{source-slug}}/")
        return source_graph(parts[1])
    if len(parts) < 2:
        raise MisplacedDataFile(f"data files belong in {REFERENCE_FOLDER}/ or a {{source-slug}}/ folder")
    if len(parts) > 2 and parts[1] == INFERRED:
        return inferred_graph(parts[0])
    return source_graph(parts[0])


def data_folder_for_graph(graph_iri: str) -> PurePath | None:
    """The data folder, relative to ``graph/data``, whose hand-written files go to ``graph_iri``.

    The inverse of :func:`graph_for_data_file`; None for the ontology, graphs outside the project and
    graph names whose document part is no slug (such as ``{GRAPH}..``).

    >>> data_folder_for_graph(inferred_graph("quito")), data_folder_for_graph(str(ONTOLOGY_GRAPH))
    (PurePosixPath('quito/inferred'), None)
    """
    if graph_iri == str(REFERENCE_GRAPH):
        return PurePath(REFERENCE_FOLDER)
    if graph_iri == str(ONTOLOGY_GRAPH) or not graph_iri.startswith(str(GRAPH)):
        return None
    slug = graph_iri.removeprefix(str(GRAPH))
    inferred = slug.endswith(f"/{INFERRED}")
    slug = slug.removesuffix(f"/{INFERRED}") if inferred else slug
    # Only a slug names a folder: "..", "." or "a b" would put files outside the data folder or where
    # the rule reads another graph, and the reference and generated folders name no document.
    if SLUG_PATTERN.fullmatch(slug) is None or slug in (REFERENCE_FOLDER, GENERATED_FOLDER):
        return None
    return PurePath(slug, INFERRED) if inferred else PurePath(slug)
