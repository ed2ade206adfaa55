"""Helpers shared by blueprints for answering with RDF or results chosen by content negotiation.

A ``format``, ``output`` or ``results`` parameter (as SPARQLWrapper, Virtuoso and Fuseki clients send,
each possibly repeated) chooses the format when one of its values names a format that can hold the
answer; otherwise the Accept header decides. A parameter naming no format at all is an error (406).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from flask import Response, request

from graph.namespaces import PREFIXES
from server import jsonld
from server.errors import ApiError
from server.media import GRAPH_FORMATS, RESULT_FORMATS, Format, by_name, content_type, negotiate

SERVICE_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#"}
_PARAMETERS = ("format", "output", "results")


def accept_list() -> list[tuple[str, float]]:
    """The request's Accept header as ``(media type, q)`` pairs."""
    return list(request.accept_mimetypes)


def format_names() -> list[str]:
    """Every value of the request's ``format``, ``output`` and ``results`` parameters (URL or form)."""
    return [value for key in _PARAMETERS for value in request.values.getlist(key) if value.strip()]


def choose_format(formats: Sequence[Format], *, holds: str) -> Format:
    """The format among ``formats`` for this request: a ``format`` parameter value naming one, else Accept.

    :param holds: what the answer is, for the error message ("SPARQL results", "an RDF graph").
    :raises ApiError: 406 when a parameter names no format at all, or when nothing offered is acceptable.
    """
    names = format_names()
    for name in names:
        found = by_name(name, formats)
        if found is not None:
            return found
    if names and not any(by_name(name, family) for name in names for family in (RESULT_FORMATS, GRAPH_FORMATS)):
        offered = ", ".join(dict.fromkeys(f.file_extension for f in formats))
        raise ApiError(406, f"format {names[0]!r} is not offered here; choose one of {offered}")
    chosen = negotiate(accept_list(), formats)
    if chosen is None:
        offered = ", ".join(f.media_type for f in formats)
        raise ApiError(406, f"none of the acceptable media types can hold {holds}; offered: {offered}")
    return chosen  # type: ignore[return-value]


def choose_graph_format(formats: Sequence[ox.RdfFormat] = GRAPH_FORMATS) -> ox.RdfFormat:
    """The RDF format for the current request, by ``format`` parameter or Accept.

    :raises ApiError: 406 when nothing offered is acceptable.
    """
    return choose_format(formats, holds="an RDF graph")


def query_formats(form: str | None) -> tuple[ox.QueryResultsFormat | None, ox.RdfFormat | None]:
    """The result format and the graph format for a query of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Only the one the form needs is chosen strictly; for an unknown form (the query will not parse) both
    are chosen leniently, so that the syntax error is what the client hears about.

    :raises ApiError: 406 when the form's answer cannot be given in any acceptable format.
    """
    if form in ("SELECT", "ASK"):
        return choose_format(RESULT_FORMATS, holds="SPARQL results"), None
    if form in ("CONSTRUCT", "DESCRIBE"):
        return None, choose_format(GRAPH_FORMATS, holds="an RDF graph")
    try:
        results: ox.QueryResultsFormat | None = choose_format(RESULT_FORMATS, holds="SPARQL results")
    except ApiError:
        results = None
    try:
        graph: ox.RdfFormat | None = choose_format(GRAPH_FORMATS, holds="an RDF graph")
    except ApiError:
        graph = None
    return results, graph


def shape_body(body: bytes, fmt: ox.RdfFormat | ox.QueryResultsFormat | None) -> bytes:
    """The body as sent: JSON-LD compacted with the project's context unless the expanded profile is asked."""
    if fmt == ox.RdfFormat.JSON_LD:
        return jsonld.shape(body, request.headers.get("Accept", ""))
    return body


def serialize(items: list[ox.Triple] | list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialise with the project's prefixes where the format has them."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=fmt, prefixes={**PREFIXES, **SERVICE_PREFIXES})
    return ox.serialize(items, format=fmt)


def rdf_response(triples: Iterable[ox.Triple | ox.Quad], fmt: ox.RdfFormat, *, status: int = 200) -> Response:
    """Serialise triples or quads into a response with ``Vary: Accept``."""
    body = shape_body(serialize(list(triples), fmt), fmt)
    response = Response(body, status=status, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response
