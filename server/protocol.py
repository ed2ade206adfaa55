"""Reading a SPARQL 1.1 Protocol request: which operation, which text, which dataset.

The rules are those of the protocol: a query by GET, by POST form or by POST direct; an update by
POST only; UTF-8 bodies; exactly one operation per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Request

from graph.namespaces import REFERENCE_GRAPH
from server.errors import ApiError
from server.media import bare

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")


@dataclass(frozen=True)
class Operation:
    """One operation of a protocol request.

    :param kind: ``"query"``, ``"update"`` or ``"none"`` (a GET without a query).
    """

    kind: str
    text: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise ApiError(415, f"the request body must be UTF-8, not {charset}")


def _body_text(request: Request) -> str:
    _check_charset(request)
    data = request.get_data(cache=True)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(415, f"the request body is not UTF-8 (byte {error.start})") from error


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(400, f"the request carries {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def check_graph_iri(value: str, parameter: str) -> str:
    """Return a dataset parameter's value when it is an absolute IRI.

    :raises ApiError: 400 naming the parameter and the value.

    >>> check_graph_iri("http://e/g", "default-graph-uri")
    'http://e/g'
    """
    valid = _ABSOLUTE_IRI.match(value) is not None
    if valid:
        try:
            ox.NamedNode(value)
        except ValueError:
            valid = False
    if not valid:
        shown = value if len(value) <= 200 else value[:200] + "…"
        raise ApiError(400, f"the {parameter} parameter must be an absolute IRI, such as "
                            f"{REFERENCE_GRAPH}; {shown!r} is not one")
    return value


def _graphs(request: Request, kind: str, *, form: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    prefix = "using-" if kind == "update" else ""
    default_name = f"{prefix}graph-uri" if prefix else "default-graph-uri"
    named_name = f"{prefix}named-graph-uri"
    default = request.args.getlist(default_name)
    named = request.args.getlist(named_name)
    if form:
        default += request.form.getlist(default_name)
        named += request.form.getlist(named_name)
    return (tuple(check_graph_iri(value, default_name) for value in default),
            tuple(check_graph_iri(value, named_name) for value in named))


def read_operation(request: Request) -> Operation:
    """Find the one operation a request asks for.

    :raises ApiError: 400 for none or several operations or an update by GET; 415 for a body that is
        not form-encoded, ``application/sparql-query`` or ``application/sparql-update``, or not UTF-8.
    """
    url_queries = request.args.getlist("query")
    url_updates = request.args.getlist("update")
    if request.method in ("GET", "HEAD"):
        if url_updates:
            raise ApiError(400, "an update must be sent with POST, never with GET")
        query = _one(url_queries, "query")
        if query is None:
            return Operation("none")
        return Operation("query", query, *_graphs(request, "query", form=False))
    media = bare(request.mimetype or "")
    if media == FORM:
        _body_text(request)
        queries = url_queries + request.form.getlist("query")
        updates = url_updates + request.form.getlist("update")
        if queries and updates:
            raise ApiError(400, "the request carries both a query and an update; send one operation")
        if updates:
            return Operation("update", _one(updates, "update") or "", *_graphs(request, "update", form=True))
        query = _one(queries, "query")
        if query is None:
            raise ApiError(400, "the form carries neither a 'query' nor an 'update' parameter")
        return Operation("query", query, *_graphs(request, "query", form=True))
    if url_queries or url_updates:
        raise ApiError(400, "a direct POST carries its operation in the body, not in the URL")
    if media == QUERY:
        return Operation("query", _body_text(request), *_graphs(request, "query", form=False))
    if media == UPDATE:
        return Operation("update", _body_text(request), *_graphs(request, "update", form=False))
    shown = media or "no Content-Type"
    raise ApiError(415, f"a POST to the SPARQL endpoint must be {FORM}, {QUERY} or {UPDATE}, not {shown}")
