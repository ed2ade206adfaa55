"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol (reads for all, writes when authorised).

``?graph=IRI`` names a graph; ``?default`` is the default graph, which for reading is the union of
all graphs, as for queries.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from server.errors import ApiError
from server.media import GRAPH_FORMATS, bare, content_type
from server.respond import choose_graph_format, shape_body
from server.state import state
from server.worker import QueryJob
from server.writes import commit, require_token

blueprint = Blueprint("graph_store", __name__)
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")


def _target() -> str | None:
    """The graph IRI of the request, or None for the default graph.

    :raises ApiError: 400 when neither or both of ``graph`` and ``default`` are given, or the IRI is bad.
    """
    graph, default = request.args.get("graph"), "default" in request.args
    if (graph is None) == (not default):
        raise ApiError(400, "name the graph with ?graph=IRI or ?default (exactly one)")
    if graph is not None and not _IRI.match(graph):
        raise ApiError(400, f"{graph!r} is not an absolute IRI")
    return graph


def _exists(graph: str) -> bool:
    return state().run(QueryJob(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", dataset="query",
                                serialize=False)).boolean is True


@blueprint.route("/graph-store", methods=["GET", "HEAD"])
def read() -> Response:
    """A graph's triples in the negotiated RDF format.

    :raises ApiError: 404 when the named graph holds nothing.
    """
    graph = _target()
    fmt = choose_graph_format([f for f in GRAPH_FORMATS if not f.supports_datasets])
    if graph is not None and not _exists(graph):
        raise ApiError(404, f"no graph named <{graph}> in this dataset")
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    outcome = state().run(QueryJob(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}",
                                   dataset="query" if graph else "union", graph_media=fmt.media_type,
                                   max_bytes=current_app.config["MAX_RESULT_BYTES"]))
    response = Response(shape_body(outcome.body, fmt), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


def _payload() -> tuple[bytes, ox.RdfFormat]:
    media = bare(request.mimetype or "")
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None or fmt.supports_datasets:
        offered = ", ".join(f.media_type for f in GRAPH_FORMATS if not f.supports_datasets)
        raise ApiError(415, f"the graph must be sent as one of {offered}, not {media or 'no Content-Type'}")
    return request.get_data(), fmt


@blueprint.route("/graph-store", methods=["PUT", "POST", "DELETE"])
def write() -> Response:
    """Replace (PUT), add to (POST) or remove (DELETE) a graph, through validation."""
    require_token(current_app.config["WRITE_TOKEN"])
    graph = _target()
    name: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    existed = graph is None or _exists(graph)
    if request.method == "DELETE":
        if not existed:
            raise ApiError(404, f"no graph named <{graph}> in this dataset")
        commit(state(), lambda store: store.clear_graph(name) if graph is None else store.remove_graph(name),
               sources=current_app.config["SOURCES"])
        return Response(status=204)
    data, fmt = _payload()

    def mutate(store: ox.Store) -> None:
        if request.method == "PUT":
            store.clear_graph(name)
        store.load(data, format=fmt, to_graph=name, base_iri=graph or request.base_url)

    commit(state(), mutate, sources=current_app.config["SOURCES"])
    return Response(status=204 if existed else 201)
