"""Helpers shared by blueprints for answering with RDF chosen by content negotiation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from flask import Response, request

from graph.namespaces import PREFIXES
from server.errors import ApiError
from server.media import GRAPH_FORMATS, by_name, content_type, negotiate

SERVICE_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#"}


def accept_list() -> list[tuple[str, float]]:
    """The request's Accept header as ``(media type, q)`` pairs."""
    return list(request.accept_mimetypes)


def format_override(formats: Sequence[ox.RdfFormat | ox.QueryResultsFormat]) -> object | None:
    """The format named by a ``format`` or ``output`` parameter (``csv``, ``ttl``, ``json``…), if any.

    :raises ApiError: 406 when the parameter names no format offered here.
    """
    name = request.args.get("format") or request.args.get("output")
    if not name:
        return None
    chosen = by_name(name, formats)
    if chosen is None:
        offered = ", ".join(f.file_extension for f in formats)
        raise ApiError(406, f"format {name!r} is not offered here; choose one of {offered}")
    return chosen


def choose_graph_format(formats: Sequence[ox.RdfFormat] = GRAPH_FORMATS) -> ox.RdfFormat:
    """The RDF format for the current request, by ``format`` parameter or Accept.

    :raises ApiError: 406 when nothing offered is acceptable.
    """
    chosen = format_override(formats) or negotiate(accept_list(), formats)
    if chosen is None:
        offered = ", ".join(f.media_type for f in formats)
        raise ApiError(406, f"none of the acceptable media types can be served; offered: {offered}")
    return chosen  # type: ignore[return-value]


def serialize(items: list[ox.Triple] | list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialise with the project's prefixes where the format has them."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=fmt, prefixes={**PREFIXES, **SERVICE_PREFIXES})
    return ox.serialize(items, format=fmt)


def rdf_response(triples: Iterable[ox.Triple | ox.Quad], fmt: ox.RdfFormat, *, status: int = 200) -> Response:
    """Serialise triples or quads into a response with ``Vary: Accept``."""
    body = serialize(list(triples), fmt)
    response = Response(body, status=status, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response
