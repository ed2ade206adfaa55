"""The browser side: the home page, the query page with its examples, and incident timelines."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from graph.namespaces import INV, OWL, PREFIXES, SLUG_PATTERN, sparql_prefixes
from server.entities import quote
from server.errors import ApiError
from server.incident_map import incidents_on_map
from server.media import GRAPH_FORMATS, RESULT_FORMATS
from server.plain_text import plain
from server.state import state
from server.timeline import filtered, timeline

blueprint = Blueprint("ui", __name__)
#: Characters of the document shown on each side of an evidence span.
CONTEXT = 240


def examples(folder: Path | None) -> list[dict[str, str]]:
    """The example queries of ``folder`` (``cq-NN.rq``), read now: name, question (first comment), text."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        question = first.lstrip("#").strip() if first.startswith("#") else path.stem
        found.append({"name": path.stem, "question": question, "query": text})
    return found


def _incidents() -> list[tuple[str, str]]:
    rows = state().rows(sparql_prefixes() + """
        SELECT ?i (SAMPLE(?l) AS ?label) WHERE { ?i a inv:Incident .
        OPTIONAL { ?i rdfs:label ?l FILTER(langMatches(lang(?l), "en")) } } GROUP BY ?i ORDER BY ?i""")
    return [(row[0].value, row[1].value if row[1] is not None else row[0].value) for row in rows]


def ontology_terms() -> list[dict[str, str]]:
    """The ``inv:`` terms the editor completes: those the ontology declares and those the data uses.

    Each has its local ``name``, its ``kind`` (``class`` or ``property``) and its English ``label`` when
    it has one.
    """
    rows = state().rows(sparql_prefixes() + f"""
        SELECT ?term (SAMPLE(?declared) AS ?kind) (SAMPLE(?used) AS ?use) (SAMPLE(?l) AS ?label) WHERE {{
          {{ ?term a ?declared FILTER(?declared IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }}
          UNION {{ [] ?term [] BIND("property" AS ?used) }} UNION {{ [] a ?term BIND("class" AS ?used) }}
          FILTER(STRSTARTS(STR(?term), "{INV}"))
          OPTIONAL {{ ?term rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }}
        }} GROUP BY ?term ORDER BY ?term""")
    terms = []
    for term, declared, used, label in rows:
        name = term.value[len(str(INV)):]
        if not name:
            continue
        is_class = declared.value == str(OWL.Class) if declared is not None else getattr(used, "value", "") == "class"
        terms.append({"name": name, "kind": "class" if is_class else "property",
                      "label": label.value if label is not None else ""})
    return terms


@blueprint.route("/")
def home() -> Response:
    """The home page: what is here and where to go."""
    incidents = [(iri.rsplit("/", 1)[-1], label) for iri, label in _incidents()]
    return Response(render_template("home.html", incidents=incidents), content_type="text/html; charset=utf-8")


@blueprint.route("/query")
def query_page() -> Response:
    """The query page (also served at ``/sparql`` to browsers)."""
    return Response(render_template("query.html"), content_type="text/html; charset=utf-8")


@blueprint.route("/examples.json")
def examples_json() -> Response:
    """The example queries, the result download formats the page offers, and what its editor completes:
    the server's prefixes (those a query may use undeclared) and the ``inv:`` terms."""
    return jsonify({"ok": True, "examples": examples(current_app.config["QUERIES"]),
                    "prefixes": PREFIXES, "terms": ontology_terms(),
                    "results": [{"name": f.name, "ext": f.file_extension} for f in RESULT_FORMATS],
                    "graphs": [{"name": f.name, "ext": f.file_extension} for f in GRAPH_FORMATS]})


@blueprint.route("/timeline/<slug>")
def incident_timeline(slug: str) -> Response:
    """An incident's events in date order, each with its evidence.

    :raises ApiError: 404 when no incident has this slug.
    """
    iri = f"{current_app.config['BASE_IRI']}id/incident/{slug}"
    if not SLUG_PATTERN.match(slug) or iri not in dict(_incidents()):
        raise ApiError(404, f"no incident /id/incident/{slug}")
    moments = timeline(state(), iri, sources=current_app.config["SOURCES"])
    label = dict(_incidents())[iri]
    actor, kind = request.args.get("actor") or None, request.args.get("kind") or None
    actors = sorted({a for m in moments for a in m.actors}, key=lambda a: a[1].lower())
    kinds = sorted({k for m in moments for k in m.kinds})
    shown = filtered(moments, actor=actor, kind=kind)
    return Response(render_template("timeline.html", iri=iri, slug=slug, label=label, moments=shown,
                                    total=len(moments), actors=actors, kinds=kinds, actor=actor, kind=kind),
                    content_type="text/html; charset=utf-8")


@blueprint.route("/context/<slug>")
def evidence_context(slug: str) -> Response:
    """An evidence span shown in its surroundings in the document, read from the local copy now.

    :raises ApiError: 404 when no evidence has this slug.
    """
    iri = f"{current_app.config['BASE_IRI']}id/evidence/{slug}"
    if not SLUG_PATTERN.match(slug):
        raise ApiError(404, f"no evidence /id/evidence/{slug}")
    rows = state().rows(sparql_prefixes() + f"""SELECT ?doc ?start ?end ?title ?license WHERE {{
        <{iri}> oa:hasSource ?doc ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
        OPTIONAL {{ ?doc schema:name ?title }} OPTIONAL {{ ?doc schema:license ?license }} }} LIMIT 1""")
    if not rows:
        raise ApiError(404, f"no evidence /id/evidence/{slug}")
    document, start, end, title, license_iri = rows[0]
    begin, finish = int(start.value), int(end.value)
    sources = current_app.config["SOURCES"]
    around = quote(document.value, max(0, begin - CONTEXT), finish + CONTEXT, sources)
    text = before = after = None
    if around is not None:
        offset = begin - max(0, begin - CONTEXT)
        before = plain(around[:offset])
        text = plain(around[offset:offset + finish - begin])
        after = plain(around[offset + finish - begin:])
    body = render_template("context.html", slug=slug, document=document.value, start=begin, end=finish,
                           title=title.value if title else None, license=license_iri.value if license_iri else None,
                           text=text, before=before, after=after)
    return Response(body, content_type="text/html; charset=utf-8")


@blueprint.route("/map")
def incident_map() -> Response:
    """All incidents on a map drawn offline: country shapes shipped with the project, no tiles."""
    incidents = incidents_on_map(state())
    return Response(render_template("map.html", incidents=incidents), content_type="text/html; charset=utf-8")


@blueprint.route("/map.json")
def incident_map_json() -> Response:
    """The incidents of the map, as JSON."""
    return jsonify({"ok": True, "incidents": incidents_on_map(state())})
