"""HTML views of the service's own RDF (VoID, the Service Description) for browsers."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from flask import Response, render_template

from server.media import GRAPH_FORMATS


def description_page(triples: Sequence[ox.Triple], *, title: str, intro: str, path: str) -> Response:
    """A page listing ``triples`` grouped by subject, with links to the RDF forms of ``path``.

    :param path: the URL path of the resource, whose ``?format=…`` forms are offered as data.
    """
    groups: dict[ox.Term, list[tuple[ox.Term, ox.Term]]] = {}
    for triple in triples:
        groups.setdefault(triple.subject, []).append((triple.predicate, triple.object))
    ordered = [(subject, sorted(rows, key=lambda row: (str(row[0]), str(row[1]))))
               for subject, rows in groups.items()]
    alternates = [(fmt.name, f"{path}?format={fmt.file_extension}") for fmt in GRAPH_FORMATS
                  if not fmt.supports_datasets or fmt == ox.RdfFormat.JSON_LD]
    body = render_template("description.html", title=title, intro=intro, groups=ordered, alternates=alternates)
    return Response(body, content_type="text/html; charset=utf-8")
