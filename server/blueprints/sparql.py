"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query, update in the writable mode, service description)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from graph.namespaces import PREFIXES
from server.errors import ApiError, wants_html
from server.fairness import fair_share
from server.media import GRAPH_FORMATS, RESULT_FORMATS, by_name, content_type, negotiate
from server.protocol import Operation, read_operation
from server.respond import accept_list, choose_graph_format, rdf_response
from server.service import service_description
from server.sparql_text import DatasetConflict, add_using, has_dataset_clause, nesting_depth, query_form
from server.state import state
from server.worker import QueryJob
from server.writes import commit, require_token

blueprint = Blueprint("sparql", __name__)


def _limit_depth(text: str, field: str) -> None:
    """Refuse a text nested deeper than ``MAX_QUERY_DEPTH`` before any parser recurses into it.

    SERVICE and LOAD are refused later, by parsing, in the worker (:mod:`server.sparql_check`).
    """
    limit = current_app.config["MAX_QUERY_DEPTH"]
    depth = nesting_depth(text)
    if depth > limit:
        raise ApiError(400, f"the {field} nests brackets {depth} deep; the server accepts at most {limit}")


def _overrides(name: str) -> tuple[object | None, object | None]:
    results, graph = by_name(name, RESULT_FORMATS), by_name(name, GRAPH_FORMATS)
    if results is None and graph is None:
        offered = ", ".join(f.file_extension for f in (*RESULT_FORMATS, *GRAPH_FORMATS))
        raise ApiError(406, f"format {name!r} is not offered here; choose one of {offered}")
    return results, graph


def _formats(form: str | None) -> tuple[object | None, object | None]:
    name = request.args.get("format") or request.args.get("output")
    if name:
        results, graph = _overrides(name)
        if form in ("SELECT", "ASK") and results is None or form in ("CONSTRUCT", "DESCRIBE") and graph is None:
            raise ApiError(406, f"format {name!r} cannot hold the result of a {form} query")
        return results, graph
    accept = accept_list()
    results, graph = negotiate(accept, RESULT_FORMATS), negotiate(accept, GRAPH_FORMATS)
    if form in ("SELECT", "ASK") and results is None:
        raise ApiError(406, "none of the acceptable media types can hold SPARQL results; offered: "
                       + ", ".join(f.media_type for f in RESULT_FORMATS))
    if form in ("CONSTRUCT", "DESCRIBE") and graph is None:
        raise ApiError(406, "none of the acceptable media types can hold an RDF graph; offered: "
                       + ", ".join(f.media_type for f in GRAPH_FORMATS))
    return results, graph


def run_query(operation: Operation) -> Response:
    """Answer a query operation with fully serialised results."""
    _limit_depth(operation.text, "query")
    results, graph = _formats(query_form(operation.text))
    if operation.default_graphs or operation.named_graphs:
        dataset = "protocol"
    else:
        dataset = "query" if has_dataset_clause(operation.text) else "union"
    job = QueryJob(operation.text, dataset=dataset, default_graphs=operation.default_graphs,
                   named_graphs=operation.named_graphs, base_iri=request.base_url,
                   results_media=results.media_type if results else None,  # type: ignore[attr-defined]
                   graph_media=graph.media_type if graph else None,  # type: ignore[attr-defined]
                   max_bytes=current_app.config["MAX_RESULT_BYTES"])
    with fair_share(request):
        outcome = state().run(job)
    response = Response(outcome.body, content_type=content_type(
        results if outcome.kind == "results" else graph))  # type: ignore[arg-type]
    response.headers["Vary"] = "Accept"
    return response


def run_update(operation: Operation) -> Response:
    """Apply an update in the writable mode, through validation."""
    require_token(current_app.config["WRITE_TOKEN"])
    _limit_depth(operation.text, "update")
    try:
        text = add_using(operation.text, list(operation.default_graphs), list(operation.named_graphs))
    except DatasetConflict as error:
        raise ApiError(400, str(error)) from error
    endpoint = request.base_url
    text = state().pool.check_update(text, base_iri=endpoint, timeout=state().timeout)
    removed, added = commit(state(), lambda store: store.update(text, base_iri=endpoint, prefixes=PREFIXES),
                            sources=current_app.config["SOURCES"])
    return Response(f'{{"ok": true, "removed": {removed}, "added": {added}}}', status=200,
                    content_type="application/json")


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol endpoint: a query, an update, or (GET without either) the service description."""
    operation = read_operation(request)
    if operation.kind == "query":
        return run_query(operation)
    if operation.kind == "update":
        return run_update(operation)
    if wants_html():
        return Response(render_template("query.html"), content_type="text/html; charset=utf-8")
    fmt = choose_graph_format()
    return rdf_response(service_description(request.base_url, state()), fmt)
