"""Write cited references and the citations that attach them to the text they back.

A reference is ``<reference/{slug}>``, an ``inv:CitedReference`` described with schema.org.
Each ``<ref>`` tag is an ``oa:Annotation`` motivated by ``inv:citing``, whose body is the
reference and whose target is the evidence span of the text the tag follows.
"""

from __future__ import annotations

import re

from graph.extract.attach import Segment
from graph.extract.citations import Reference, RefUse
from graph.extract.turtle import Turtle, add_span, iri, literal, xsd_date
from graph.sources import SourceDocument


def write_reference(turtle: Turtle, reference: Reference) -> None:
    """Add one reference node with what its citation gives."""
    node, citation = f"<reference/{reference.slug}>", reference.citation
    language = citation.language
    turtle.add(node, "a", "inv:CitedReference")
    turtle.add(node, "schema:url", iri(citation.url))
    if citation.title:
        turtle.add(node, "schema:name", literal(citation.title, language=_tag(language)))
    if citation.translated_title:
        turtle.add(node, "schema:alternateName", literal(citation.translated_title, language="en"))
    if citation.part_of:
        turtle.add(node, "schema:isPartOf", literal(citation.part_of))
    if citation.publisher:
        turtle.add(node, "schema:publisher", literal(citation.publisher))
    for author in citation.authors:
        turtle.add(node, "schema:author", literal(author))
    if citation.published:
        turtle.add(node, "schema:datePublished", xsd_date(citation.published))
    if citation.accessed:
        turtle.add(node, "inv:accessDate", xsd_date(citation.accessed))
    if language:
        turtle.add(node, "schema:inLanguage", literal(language))
    if citation.archive_url:
        turtle.add(node, "schema:archivedAt", iri(citation.archive_url))
    if citation.archived:
        turtle.add(node, "inv:archiveDate", xsd_date(citation.archived))


def _tag(language: str | None) -> str | None:
    """A BCP 47 tag for a title's literal, when the citation's language is one."""
    return language if language and re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", language) else None


def write_citations(turtle: Turtle, document: SourceDocument, text: str, uses: list[RefUse],
                    references: dict[str, Reference], segments: dict[int, Segment]) -> None:
    """Add every reference and one citing annotation per ``<ref>`` tag."""
    slug_of_use = {ordinal: ref.slug for ref in references.values() for ordinal in ref.uses}
    for reference in references.values():
        write_reference(turtle, reference)
    for use in uses:
        segment = segments[use.ordinal]
        annotation = f"<evidence/{document.slug}-citation-{use.ordinal}>"
        turtle.add(annotation, "a", "oa:Annotation")
        turtle.add(annotation, "oa:motivatedBy", "inv:citing")
        turtle.add(annotation, "oa:hasBody", f"<reference/{slug_of_use[use.ordinal]}>")
        turtle.add(annotation, "oa:hasTarget", add_span(turtle, document, text, segment.start, segment.end))
        turtle.add(annotation, "inv:citationMarker", add_span(turtle, document, text, use.start, use.end))
