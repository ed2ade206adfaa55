"""The one table of serialisation formats: names the command line accepts, mapped to pyoxigraph's enums.

The server's content negotiation (``server/media.py``) offers the same formats in the same order.
"""

from __future__ import annotations

import pyoxigraph as ox

#: In order of preference: the first is what a client gets when it accepts anything.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
DATASET_FORMATS = {name: fmt for name, fmt in RDF_FORMATS.items() if fmt.supports_datasets}
