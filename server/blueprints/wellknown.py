"""``/.well-known/void``: the VoID description of the dataset, with counts, endpoint and dumps."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from server.respond import choose_graph_format, rdf_response
from server.service import void_description
from server.state import state

blueprint = Blueprint("wellknown", __name__)
TITLE = "Inviolable: incidents against diplomatic and consular missions"


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description, in the RDF format the client accepts (Turtle by default)."""
    fmt = choose_graph_format()
    triples = void_description(request.url_root, state(), title=TITLE, base_iri=current_app.config["BASE_IRI"])
    return rdf_response(triples, fmt)
