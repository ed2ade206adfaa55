"""A first draft of a new document's facts: ``inviolable draft SLUG``.

The draft proposes, for a registered document, what a curator otherwise types by hand: its
sentences as evidence spans, the known entities it names (through the reference graph's labels
and ``skos:altLabel``\\ s), the capitalised names it cannot link, its date expressions normalised
(relative ones resolved with a recorded rule), the conventions and articles it cites, and one
event skeleton per sentence that has both a date and an actor. Everything is written to a
Turtle file outside ``graph/data`` (``drafts/`` by default), which ``build`` never loads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.config import REFERENCE_DIR
from graph.draft.dates import DateMention, find_dates
from graph.draft.gazetteer import ACTOR_KINDS, Candidate, Gazetteer, Mention, load_gazetteer
from graph.draft.text import Sentence, readable, sentences
from graph.namespaces import ELI
from graph.sources import MANIFEST, WIKITEXT, SourceDocument, described

_ARTICLE = re.compile(r"\bArticles?\s+(\d+)\b")


@dataclass(frozen=True)
class EventSkeleton:
    """An event proposed for a sentence that names a date and an actor."""

    sentence: Sentence
    date: DateMention
    actors: tuple[str, ...]


@dataclass
class Draft:
    """What the assistant proposes for one document."""

    document: SourceDocument
    text: str
    anchor: dt.date | None
    wikitext: bool
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[EventSkeleton] = field(default_factory=list)

    def in_sentence(self, items: list, sentence: Sentence) -> list:
        """The mentions or dates of ``items`` that lie in ``sentence``."""
        return [item for item in items if sentence.start <= item.start and item.end <= sentence.end]


def document_metadata(document: SourceDocument, manifest: Path = MANIFEST) -> tuple[dt.date | None, bool]:
    """The document's date (``schema:datePublished``) and whether it is wikitext, from the manifest.

    A document the manifest does not describe is wikitext when its file name ends in ``.wiki``.
    """
    entry = described(document, manifest)
    wikitext = entry.format == WIKITEXT if entry.format is not None else document.file_name.endswith(".wiki")
    return entry.published, wikitext


def article_index(reference_dir: Path = REFERENCE_DIR) -> dict[tuple[str, str], str]:
    """(convention IRI, article number) → article IRI, from the reference graph."""
    parts, numbers = {}, {}
    for path in sorted(reference_dir.glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == str(ELI.is_part_of):
                parts[quad.subject.value] = quad.object.value
            elif quad.predicate.value == str(ELI.number) and isinstance(quad.object, ox.Literal):
                numbers[quad.subject.value] = quad.object.value
    return {(parts[a], numbers[a]): a for a in parts if a in numbers}


def draft_document(document: SourceDocument, text: str, *, anchor: dt.date | None = None,
                   wikitext: bool | None = None, gazetteer: Gazetteer | None = None,
                   articles: dict[tuple[str, str], str] | None = None,
                   manifest: Path = MANIFEST) -> Draft:
    """Propose the draft of ``document`` (whose text is ``text``).

    :param anchor: the document's date for relative expressions (default: the manifest's).
    :param wikitext: whether the text is wikitext (default: the manifest's ``dct:format``).
    """
    known_anchor, known_wikitext = document_metadata(document, manifest)
    anchor = anchor if anchor is not None else known_anchor
    wikitext = known_wikitext if wikitext is None else wikitext
    gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
    articles = articles if articles is not None else article_index()
    view = readable(text, wikitext=wikitext)
    draft = Draft(document, text, anchor, wikitext, sentences(view))
    spans = [(s.start, s.end) for s in draft.sentences]
    draft.mentions = _without_overlaps(gazetteer.mentions(view, spans) + _articles(view, draft, gazetteer, articles))
    draft.candidates = gazetteer.candidates(view, spans, draft.mentions)
    draft.dates = find_dates(view, draft.sentences, anchor=anchor)
    for sentence in draft.sentences:
        dated = [d for d in draft.in_sentence(draft.dates, sentence) if d.value and d.precision in ("day", "month")]
        actors = tuple(dict.fromkeys(m.entity for m in draft.in_sentence(draft.mentions, sentence)
                                     if m.kind in ACTOR_KINDS))
        if dated and actors:
            draft.events.append(EventSkeleton(sentence, dated[0], actors))
    return draft


def _articles(view: str, draft: Draft, gazetteer: Gazetteer,
              articles: dict[tuple[str, str], str]) -> list[Mention]:
    """``Article N`` linked to the article of a convention named in the same sentence."""
    found = []
    for sentence in draft.sentences:
        conventions = [m.entity for m in gazetteer.mentions(view, [(sentence.start, sentence.end)])
                       if m.kind == "convention"]
        for match in _ARTICLE.finditer(view, sentence.start, sentence.end):
            for convention in conventions:
                if (article := articles.get((convention, match.group(1)))) is not None:
                    found.append(Mention(match.start(), match.end(), article, match.group(0)))
                    break
    return found


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if not any(k.start < mention.end and mention.start < k.end for k in kept):
            kept.append(mention)
    return kept


__all__ = ["Draft", "EventSkeleton", "article_index", "document_metadata", "draft_document"]
