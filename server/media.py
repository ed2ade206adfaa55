"""The media types the server speaks (the formats of :mod:`graph.formats`), and content negotiation.

Every media type comes from :class:`pyoxigraph.RdfFormat` or :class:`pyoxigraph.QueryResultsFormat`;
aliases a client may send (``application/json``, ``text/plain``) are resolved by the same library, and
Werkzeug's ``best_match`` chooses among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from graph import formats

#: Result formats for SELECT and ASK, the first being the default.
RESULT_FORMATS: tuple[ox.QueryResultsFormat, ...] = tuple(formats.RESULT_FORMATS.values())
#: Graph formats for CONSTRUCT, DESCRIBE and entity descriptions, the first being the default.
GRAPH_FORMATS: tuple[ox.RdfFormat, ...] = tuple(formats.RDF_FORMATS.values())
#: Formats able to hold a whole dataset (named graphs), for dumps.
DATASET_FORMATS: tuple[ox.RdfFormat, ...] = tuple(formats.DATASET_FORMATS.values())
HTML = "text/html"

Format = TypeVar("Format", ox.RdfFormat, ox.QueryResultsFormat)


def bare(media_type: str) -> str:
    """The media type without parameters, lower-cased.

    >>> bare("text/csv; charset=utf-8")
    'text/csv'
    """
    return media_type.split(";", 1)[0].strip().lower()


def content_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The Content-Type header value for a format, with a UTF-8 charset on text types.

    >>> content_type(ox.QueryResultsFormat.CSV)
    'text/csv; charset=utf-8'
    """
    media = fmt.media_type
    if ";" not in media and bare(media).startswith("text/"):
        media += "; charset=utf-8"
    return media


def by_extension(extension: str, formats: Sequence[Format]) -> Format | None:
    """The format among ``formats`` whose usual file extension is ``extension``.

    >>> by_extension("jsonld", GRAPH_FORMATS).name
    'JSON-LD'
    """
    for fmt in formats:
        if fmt.file_extension == extension:
            return fmt
    return None


#: Names clients put in a ``format``/``output``/``results`` parameter (SPARQLWrapper, Virtuoso and Fuseki
#: users), each standing for a format of one or both families. ``n3`` is served as Turtle, which N3 contains.
_SHORT_NAMES: dict[str, tuple[ox.QueryResultsFormat | ox.RdfFormat, ...]] = {
    "json": (ox.QueryResultsFormat.JSON, ox.RdfFormat.JSON_LD),
    "xml": (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML),
    "csv": (ox.QueryResultsFormat.CSV,), "tsv": (ox.QueryResultsFormat.TSV,),
    "turtle": (ox.RdfFormat.TURTLE,), "n3": (ox.RdfFormat.TURTLE,),
    "ntriples": (ox.RdfFormat.N_TRIPLES,), "n-triples": (ox.RdfFormat.N_TRIPLES,),
    "rdf": (ox.RdfFormat.RDF_XML,), "rdfxml": (ox.RdfFormat.RDF_XML,), "rdf+xml": (ox.RdfFormat.RDF_XML,),
    "json-ld": (ox.RdfFormat.JSON_LD,), "jsonld": (ox.RdfFormat.JSON_LD,),
    "nquads": (ox.RdfFormat.N_QUADS,), "n-quads": (ox.RdfFormat.N_QUADS,), "trig": (ox.RdfFormat.TRIG,),
}
#: Media types clients send for our formats besides the registered one; the library says which format each is.
_ALIAS_CANDIDATES = ("application/json", "text/json", "application/xml", "text/xml", "text/plain",
                     "application/x-turtle", "application/turtle", "text/n3", "application/n3",
                     "application/x-trig")


def by_name(name: str, formats: Sequence[Format]) -> Format | None:
    """The format among ``formats`` that a ``format`` parameter names: extension, short name or media type.

    >>> by_name("json", RESULT_FORMATS).name, by_name("json", GRAPH_FORMATS).name
    ('SPARQL Results in JSON', 'JSON-LD')
    >>> by_name("rdf+xml", GRAPH_FORMATS).name, by_name("text/csv", RESULT_FORMATS).name
    ('RDF/XML', 'SPARQL Results in CSV')
    >>> by_name("n3", RESULT_FORMATS) is None
    True
    """
    name = name.strip().lower()
    for candidate in _SHORT_NAMES.get(name, ()):
        if candidate in formats:
            return candidate  # type: ignore[return-value]
    found = by_extension(name, formats)
    if found is not None:
        return found
    return media_table(formats).get(bare(name)) if "/" in name else None


def media_table(formats: Sequence[Format]) -> dict[str, Format]:
    """Every media type that stands for one of ``formats``: the registered ones in order, then the aliases.

    >>> list(media_table(RESULT_FORMATS))[:2]
    ['application/sparql-results+json', 'application/sparql-results+xml']
    >>> media_table(GRAPH_FORMATS)["application/xml"].name
    'RDF/XML'
    """
    return dict(_media_table(tuple(formats)))


@lru_cache(maxsize=64)
def _media_table(formats: tuple) -> dict:
    table: dict = {bare(fmt.media_type): fmt for fmt in formats}
    if formats:
        kind = type(formats[0])
        for alias in _ALIAS_CANDIDATES:
            found = kind.from_media_type(alias)
            if found in formats and alias not in table:
                table[alias] = found
    return table


def negotiate(accept: Sequence[tuple[str, float]], formats: Sequence[Format], *,
              extra: Sequence[str] = ()) -> Format | str | None:
    """Choose the best of ``formats`` (or of the ``extra`` media types such as HTML) for an Accept list.

    Werkzeug's ``best_match`` decides, over the media types of :func:`media_table`: highest quality,
    then the most specific Accept entry, then the earlier offer. ``extra`` types are offered only to a
    client that names them (a bare ``*/*`` means a machine client, which gets RDF, not a page). An empty
    Accept list means "anything" and yields the first format.

    :param accept: ``(media type, q)`` pairs as parsed from the Accept header.
    :return: the chosen format, the chosen extra media type, or None when nothing is acceptable (406).

    >>> negotiate([("text/csv", 1.0), ("*/*", 0.1)], RESULT_FORMATS).name
    'SPARQL Results in CSV'
    >>> negotiate([("image/png", 1.0)], RESULT_FORMATS) is None
    True
    >>> negotiate([("text/html", 1.0), ("*/*", 0.8)], GRAPH_FORMATS, extra=("text/html",))
    'text/html'
    >>> negotiate([("*/*", 1.0)], GRAPH_FORMATS, extra=("text/html",)).name
    'Turtle'
    """
    if not accept:
        return formats[0] if formats else None
    # Clients send the same few Accept headers again and again: the choice is remembered for each.
    return _negotiate(tuple(accept), tuple(formats), tuple(extra))


@lru_cache(maxsize=512)
def _negotiate(accept: tuple, formats: tuple, extra: tuple) -> ox.RdfFormat | ox.QueryResultsFormat | str | None:
    client = MIMEAccept([(bare(media), quality) for media, quality in accept])
    named = {bare(media) for media, quality in accept if quality > 0}
    table = _media_table(formats)
    offers = [media for media in extra if media in named] + list(table)
    best = client.best_match(offers)
    if best is None:
        return None
    return best if best in extra else table[best]
