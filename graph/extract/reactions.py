"""The ``{{flagdeco}}`` list of reactions: each entry's state or organization, span and references.

An entry is an ``inv:ReactionEntry`` annotation whose body is the reacting entity (the same IRI
as the curated data's ``inv:actor``) and whose target is the entry's line. The curated response
events of that actor to the same incident are joined through ``inv:actor`` and ``inv:respondsTo``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mwparserfromhell as mw
from mwparserfromhell.nodes import Template

from graph.extract.citations import Reference, RefUse
from graph.extract.entities import Resolver, kind_of
from graph.extract.turtle import Turtle, add_span, iri
from graph.extract.wikitext import ExtractionError, Located, template_name
from graph.sources import SourceDocument


@dataclass(frozen=True)
class ReactionEntry:
    """One list item: its span (without the bullet), the entity that reacted, its references."""

    start: int
    end: int
    actor: str
    references: tuple[str, ...]


def reaction_entries(document: str, text: str, nodes: list[Located], resolver: Resolver,
                     uses: list[RefUse], references: dict[str, Reference]) -> list[ReactionEntry]:
    """Every list item that starts with a flag template, with its resolved actor.

    :raises ExtractionError: when the entity an entry names is not in the reference graph.
    """
    slug_of_use = {ordinal: ref.slug for ref in references.values() for ordinal in ref.uses}
    entries = []
    for located in nodes:
        node = located.node
        if located.containers or template_name(node) != "flagdeco":
            continue
        line_start = text.rfind("\n", 0, located.start) + 1
        if not text[line_start:located.start].strip().startswith("*"):
            continue
        line_end = text.find("\n", located.end)
        line_end = len(text) if line_end == -1 else line_end
        start = line_start + len(text[line_start:located.start]) - len(text[line_start:located.start].lstrip("* "))
        actor = _actor(text, located, line_end, resolver)
        if actor is None:
            raise ExtractionError(document, text, located.start,
                                  "the reactions entry names no state or organization of the reference graph")
        end = line_start + len(text[line_start:line_end].rstrip())
        cited = sorted({slug_of_use[u.ordinal] for u in uses if start <= u.start < end})
        entries.append(ReactionEntry(start, end, actor, tuple(cited)))
    return entries


def _actor(text: str, flag: Located, line_end: int, resolver: Resolver) -> str | None:
    colon = text.find(":", flag.end, line_end)
    label = mw.parse(text[flag.end:colon if colon != -1 else line_end])
    candidates = [str(link.title) for link in label.filter_wikilinks()]
    candidates.append(label.strip_code().strip())
    assert isinstance(flag.node, Template)
    if flag.node.params:
        candidates.append(str(flag.node.params[0].value).strip())
    for candidate in candidates:
        found = resolver.by_title(candidate) or resolver.by_name(candidate)
        if found and kind_of(found) in ("state", "organization"):
            return found
    return None


def write_reactions(turtle: Turtle, document: SourceDocument, text: str, entries: list[ReactionEntry],
                    incident: str) -> None:
    """Add one ``inv:ReactionEntry`` per entry, and evidence that the document names the actor."""
    for entry in entries:
        slug = entry.actor.rsplit("/", 1)[1]
        annotation = f"<evidence/{document.slug}-reaction-{slug}>"
        span = add_span(turtle, document, text, entry.start, entry.end)
        turtle.add(annotation, "a", "inv:ReactionEntry")
        turtle.add(annotation, "a", "oa:Annotation")
        turtle.add(annotation, "oa:motivatedBy", "oa:describing")
        turtle.add(annotation, "oa:hasBody", iri(entry.actor))
        turtle.add(annotation, "oa:hasTarget", span)
        turtle.add(annotation, "inv:reactionTo", iri(incident))
        for reference in entry.references:
            turtle.add(annotation, "dct:references", f"<reference/{reference}>")
        turtle.add(iri(entry.actor), "prov:wasDerivedFrom", span)
