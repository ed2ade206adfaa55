"""``/id/{kind}/{slug}``: linked-data pages, HTML for browsers and RDF for RDF clients.

The server answers for the canonical IRIs ``{BASE_IRI}id/…`` under its own origin. A suffix
(``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.html``) overrides the Accept header.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from graph.namespaces import SLUG_PATTERN, short_iri
from server import conditional, ontology_page
from server.entities import Documents, describe, fragments_of, rdf_query
from server.errors import ApiError
from server.media import HTML, by_extension, content_type, negotiate
from server.page_extras import page_extras
from server.respond import accept_list, shape_body
from server.state import state
from server.worker import QueryJob

blueprint = Blueprint("pages", __name__)
#: Formats an entity description is offered in (graphs only: a description is one graph).
ENTITY_FORMATS: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD,
                                            ox.RdfFormat.RDF_XML)


def canonical(path: str) -> str:
    """The canonical IRI for a server path such as ``id/state/ecuador``."""
    return current_app.config["BASE_IRI"] + path


@blueprint.app_template_global()
def href(term: ox.Term | str) -> str | None:
    """Where a link to a term goes: our own page for our IRIs, the IRI itself otherwise, None for literals."""
    if isinstance(term, ox.Literal | ox.BlankNode):
        return None
    iri = term.value if isinstance(term, ox.NamedNode) else str(term)
    base = current_app.config["BASE_IRI"]
    if iri.startswith((base + "id/", base + "vocab/", base + "ontology")):
        return "/" + iri[len(base):]
    # Only web links: an IRI such as javascript:… in the data must never become a live link.
    return iri if iri.startswith(("http://", "https://")) else None


@blueprint.app_template_global()
def short(term: ox.Term | str) -> str:
    """The short display of an IRI (:func:`graph.namespaces.short_iri`); a literal shows its value.

    >>> short(ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")), short(ox.Literal("x"))
    ('rdfs:label', 'x')
    """
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return short_iri(term.value if isinstance(term, ox.NamedNode) else str(term))


def _alternates(path: str) -> str:
    links = [f'</{path}>; rel="alternate"; type="{HTML}"']
    links += [f'</{path}.{fmt.file_extension}>; rel="alternate"; type="{fmt.media_type}"' for fmt in ENTITY_FORMATS]
    links.append(f'<{canonical(path)}>; rel="canonical"')
    return ", ".join(links)


def _choose(suffix: str | None) -> ox.RdfFormat | str:
    if suffix is not None:
        if suffix == "html":
            return HTML
        chosen = by_extension(suffix, ENTITY_FORMATS)
        if chosen is None:
            raise ApiError(404, f"no representation with suffix .{suffix}; try .html, "
                           + ", ".join(f".{f.file_extension}" for f in ENTITY_FORMATS))
        return chosen
    chosen = negotiate(accept_list(), ENTITY_FORMATS, extra=(HTML,))
    if chosen is None:
        raise ApiError(406, "none of the acceptable media types is offered; offered: text/html, "
                       + ", ".join(f.media_type for f in ENTITY_FORMATS))
    return chosen


def resource(space: str, kind: str | None, name: str) -> Response:
    """Answer for one IRI of our space (``space/kind/slug``, or ``space/slug`` for a scheme), in HTML or RDF."""
    slug, dot, suffix = name.partition(".")
    if (kind is not None and not SLUG_PATTERN.match(kind)) or not SLUG_PATTERN.match(slug):
        raise ApiError(404, f"/{space}/{kind + '/' if kind else ''}{name} is not an IRI of this dataset")
    path = f"{space}/{kind}/{slug}" if kind else f"{space}/{slug}"
    iri = canonical(path)
    chosen = _choose(suffix if dot else None)
    if chosen == HTML:
        response = conditional.page((path, HTML, current_app.config["BASE_IRI"]), lambda: _html(iri, path, kind))
    else:
        assert isinstance(chosen, ox.RdfFormat)
        # JSON-LD bodies are shaped by the Accept header's profile, so it is part of their name.
        accept = request.headers.get("Accept", "") if chosen == ox.RdfFormat.JSON_LD else ""
        response = conditional.page((path, chosen.media_type, accept, current_app.config["BASE_IRI"]),
                                    lambda: _rdf(iri, chosen))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(path)
    return response


def _html(iri: str, path: str, kind: str | None) -> Response:
    server = state()
    documents = Documents(current_app.config["SOURCES"])  # read once for all the page's quotes
    began = time.perf_counter()
    description = describe(server, iri, sources=documents)
    if not description.found:
        raise ApiError(404, f"nothing is known about <{iri}>")
    described = time.perf_counter()
    extras = page_extras(server, iri, kind, sources=documents, description=description)
    gathered = time.perf_counter()
    body = render_template("entity.html", d=description, path=path, kind=kind or "scheme",
                           formats=ENTITY_FORMATS, **extras)
    rendered = time.perf_counter()
    response = Response(body, content_type="text/html; charset=utf-8")
    # Where a fresh HTML page's time goes, for bench.pages: the statements, the dossier or summary, the template.
    response.headers["Server-Timing"] = ", ".join(
        f"{name};dur={(end - start) * 1000:.1f}" for name, start, end in
        (("describe", began, described), ("extras", described, gathered), ("render", gathered, rendered)))
    return response


def _rdf(iri: str, chosen: ox.RdfFormat) -> Response:
    server = state()
    outcome = server.run(QueryJob(rdf_query(iri, fragments_of(server, iri)), graph_media=chosen.media_type,
                                  max_bytes=current_app.config["MAX_RESULT_BYTES"], internal=True))
    if not outcome.body.strip() or (chosen == ox.RdfFormat.JSON_LD and outcome.body.strip() in (b"[]", b"{}")):
        raise ApiError(404, f"nothing is known about <{iri}>")
    return Response(shape_body(outcome.body, chosen), content_type=content_type(chosen))


@blueprint.route("/id/<kind>/<name>")
def entity(kind: str, name: str) -> Response:
    """An entity such as ``/id/incident/2024-04-05-quito-mexican-embassy-raid``."""
    return resource("id", kind, name)


@blueprint.route("/vocab/<kind>/<name>")
def concept(kind: str, name: str) -> Response:
    """A concept of a controlled vocabulary such as ``/vocab/completion-status/completed``."""
    return resource("vocab", kind, name)


@blueprint.route("/vocab/<name>")
def scheme(name: str) -> Response:
    """A concept scheme such as ``/vocab/method``: its description and its concepts."""
    return resource("vocab", None, name)


@blueprint.route("/ontology")
@blueprint.route("/ontology.<suffix>")
@blueprint.route("/ontology/<version>")
def ontology(suffix: str | None = None, version: str | None = None) -> Response:
    """The ontology (``/ontology``) or one of its versions (``/ontology/0.1.0``), HTML or RDF.

    Every term's IRI (``…/ontology#Incident``) resolves here, to the term's section of the page.

    :raises ApiError: 404 for a version the ontology does not declare.
    """
    path = "ontology"
    if version is not None:
        stem, _, rest = version.rpartition(".")
        if rest in {"html", *(f.file_extension for f in ENTITY_FORMATS)}:
            version, suffix = stem, rest
        version_iri = canonical(f"ontology/{version}")
        if version_iri not in ontology_page.versions(state()):
            raise ApiError(404, f"the ontology has no version <{version_iri}>; it declares "
                           + ", ".join(f"<{v}>" for v in ontology_page.versions(state())))
        path = f"ontology/{version}"
    chosen = _choose(suffix)
    server = state()
    if chosen == HTML:
        body = render_template("ontology.html", iri=ontology_page.ONTOLOGY, path=path, version=version,
                               head=ontology_page.header(server), terms=ontology_page.terms(server),
                               formats=ENTITY_FORMATS)
        response = Response(body, content_type="text/html; charset=utf-8")
    else:
        assert isinstance(chosen, ox.RdfFormat)
        outcome = server.run(QueryJob(ontology_page.rdf_query(), graph_media=chosen.media_type,
                                      max_bytes=current_app.config["MAX_RESULT_BYTES"]))
        response = Response(shape_body(outcome.body, chosen), content_type=content_type(chosen))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(path)
    return response


__all__ = ["ENTITY_FORMATS", "blueprint", "canonical", "href", "request", "short"]
