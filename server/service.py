"""RDF about the service itself: the SPARQL Service Description and the VoID description."""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import INV
from graph.project_graphs import is_project_graph
from server.media import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from server.state import ServerState

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
#: The licence of the project's own data (its facts, vocabularies and ontology), stated here only; each
#: source document keeps its own licence, read from the data (``schema:license``).
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


#: Formats the Graph Store accepts for a graph (one graph at a time: no N-Quads or TriG).
INPUT_FORMATS: tuple[ox.RdfFormat, ...] = tuple(f for f in GRAPH_FORMATS
                                                if f not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG))


def format_iri(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The W3C format IRI (``http://www.w3.org/ns/formats/…``) of a format, from pyoxigraph's enum.

    pyoxigraph names JSON-LD ``https://www.w3.org/ns/formats/data/JSON-LD``; the W3C registry's IRI is
    ``http://www.w3.org/ns/formats/JSON-LD``, so the last segment is kept under the W3C namespace.

    >>> format_iri(ox.RdfFormat.JSON_LD), format_iri(ox.QueryResultsFormat.CSV)
    ('http://www.w3.org/ns/formats/JSON-LD', 'http://www.w3.org/ns/formats/SPARQL_Results_CSV')
    """
    return fmt.iri if fmt.iri.startswith(FORMATS) else FORMATS + fmt.iri.rstrip("/").rsplit("/", 1)[-1]


def source_licenses(state: ServerState) -> list[tuple[str, str | None]]:
    """Every source document with its licence (None when the data records none), sorted by IRI."""
    rows = state.rows(f"""SELECT ?doc (SAMPLE(?license) AS ?l) WHERE {{
        ?doc a <{INV.SourceDocument}> .
        OPTIONAL {{ ?doc <{SCHEMA}license> ?license }} }} GROUP BY ?doc ORDER BY ?doc""")
    return [(row[0].value, row[1].value if row[1] is not None else None) for row in rows
            if isinstance(row[0], ox.NamedNode)]


def graph_counts(state: ServerState, *, user_graphs: bool = True) -> list[tuple[str, int]]:
    """Each named graph (without ``user_graphs``, each project graph) with its number of triples, sorted by name."""
    rows = state.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return [(row[0].value, int(row[1].value)) for row in rows
            if isinstance(row[0], ox.NamedNode) and (user_graphs or is_project_graph(row[0]))]


def dataset_counts(state: ServerState) -> dict[str, int]:
    """Triples (of the union), distinct subjects, properties, objects and entities typed with rdf:type."""
    row = state.rows("""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
        (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
        WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }""")[0]
    keys = ("triples", "subjects", "properties", "objects")
    return {key: int(term.value) for key, term in zip(keys, row, strict=True)}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def service_description(endpoint: str, state: ServerState) -> list[ox.Triple]:
    """The Service Description of the endpoint at ``endpoint``: languages, formats, the dataset."""
    service = _n(endpoint)
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), service),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
    ]
    if state.writable:
        triples.append(ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append(ox.Triple(service, _n(SD + "resultFormat"), _n(format_iri(fmt))))
    for fmt in INPUT_FORMATS:
        triples.append(ox.Triple(service, _n(SD + "inputFormat"), _n(format_iri(fmt))))
    for number, (name, count) in enumerate(graph_counts(state)):
        named, graph = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(name)),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(graph, _n(VOID + "triples"), _int(count)),
        ]
    # The default graph is the union of the project graphs: its distinct triples, as VoID counts them.
    triples.append(ox.Triple(default, _n(VOID + "triples"), _int(dataset_counts(state)["triples"])))
    return triples


def void_description(root: str, state: ServerState, *, title: str, base_iri: str) -> list[ox.Triple]:
    """The VoID description of the dataset served at ``root`` (ending with a slash).

    :param base_iri: the canonical IRI base of the entities, whose ``id/`` space the dataset fills.
    """
    dataset = _n(root + ".well-known/void#dataset")
    counts = dataset_counts(state)
    triples = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(DCT + "title"), ox.Literal(title, language="en")),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(base_iri + "id/")),
        ox.Triple(dataset, _n(DCT + "modified"),
                  ox.Literal(state.modified.isoformat(), datatype=_n(XSD + "dateTime"))),
        ox.Triple(dataset, _n(VOID + "triples"), _int(counts["triples"])),
        ox.Triple(dataset, _n(VOID + "distinctSubjects"), _int(counts["subjects"])),
        ox.Triple(dataset, _n(VOID + "properties"), _int(counts["properties"])),
        ox.Triple(dataset, _n(VOID + "distinctObjects"), _int(counts["objects"])),
        ox.Triple(dataset, _n(DCT + "license"), _n(DATA_LICENSE)),
    ]
    for document, license_iri in source_licenses(state):
        triples.append(ox.Triple(dataset, _n(DCT + "source"), _n(document)))
        if license_iri is not None:
            triples.append(ox.Triple(_n(document), _n(DCT + "license"), _n(license_iri)))
    for fmt in DATASET_FORMATS:
        dump = f"{root}dumps/inviolable.{fmt.file_extension}"
        triples.append(ox.Triple(dataset, _n(VOID + "dataDump"), _n(dump)))
    # The dataset the dumps hold: the project graphs (a user's own graphs are not part of it).
    for name, count in graph_counts(state, user_graphs=False):
        subset = _n(f"{root}.well-known/void#graph-{name.rsplit('/', 1)[-1]}")
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(SD + "name"), _n(name)),
            ox.Triple(subset, _n(VOID + "triples"), _int(count)),
        ]
    return triples
