"""RDF about the service itself: the SPARQL Service Description and the VoID description."""

from __future__ import annotations

import pyoxigraph as ox

from server.media import DATASET_FORMATS, RESULT_FORMATS
from server.state import ServerState

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
XSD = "http://www.w3.org/2001/XMLSchema#"
_FORMAT_IRIS = {"JSON": "SPARQL_Results_JSON", "XML": "SPARQL_Results_XML", "CSV": "SPARQL_Results_CSV",
                "TSV": "SPARQL_Results_TSV"}


def graph_counts(state: ServerState) -> list[tuple[str, int]]:
    """Each named graph with its number of triples, sorted by name."""
    rows = state.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return [(row[0].value, int(row[1].value)) for row in rows if isinstance(row[0], ox.NamedNode)]


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
    for fmt in RESULT_FORMATS:
        iri = FORMATS + _FORMAT_IRIS[fmt.name.split()[-1]]
        triples.append(ox.Triple(service, _n(SD + "resultFormat"), _n(iri)))
    for fmt in DATASET_FORMATS:
        triples.append(ox.Triple(service, _n(SD + "inputFormat"), _n(fmt.iri)))
    total = 0
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
        total += count
    triples.append(ox.Triple(default, _n(VOID + "triples"), _int(total)))
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
    ]
    for fmt in DATASET_FORMATS:
        dump = f"{root}dumps/inviolable.{fmt.file_extension}"
        triples.append(ox.Triple(dataset, _n(VOID + "dataDump"), _n(dump)))
    for name, count in graph_counts(state):
        subset = _n(f"{root}.well-known/void#graph-{name.rsplit('/', 1)[-1]}")
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(SD + "name"), _n(name)),
            ox.Triple(subset, _n(VOID + "triples"), _int(count)),
        ]
    return triples
