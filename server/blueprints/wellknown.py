"""``/.well-known/void`` (the VoID description), ``/service-description`` and the JSON-LD context.

Browsers get an HTML view of each; RDF clients the RDF they accept (Turtle by default).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from server import jsonld
from server.describe_html import description_page
from server.errors import wants_html
from server.respond import choose_graph_format, format_names, rdf_response
from server.service import service_description, void_description
from server.state import state

blueprint = Blueprint("wellknown", __name__)
TITLE = "Inviolable: incidents against diplomatic and consular missions"


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description: an HTML view for browsers, else RDF in the format the client accepts."""
    triples = void_description(request.url_root, state(), title=TITLE, base_iri=current_app.config["BASE_IRI"])
    if wants_html() and not format_names():
        return description_page(triples, title="VoID description of the dataset", path="/.well-known/void",
                                intro="What the dataset holds, its licences, where to query and download it.")
    return rdf_response(triples, choose_graph_format())


@blueprint.route("/service-description")
def service() -> Response:
    """The SPARQL Service Description of ``/sparql`` (also served at ``/sparql`` to RDF clients)."""
    triples = service_description(request.url_root + "sparql", state())
    if wants_html() and not format_names():
        return description_page(triples, title="Service description of the SPARQL endpoint",
                                path="/service-description",
                                intro="The languages, result and input formats of /sparql, and its dataset.")
    return rdf_response(triples, choose_graph_format())


@blueprint.route(jsonld.CONTEXT_PATH)
def context() -> Response:
    """The JSON-LD context every compacted document of this server uses (and embeds)."""
    response = jsonify({"@context": jsonld.context()})
    response.headers["Content-Type"] = "application/ld+json"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
