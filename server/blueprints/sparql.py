"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query, update in the writable mode, service description)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from graph.namespaces import PREFIXES
from server.bodies import check_nesting
from server.conditional import lookup
from server.errors import ApiError, wants_html
from server.fairness import fair_share
from server.media import content_type
from server.protocol import Operation, read_operation
from server.respond import choose_graph_format, query_formats, rdf_response, shape_body
from server.service import service_description
from server.sparql_text import DatasetConflict, add_using, nesting_depth, read_query
from server.state import state
from server.worker import QueryJob
from server.writes import commit_update, require_token

blueprint = Blueprint("sparql", __name__)


def _limit_depth(text: str, field: str) -> None:
    """Refuse a text nested deeper than ``MAX_QUERY_DEPTH`` before any parser recurses into it.

    SERVICE and LOAD are refused later, by parsing, in the worker (:mod:`server.sparql_check`).
    """
    check_nesting(text, limit=current_app.config["MAX_QUERY_DEPTH"], what=field, measure=nesting_depth)


def run_query(operation: Operation) -> Response:
    """Answer a query operation with fully serialised results."""
    # One lexical pass, remembered for repeated texts, gives the depth, the form and the dataset clause.
    reading = read_query(operation.text)
    check_nesting(operation.text, limit=current_app.config["MAX_QUERY_DEPTH"], what="query",
                  measure=lambda _: reading.depth)
    results, graph = query_formats(reading.form)
    if operation.default_graphs or operation.named_graphs:
        dataset = "protocol"
    else:
        dataset = "query" if reading.has_dataset else "union"
    job = QueryJob(operation.text, dataset=dataset, default_graphs=operation.default_graphs,
                   named_graphs=operation.named_graphs, base_iri=request.base_url,
                   results_media=results.media_type if results else None,  # type: ignore[attr-defined]
                   graph_media=graph.media_type if graph else None,  # type: ignore[attr-defined]
                   max_bytes=current_app.config["MAX_RESULT_BYTES"])
    answer = lookup(job, (results, graph))
    if (cached := answer.cached()) is not None:
        return cached
    with fair_share(request):
        outcome = state().run(job)
    chosen = results if outcome.kind == "results" else graph
    response = Response(shape_body(outcome.body, chosen), content_type=content_type(chosen))  # type: ignore[arg-type]
    response.headers["Vary"] = "Accept"
    return answer.finish(response)


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
    removed, added = commit_update(state(), text, base_iri=endpoint, prefixes=PREFIXES,
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
