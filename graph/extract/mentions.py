"""Wiki links as mentions, and categories as subjects of the document.

Each link is an ``oa:Annotation`` that identifies what its span names: the graph's entity
when one exists, else the wiki page itself. File and category links are not mentions.
"""

from __future__ import annotations

from dataclasses import dataclass

from mwparserfromhell.nodes import Wikilink

from graph.extract.entities import Resolver, normalise_title, wiki_url
from graph.extract.turtle import Turtle, add_span, iri, literal
from graph.extract.wikitext import Located
from graph.sources import SourceDocument

_NOT_MENTIONS = ("file:", "image:", "category:", "media:")


@dataclass(frozen=True)
class Mention:
    """A wiki link: its span, its normalised target title and the entity it names, if any."""

    start: int
    end: int
    title: str
    entity: str | None


def mentions(nodes: list[Located], resolver: Resolver, *, wiki: str) -> list[Mention]:
    """Every wiki link of the document that points at an article, in document order."""
    found = []
    for located in nodes:
        if not isinstance(located.node, Wikilink):
            continue
        title = str(located.node.title).strip()
        if title.lower().startswith(_NOT_MENTIONS) or title.startswith(":") or not title:
            continue
        title = normalise_title(title.split("#", 1)[0])
        found.append(Mention(located.start, located.end, title, resolver.by_title(title, wiki=wiki)))
    return found


def categories(nodes: list[Located]) -> list[str]:
    """The category titles of the document, in order, without the ``Category:`` prefix."""
    titles = []
    for located in nodes:
        if isinstance(located.node, Wikilink):
            title = str(located.node.title).strip()
            if title.lower().startswith("category:"):
                titles.append(normalise_title(title.split(":", 1)[1]))
    return titles


def write_mentions(turtle: Turtle, document: SourceDocument, text: str, found: list[Mention], *,
                   wiki: str) -> None:
    """Add one identifying annotation per mention."""
    for number, mention in enumerate(found, 1):
        annotation = f"<evidence/{document.slug}-mention-{number}>"
        body = mention.entity or wiki_url(mention.title, wiki=wiki)
        turtle.add(annotation, "a", "oa:Annotation")
        turtle.add(annotation, "oa:motivatedBy", "oa:identifying")
        turtle.add(annotation, "oa:hasBody", iri(body))
        turtle.add(annotation, "oa:hasTarget", add_span(turtle, document, text, mention.start, mention.end))
        turtle.add(annotation, "inv:linkTarget", literal(mention.title))


def write_categories(turtle: Turtle, document: SourceDocument, titles: list[str], *, wiki: str) -> None:
    """State the document's categories as its ``dct:subject``s (the category pages)."""
    for title in titles:
        turtle.add(iri(document.iri), "dct:subject", iri(wiki_url(f"Category:{title}", wiki=wiki)))
