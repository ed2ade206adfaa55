"""What the documents mention that the graph lacks.

Two lists: the wiki links of wikitext documents whose target is a person, state, organization,
convention or place with no node in the graph (a link the reference graph cannot resolve and
that :data:`graph.extract.entities.NOT_ENTITIES` does not explain), and the sentences of
plain-text documents that no evidence span points into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.config import DATA_DIR, ONTOLOGY_DIR
from graph.evidence import evidence_spans
from graph.extract.document import DocumentInfo
from graph.extract.entities import NOT_ENTITIES, Resolver, load_resolver
from graph.extract.mentions import mentions
from graph.extract.wikitext import parse
from graph.loader import data_files, parse_file
from graph.namespaces import REFERENCE_FOLDER
from graph.sources import MANIFEST, PLAIN_TEXT, WIKITEXT, SourceDocument, load_manifest, read_document

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class LinkGap:
    """A wiki link whose target has no node: its document, offset, title and what it names."""

    document: str
    start: int
    title: str
    kind: str


@dataclass(frozen=True)
class SentenceGap:
    """A sentence of a plain-text document that no evidence points into."""

    document: str
    start: int
    end: int
    preview: str


@dataclass
class Coverage:
    """The gaps of every document, and the link titles explained as topics or events."""

    links: list[LinkGap] = field(default_factory=list)
    sentences: list[SentenceGap] = field(default_factory=list)
    explained: dict[str, str] = field(default_factory=dict)

    @property
    def entity_gaps(self) -> list[LinkGap]:
        """Links to what must have a node (anything not explained as a topic or an event)."""
        return [gap for gap in self.links if gap.kind == "unresolved"]

    def to_text(self) -> str:
        """A plain-text report, one gap per line."""
        lines = [f"wiki links to people, states, organizations, conventions or places with no node: "
                 f"{len(self.entity_gaps)}"]
        lines += [f"  {g.document}@{g.start}\t{g.title}" for g in self.entity_gaps]
        lines.append(f"wiki links to topics and events (no node expected): "
                     f"{len(self.links) - len(self.entity_gaps)}")
        lines.append(f"sentences of plain-text documents with no evidence: {len(self.sentences)}")
        lines += [f"  {s.document}@{s.start}-{s.end}\t{s.preview}" for s in self.sentences]
        return "\n".join(lines)


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a plain text: split at line breaks and after sentence punctuation.

    >>> text = "One here. Two there.\\nA title"
    >>> [text[s:e] for s, e in sentences(text)]
    ['One here.', 'Two there.', 'A title']
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for boundary in _SENTENCE_END.finditer(line.group(0)):
            spans.append((start, line.start() + boundary.start()))
            start = line.start() + boundary.end()
        spans.append((start, line.end()))
    return [(s, e) for s, e in ((s, e - (len(text[s:e]) - len(text[s:e].rstrip()))) for s, e in spans)
            if text[s:e].strip()]


def evidence_by_document(data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, list]:
    """The evidence spans of the committed data, grouped by the document IRI they point into."""
    quads = [quad for data_file in data_files(data_dir=data_dir, ontology_dir=ontology_dir)
             for quad in parse_file(data_file)]
    grouped: dict[str, list] = {}
    for span in evidence_spans(quads):
        if span.start is not None and span.end is not None:
            grouped.setdefault(span.source, []).append((span.start, span.end))
    return grouped


def _link_gaps(document: SourceDocument, text: str, resolver: Resolver, wiki: str,
               explained: dict[str, str]) -> list[LinkGap]:
    gaps = []
    for mention in mentions(parse(document.slug, text), resolver, wiki=wiki):
        if mention.entity is not None and mention.entity in resolver.declared:
            continue
        kind = NOT_ENTITIES.get(mention.title, "unresolved")
        if kind != "unresolved":
            explained[mention.title] = kind
        gaps.append(LinkGap(document.slug, mention.start, mention.title, kind))
    return gaps


def coverage(sources: Path, *, data_dir: Path = DATA_DIR, manifest_path: Path = MANIFEST,
             ontology_dir: Path = ONTOLOGY_DIR) -> Coverage:
    """Compare every document of the manifest with the committed graph.

    :raises SourceError: when a document is missing or its hash no longer matches the manifest.
    :raises ExtractionError: when a wikitext document's markup cannot be read.
    """
    report = Coverage()
    resolver = load_resolver(data_dir / REFERENCE_FOLDER)
    spans = evidence_by_document(data_dir, ontology_dir)
    for _slug, document in sorted(load_manifest(manifest_path).items()):
        info = DocumentInfo.of(document)
        text = read_document(document, sources)
        if info.format == WIKITEXT:
            report.links += _link_gaps(document, text, resolver, info.wiki, report.explained)
        elif info.format == PLAIN_TEXT:
            covered = spans.get(document.iri, [])
            for start, end in sentences(text):
                if not any(s < end and start < e for s, e in covered):
                    preview = " ".join(text[start:end].split())[:60]
                    report.sentences.append(SentenceGap(document.slug, start, end, preview))
    return report
