"""``/dumps/``: the whole dataset as files, plain or gzip-compressed, with ETag and Last-Modified."""

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
#: Dump formats: the dataset formats with their named graphs, and Turtle holding the union of all graphs.
DUMP_FORMATS: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE,
                                          ox.RdfFormat.JSON_LD)
_cache: dict[tuple[int, str, str], bytes] = {}


def dump_bytes(server: ServerState, fmt: ox.RdfFormat) -> bytes:
    """The serialised dataset in ``fmt`` (the bytes ``inviolable export`` writes), cached per store version."""
    version = server.store.version()
    key = (id(server), version, fmt.file_extension)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    body = export_bytes(server.store, format=fmt)
    for stale in [k for k in _cache if k[0] == key[0] and k[1] != version]:
        del _cache[stale]
    _cache[key] = body
    return body


def _files() -> list[dict[str, str]]:
    files = []
    for fmt in DUMP_FORMATS:
        name = f"{NAME}.{fmt.file_extension}"
        scope = "all graphs" if fmt.supports_datasets else "union of all graphs"
        files.append({"name": name, "format": fmt.name, "scope": scope, "url": f"/dumps/{name}"})
        files.append({"name": name + ".gz", "format": fmt.name + " (gzip)", "scope": scope,
                      "url": f"/dumps/{name}.gz"})
    return files


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
    server = state()
    body = dump_bytes(server, chosen)
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


__all__ = ["DUMP_FORMATS", "blueprint", "dump_bytes"]
