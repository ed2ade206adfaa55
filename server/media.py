"""The media types the server speaks (the formats of :mod:`graph.formats`), and content negotiation.

Every media type comes from :class:`pyoxigraph.RdfFormat` or :class:`pyoxigraph.QueryResultsFormat`;
aliases a client may send (``application/json``, ``text/plain``) are resolved by the same library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import pyoxigraph as ox

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


#: Short names clients put in a ``format`` parameter (SPARQLWrapper, Fuseki users), by format family.
_SHORT_NAMES = {
    "json": (ox.QueryResultsFormat.JSON, ox.RdfFormat.JSON_LD),
    "xml": (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML),
    "csv": (ox.QueryResultsFormat.CSV,), "tsv": (ox.QueryResultsFormat.TSV,), "turtle": (ox.RdfFormat.TURTLE,),
    "ntriples": (ox.RdfFormat.N_TRIPLES,), "n-triples": (ox.RdfFormat.N_TRIPLES,), "rdf": (ox.RdfFormat.RDF_XML,),
    "rdfxml": (ox.RdfFormat.RDF_XML,), "json-ld": (ox.RdfFormat.JSON_LD,), "nquads": (ox.RdfFormat.N_QUADS,),
    "trig": (ox.RdfFormat.TRIG,),
}


def by_name(name: str, formats: Sequence[Format]) -> Format | None:
    """The format among ``formats`` that a ``format`` parameter names: extension, short name or media type.

    >>> by_name("json", RESULT_FORMATS).name, by_name("json", GRAPH_FORMATS).name
    ('SPARQL Results in JSON', 'JSON-LD')
    >>> by_name("text/csv", RESULT_FORMATS).name
    'SPARQL Results in CSV'
    """
    name = name.strip().lower()
    found = by_extension(name, formats)
    if found is not None:
        return found
    for candidate in _SHORT_NAMES.get(name, ()):
        if candidate in formats:
            return candidate  # type: ignore[return-value]
    return _resolve(bare(name), formats) if "/" in name else None


def _resolve(media: str, formats: Sequence[Format]) -> Format | None:
    if not formats:
        return None
    for fmt in formats:
        if bare(fmt.media_type) == media:
            return fmt
    kind = type(formats[0])
    alias = kind.from_media_type(media)
    return alias if alias in formats else None


def negotiate(accept: Sequence[tuple[str, float]], formats: Sequence[Format], *,
              extra: Sequence[str] = ()) -> Format | str | None:
    """Choose the best of ``formats`` (or of the ``extra`` media types such as HTML) for an Accept list.

    Each offer gets the quality of the most specific Accept entry matching it (exact, then ``type/*``,
    then ``*/*``); the highest quality wins, ties going to the earlier offer. An empty Accept list
    means "anything" and yields the first format.

    :param accept: ``(media type, q)`` pairs as parsed from the Accept header.
    :return: the chosen format, the chosen extra media type, or None when nothing is acceptable (406).

    >>> negotiate([("text/csv", 1.0), ("*/*", 0.1)], RESULT_FORMATS).name
    'SPARQL Results in CSV'
    >>> negotiate([("image/png", 1.0)], RESULT_FORMATS) is None
    True
    """
    offers: list[Format | str] = [*extra, *formats] if extra else list(formats)
    if not accept:
        return formats[0] if formats else None
    resolved: list[tuple[Format | str | None, str, float]] = []
    for media, quality in accept:
        media = bare(media)
        if media == "*/*" or media.endswith("/*"):
            resolved.append((None, media, quality))
        elif media in extra:
            resolved.append((media, media, quality))
        else:
            resolved.append((_resolve(media, formats), media, quality))
    best: Format | str | None = None
    best_quality = 0.0
    for offer in offers:
        offer_media = offer if isinstance(offer, str) else bare(offer.media_type)
        exact = [q for fmt, _, q in resolved if fmt is not None and fmt == offer]
        partial = [q for fmt, m, q in resolved
                   if fmt is None and m.endswith("/*") and m != "*/*" and offer_media.startswith(m[:-1])]
        anything = [q for fmt, m, q in resolved if fmt is None and m == "*/*"]
        quality = max(exact) if exact else max(partial) if partial else max(anything) if anything else 0.0
        if isinstance(offer, str) and not exact:
            quality = 0.0  # HTML only when asked for by name: a bare */* means a machine client
        if quality > best_quality:
            best, best_quality = offer, quality
    return best
