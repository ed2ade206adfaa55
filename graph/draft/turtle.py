"""Write a draft as Turtle with pyoxigraph's serialiser: evidence blocks in the data files' form,
and the proposals in a small draft vocabulary (``draft:``) that the curator reads and replaces.

Draft terms (:data:`graph.namespaces.DRAFT`): ``draft:Sentence`` (``draft:number``,
``draft:span`` → the sentence's evidence node), ``draft:EntityMention`` (``draft:entity``,
``draft:name``), ``draft:CandidateEntity`` (``draft:name``, ``draft:occurrences``),
``draft:DateMention`` (``draft:text``, ``draft:value``, ``draft:rule``, ``draft:anchor``); each
mention has ``draft:inSentence`` and its ``oa:start``/``oa:end`` in the document. Event skeletons
use the project's own terms (``inv:RelatedEvent``, ``sem:hasTimeStamp`` or ``inv:month``,
``inv:actor``, ``prov:wasDerivedFrom``), ready to be completed and moved into ``graph/data``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from graph.draft import Draft
from graph.draft.text import Sentence
from graph.namespaces import DRAFT as DRAFT_TERMS
from graph.namespaces import ID, INV, PREFIXES, RDF
from graph.namespaces import evidence_iri as span_iri
from graph.sources import sha256_text

DRAFT = str(DRAFT_TERMS)
RDF_TYPE = ox.NamedNode(str(RDF.type))
XSD = PREFIXES["xsd"]
OA = PREFIXES["oa"]
SEM = PREFIXES["sem"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _d(local: str) -> ox.NamedNode:
    return ox.NamedNode(DRAFT + local)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=_n(XSD + datatype))


def evidence_iri(draft: Draft, start: int, end: int) -> str:
    """The evidence IRI of a span of the draft's document, as ``inviolable locate`` names it."""
    return span_iri(draft.document.slug, start, end)


def sentence_iri(draft: Draft, sentence: Sentence) -> str:
    """The draft node of a sentence."""
    return f"{ID}draft/{draft.document.slug}/sentence-{sentence.number}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "name"


def draft_triples(draft: Draft) -> list[ox.Triple]:
    """Every triple of the draft."""
    triples: list[ox.Triple] = []
    add = triples.append
    root = _n(f"{ID}draft/{draft.document.slug}")
    add(ox.Triple(root, RDF_TYPE, _d("Draft")))
    add(ox.Triple(root, _d("document"), _n(draft.document.iri)))
    if draft.anchor is not None:
        add(ox.Triple(root, _d("anchor"), _typed(draft.anchor.isoformat(), "date")))
    for sentence in draft.sentences:
        node = _n(sentence_iri(draft, sentence))
        add(ox.Triple(node, RDF_TYPE, _d("Sentence")))
        add(ox.Triple(node, _d("number"), _int(sentence.number)))
        add(ox.Triple(node, _d("span"), _n(evidence_iri(draft, sentence.start, sentence.end))))
        triples.extend(_evidence(draft, sentence.start, sentence.end))
    for mention in draft.mentions:
        node = _n(f"{ID}draft/{draft.document.slug}/mention-{mention.start}-{mention.end}")
        add(ox.Triple(node, RDF_TYPE, _d("EntityMention")))
        add(ox.Triple(node, _d("entity"), _n(mention.entity)))
        add(ox.Triple(node, _d("name"), ox.Literal(mention.name)))
        triples.extend(_placed(draft, node, mention.start, mention.end))
    for candidate in draft.candidates:
        node = _n(f"{ID}draft/{draft.document.slug}/candidate/{_slug(candidate.name)}")
        add(ox.Triple(node, RDF_TYPE, _d("CandidateEntity")))
        add(ox.Triple(node, _d("name"), ox.Literal(candidate.name)))
        add(ox.Triple(node, _d("occurrences"), _int(candidate.occurrences)))
        triples.extend(_placed(draft, node, candidate.start, candidate.end))
    for date in draft.dates:
        node = _n(f"{ID}draft/{draft.document.slug}/date-{date.start}-{date.end}")
        add(ox.Triple(node, RDF_TYPE, _d("DateMention")))
        add(ox.Triple(node, _d("text"), ox.Literal(date.text)))
        if date.value is not None:
            add(ox.Triple(node, _d("value"), _typed(date.value, date.datatype)))
        add(ox.Triple(node, _d("rule"), ox.Literal(date.rule, language="en")))
        if date.anchor is not None:
            add(ox.Triple(node, _d("anchor"), _typed(date.anchor, "gYear" if len(date.anchor) == 4 else "date")))
        triples.extend(_placed(draft, node, date.start, date.end))
    for event in draft.events:
        triples.extend(_event(draft, event))
    return triples


def _placed(draft: Draft, node: ox.NamedNode, start: int, end: int) -> list[ox.Triple]:
    found = [ox.Triple(node, _n(OA + "start"), _int(start)), ox.Triple(node, _n(OA + "end"), _int(end))]
    for sentence in draft.sentences:
        if sentence.start <= start and end <= sentence.end:
            found.append(ox.Triple(node, _d("inSentence"), _n(sentence_iri(draft, sentence))))
            break
    return found


def _evidence(draft: Draft, start: int, end: int) -> list[ox.Triple]:
    node = _n(evidence_iri(draft, start, end))
    selector = _n(evidence_iri(draft, start, end) + "#selector")
    return [
        ox.Triple(node, RDF_TYPE, _n(OA + "SpecificResource")),
        ox.Triple(node, _n(OA + "hasSource"), _n(draft.document.iri)),
        ox.Triple(node, _n(OA + "hasSelector"), selector),
        ox.Triple(selector, RDF_TYPE, _n(OA + "TextPositionSelector")),
        ox.Triple(selector, _n(OA + "start"), _int(start)),
        ox.Triple(selector, _n(OA + "end"), _int(end)),
        ox.Triple(selector, _n(str(INV.spanSha256)), ox.Literal(sha256_text(draft.text[start:end]))),
    ]


def _event(draft: Draft, event) -> list[ox.Triple]:  # noqa: ANN001 - EventSkeleton
    node = _n(f"{ID}event/{event.date.value}-draft-{draft.document.slug}-{event.sentence.number}")
    triples = [
        ox.Triple(node, RDF_TYPE, _n(str(INV.RelatedEvent))),
        ox.Triple(node, _n(PREFIXES["rdfs"] + "label"),
                  ox.Literal(f"Event of sentence {event.sentence.number} (to be named)", language="en")),
        ox.Triple(node, _n(PREFIXES["prov"] + "wasDerivedFrom"),
                  _n(evidence_iri(draft, event.sentence.start, event.sentence.end))),
        ox.Triple(node, _d("inSentence"), _n(sentence_iri(draft, event.sentence))),
    ]
    if event.date.precision == "day":
        triples.append(ox.Triple(node, _n(SEM + "hasTimeStamp"), _typed(event.date.value, "date")))
    else:
        triples.append(ox.Triple(node, _n(str(INV.month)), _typed(event.date.value, "gYearMonth")))
    triples.extend(ox.Triple(node, _n(str(INV.actor)), _n(actor)) for actor in event.actors)
    return triples


def draft_turtle(draft: Draft) -> str:
    """The draft as Turtle text: a header comment, then pyoxigraph's serialisation."""
    prefixes = {name: PREFIXES[name] for name in ("inv", "oa", "sem", "prov", "rdfs", "xsd")}
    prefixes["draft"] = DRAFT
    body = ox.serialize(draft_triples(draft), format=ox.RdfFormat.TURTLE, prefixes=prefixes, base_iri=str(ID))
    header = (f"# Draft for {draft.document.slug}, proposed by `inviolable draft`; build never loads this folder.\n"
              f"# {len(draft.sentences)} sentences, {len(draft.mentions)} entity mentions, "
              f"{len(draft.candidates)} candidate names, {len(draft.dates)} date expressions, "
              f"{len(draft.events)} event skeletons. Review every proposal before moving it into graph/data.\n")
    return header + body.decode("utf-8")


def write_draft(draft: Draft, path: Path) -> Path:
    """Write the draft's Turtle to ``path`` (its folder created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_turtle(draft), encoding="utf-8")
    return path


__all__ = ["DRAFT", "draft_triples", "draft_turtle", "evidence_iri", "sentence_iri", "write_draft"]
