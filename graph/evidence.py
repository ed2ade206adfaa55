"""Re-check evidence spans against the documents they point into.

A span is good when its document matches the manifest's hash, it lies within the document,
and the SHA-256 of its text equals the hash recorded on its selector.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import INV, OA
from graph.sources import SourceDocument, SourceError, load_manifest, read_document, sha256_text

_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


@dataclass(frozen=True)
class EvidenceSpan:
    """One evidence node with its selector's offsets and hash, and the facts it backs."""

    evidence: str
    source: str
    start: int | None
    end: int | None
    sha256: str | None
    facts: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class EvidenceProblem:
    """A span that does not resolve; ``message`` says what, naming the facts and document."""

    span: EvidenceSpan
    message: str

    def __str__(self) -> str:
        facts = ", ".join(f"<{fact}>" for fact in self.span.facts) or "no fact"
        return f"evidence <{self.span.evidence}> (backing {facts}) in <{self.span.source}>: {self.message}"


def evidence_spans(quads: Iterable[ox.Quad]) -> list[EvidenceSpan]:
    """Collect every ``oa:SpecificResource`` with a text-position selector from quads."""
    by_subject: dict[str, dict[str, ox.Term]] = defaultdict(dict)
    facts: dict[str, set[str]] = defaultdict(set)
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == _PROV_DERIVED and isinstance(quad.object, ox.NamedNode):
            facts[quad.object.value].add(quad.subject.value)
        by_subject[quad.subject.value][predicate] = quad.object
    spans = []
    for subject, properties in by_subject.items():
        selector = properties.get(str(OA.hasSelector))
        source = properties.get(str(OA.hasSource))
        if selector is None or source is None:
            continue
        chosen = by_subject.get(selector.value, {})

        def integer(name: str, chosen: dict[str, ox.Term] = chosen) -> int | None:
            term = chosen.get(str(OA[name]))
            return int(term.value) if isinstance(term, ox.Literal) and term.value.lstrip("-").isdigit() else None

        digest = chosen.get(str(INV.spanSha256))
        spans.append(EvidenceSpan(subject, source.value, integer("start"), integer("end"),
                                  digest.value if digest is not None else None,
                                  tuple(sorted(facts.get(subject, ())))))
    return sorted(spans, key=lambda s: s.evidence)


def check_span(span: EvidenceSpan, document: SourceDocument, text: str) -> str | None:
    """Return what is wrong with one span of a read document, or None when it resolves."""
    if span.start is None or span.end is None or span.sha256 is None:
        return "selector lacks oa:start, oa:end or inv:spanSha256"
    if not 0 <= span.start < span.end <= len(text):
        return f"span {span.start}-{span.end} lies outside the document's {len(text)} characters"
    actual = sha256_text(text[span.start:span.end])
    if actual != span.sha256:
        return (f"span {span.start}-{span.end} of {document.file_name} has SHA-256 {actual}, "
                f"not the recorded {span.sha256}: the text at that place changed")
    return None


def check_evidence(quads: Iterable[ox.Quad], *, sources: Path,
                   manifest: dict[str, SourceDocument] | None = None) -> list[EvidenceProblem]:
    """Check every evidence span of ``quads`` against the documents in ``sources``.

    :raises SourceError: when a document is missing or no longer matches the manifest's hash.
    """
    manifest = manifest if manifest is not None else load_manifest()
    documents = {document.iri: document for document in manifest.values()}
    problems, texts = [], {}
    for span in evidence_spans(quads):
        document = documents.get(span.source)
        if document is None:
            problems.append(EvidenceProblem(span, "its oa:hasSource is not a document of the manifest"))
            continue
        if document.iri not in texts:
            texts[document.iri] = read_document(document, sources)
        message = check_span(span, document, texts[document.iri])
        if message:
            problems.append(EvidenceProblem(span, message))
    return problems


__all__ = ["EvidenceProblem", "EvidenceSpan", "SourceError", "check_evidence", "check_span", "evidence_spans"]
