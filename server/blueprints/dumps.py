"""``/dumps/``: the project graphs as files, plain or gzip-compressed, with ETag and Last-Modified.

The dumps follow the rule of the query union (:mod:`graph.project_graphs`): they hold the project
graphs, never a user's own graphs, which the shapes did not judge. ``?graphs=all`` adds the user
graphs to a dataset dump (N-Quads, TriG, JSON-LD), each under its own name; the Turtle dump, a
single graph, is always the union of the project graphs.
"""

from __future__ import annotations

import gzip
import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request

from graph.export import export_bytes
from server.errors import ApiError, wants_html
from server.media import content_type
from server.state import ServerState, state

blueprint = Blueprint("dumps", __name__)
NAME = "inviolable"
#: Dump formats: the dataset formats with their named graphs, and Turtle holding the union of the project graphs.
DUMP_FORMATS: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE,
                                          ox.RdfFormat.JSON_LD)
#: The values of the ``graphs`` parameter: the project graphs (the default), or every graph.
GRAPH_SCOPES = ("project", "all")
_cache: dict[tuple[int, str, str, bool], bytes] = {}


def dump_bytes(server: ServerState, fmt: ox.RdfFormat, *, user_graphs: bool = False) -> bytes:
    """The serialised dataset in ``fmt`` (the bytes ``inviolable export`` writes), cached per store version.

    :raises ValueError: when ``user_graphs`` is asked of a single-graph format.
    """
    version = server.store.version()
    key = (id(server), version, fmt.file_extension, user_graphs)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    body = export_bytes(server.store, format=fmt, user_graphs=user_graphs)
    for stale in [k for k in _cache if k[0] == key[0] and k[1] != version]:
        del _cache[stale]
    _cache[key] = body
    return body


def _files() -> list[dict[str, str]]:
    files = []
    for fmt in DUMP_FORMATS:
        name = f"{NAME}.{fmt.file_extension}"
        scope = "the project graphs" if fmt.supports_datasets else "the union of the project graphs"
        files.append({"name": name, "format": fmt.name, "scope": scope, "url": f"/dumps/{name}"})
        files.append({"name": name + ".gz", "format": fmt.name + " (gzip)", "scope": scope,
                      "url": f"/dumps/{name}.gz"})
    for fmt in DUMP_FORMATS:
        if fmt.supports_datasets:
            url = f"/dumps/{NAME}.{fmt.file_extension}?graphs=all"
            files.append({"name": url.removeprefix("/dumps/"), "format": fmt.name,
                          "scope": "the project graphs and the user graphs", "url": url})
    return files


def _user_graphs(fmt: ox.RdfFormat) -> bool:
    """Whether the request asks for the user graphs too (``?graphs=all``).

    :raises ApiError: 400 for another value, or for ``all`` with a single-graph format.
    """
    scope = request.args.get("graphs", "project")
    if scope not in GRAPH_SCOPES:
        raise ApiError(400, f"graphs={scope!r} is not one of: {', '.join(GRAPH_SCOPES)}")
    if scope == "all" and not fmt.supports_datasets:
        raise ApiError(400, f"the {fmt.name} dump is the union of the project graphs; user graphs come with "
                            "their names, in the N-Quads, TriG or JSON-LD dump with graphs=all")
    return scope == "all"


@blueprint.route("/dumps/")
def index() -> Response:
    """The list of dump files."""
    if wants_html():
        return Response(render_template("dumps.html", files=_files()), content_type="text/html; charset=utf-8")
    return jsonify({"ok": True, "dumps": _files()})


@blueprint.route("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file; supports If-None-Match / If-Modified-Since.

    :raises ApiError: 404 for an unknown file name.
    """
    compressed = name.endswith(".gz")
    stem = name.removesuffix(".gz")
    chosen = next((f for f in DUMP_FORMATS if stem == f"{NAME}.{f.file_extension}"), None)
    if chosen is None:
        names = ", ".join(f["name"] for f in _files())
        raise ApiError(404, f"no dump named {name!r}; available: {names}")
    user_graphs = _user_graphs(chosen)
    server = state()
    body = dump_bytes(server, chosen, user_graphs=user_graphs)
    if compressed:
        body = gzip.compress(body, mtime=int(server.modified.timestamp()))
        response = Response(body, content_type="application/gzip")
    else:
        response = Response(body, content_type=content_type(chosen))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = server.modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


__all__ = ["DUMP_FORMATS", "GRAPH_SCOPES", "blueprint", "dump_bytes"]
