"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol (reads for all, writes when authorised).

A graph is named indirectly, ``/graph-store?graph=IRI`` (``?default`` for the default graph), or
directly: a URL under ``/graph-store/`` is itself the IRI of the graph it stands for. A POST to
``/graph-store`` with neither creates a new graph and answers 201 with its IRI in ``Location``.
A POST may carry ``multipart/form-data``, each part one RDF document added to the graph.

``?default`` is the store's own default graph, for reading as for writing. Queries see more: their
default graph is the union of the project's graphs (:mod:`server.graphs`). Writes to the project's
graphs go through the shapes; a user's own graphs are accepted once they parse and stay out of the union.
"""

from __future__ import annotations

import re
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from server.errors import ApiError
from server.media import bare, content_type
from server.respond import choose_graph_format, shape_body
from server.service import INPUT_FORMATS
from server.state import state
from server.worker import QueryJob
from server.writes import commit, require_token

blueprint = Blueprint("graph_store", __name__)
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
#: Graph formats a client can read a graph in (a graph, not a dataset).
READ_FORMATS = INPUT_FORMATS


def _indirect() -> str | None:
    """The graph IRI of an indirect request, or None for the default graph.

    :raises ApiError: 400 when both ``graph`` and ``default`` are given, or the IRI is not absolute.
    """
    graph, default = request.args.get("graph"), "default" in request.args
    if graph is not None and default:
        raise ApiError(400, "name the graph with ?graph=IRI or ?default, not both")
    if graph is None and not default:
        raise ApiError(400, "name the graph with ?graph=IRI or ?default (or use the graph's own URL "
                            "under /graph-store/)")
    if graph is not None and not _IRI.match(graph):
        raise ApiError(400, f"graph {graph!r} is not an absolute IRI")
    return graph


def _exists(graph: str) -> bool:
    return state().run(QueryJob(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", dataset="query",
                                serialize=False)).boolean is True


def read(graph: str | None) -> Response:
    """A graph's triples in the negotiated RDF format (HEAD: the same headers, no body).

    :raises ApiError: 404 when the named graph holds nothing.
    """
    fmt = choose_graph_format(READ_FORMATS)
    if graph is not None and not _exists(graph):
        raise ApiError(404, f"no graph named <{graph}> in this dataset")
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    outcome = state().run(QueryJob(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", dataset="query",
                                   graph_media=fmt.media_type, max_bytes=current_app.config["MAX_RESULT_BYTES"]))
    response = Response(shape_body(outcome.body, fmt), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


def _format_of(media: str, what: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(bare(media)) if media else None
    if fmt not in INPUT_FORMATS:
        offered = ", ".join(f.media_type for f in INPUT_FORMATS)
        raise ApiError(415, f"{what} must be one of {offered}, not {media or 'without a Content-Type'}")
    return fmt  # type: ignore[return-value]


def payload() -> list[tuple[bytes, ox.RdfFormat]]:
    """The RDF documents of the request body: the body itself, or each part of a multipart form.

    :raises ApiError: 415 for a media type that is not a graph format; 400 for an empty multipart form.
    """
    if request.mimetype == "multipart/form-data":
        parts = [(part.read(), _format_of(part.mimetype, f"part {name!r}"))
                 for name, part in request.files.items(multi=True)]
        if not parts:
            raise ApiError(400, "the multipart request carries no file part")
        return parts
    return [(request.get_data(), _format_of(request.mimetype or "", "the graph"))]


def write(graph: str | None, *, base: str) -> Response:
    """Replace (PUT), add to (POST) or remove (DELETE) a graph, through :func:`server.writes.commit`.

    :param base: the base IRI relative IRIs of the payload resolve against.
    """
    require_token(current_app.config["WRITE_TOKEN"])
    name: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    existed = graph is None or _exists(graph)
    sources = current_app.config["SOURCES"]
    touched = [graph] if graph is not None else None
    if request.method == "DELETE":
        if not existed:
            raise ApiError(404, f"no graph named <{graph}> in this dataset")
        commit(state(), lambda store: store.clear_graph(name) if graph is None else store.remove_graph(name),
               sources=sources, graphs=touched)
        return Response(status=204)
    documents = payload()
    replace = request.method == "PUT"

    def mutate(store: ox.Store) -> None:
        if replace:
            store.clear_graph(name)
        for data, fmt in documents:
            store.load(data, format=fmt, to_graph=name, base_iri=base)

    commit(state(), mutate, sources=sources, graphs=touched)
    return Response(status=204 if existed else 201)


def _dispatch(graph: str | None, *, base: str) -> Response:
    if request.method in ("GET", "HEAD"):
        return read(graph)
    return write(graph, base=base)


@blueprint.route("/graph-store", methods=_METHODS)
def indirect() -> Response:
    """The graph named by ``?graph=IRI`` or ``?default``; a POST naming neither creates a graph."""
    if request.method == "POST" and "graph" not in request.args and "default" not in request.args:
        return create()
    graph = _indirect()
    return _dispatch(graph, base=graph or request.base_url)


@blueprint.route("/graph-store/<path:rest>", methods=_METHODS)
def direct(rest: str) -> Response:
    """The graph whose IRI is this very URL (direct graph identification)."""
    graph = request.base_url
    if not _IRI.match(graph):
        raise ApiError(400, f"{graph!r} cannot name a graph")
    return _dispatch(graph, base=graph)


def create() -> Response:
    """POST to the Graph Store itself: a new graph under ``/graph-store/``, answered 201 with ``Location``."""
    graph = f"{request.url_root}graph-store/{uuid.uuid4().hex}"
    response = write(graph, base=graph)
    response.headers["Location"] = graph
    return response


__all__ = ["blueprint", "payload", "read", "write"]
