"""Find the character span of a passage in a document, so evidence is never counted by hand."""

from __future__ import annotations

from dataclasses import dataclass

from graph.namespaces import ID
from graph.sources import SourceDocument, sha256_text


@dataclass(frozen=True)
class Span:
    """A span of a document: code-point offsets, end exclusive, and the SHA-256 of its text."""

    start: int
    end: int
    sha256: str

    def evidence_iri(self, document: SourceDocument) -> str:
        """The IRI that evidence for this span carries."""
        return f"{ID}evidence/{document.slug}-{self.start}-{self.end}"


class PassageNotFound(LookupError):
    """The passage does not occur in the document, or occurs more than once."""


def find_spans(text: str, passage: str) -> list[Span]:
    """Every occurrence of ``passage`` in ``text``.

    >>> [(s.start, s.end) for s in find_spans("a b a", "a")]
    [(0, 1), (4, 5)]
    """
    if not passage:
        raise PassageNotFound("the passage to locate is empty")
    spans, start = [], text.find(passage)
    while start != -1:
        spans.append(Span(start, start + len(passage), sha256_text(passage)))
        start = text.find(passage, start + 1)
    return spans


def locate(text: str, passage: str, *, occurrence: int | None = None) -> Span:
    """The one span of ``passage`` in ``text`` (or its n-th occurrence, counting from 1).

    :raises PassageNotFound: when absent, or ambiguous without ``occurrence``.

    >>> locate("the raid on the embassy", "embassy").start
    16
    """
    spans = find_spans(text, passage)
    if not spans:
        raise PassageNotFound(f"passage not found: {passage[:60]!r}")
    if occurrence is None:
        if len(spans) > 1:
            offsets = ", ".join(str(s.start) for s in spans)
            raise PassageNotFound(f"passage occurs {len(spans)} times (at {offsets}); "
                                  "give a longer passage or --occurrence N")
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise PassageNotFound(f"occurrence {occurrence} asked, but the passage occurs {len(spans)} times")
    return spans[occurrence - 1]


def evidence_turtle(span: Span, document: SourceDocument) -> str:
    """The Turtle block for an evidence node pointing at ``span`` of ``document``.

    IRIs are written relative to ``@base <https://w3id.org/inviolable/id/>``, as in the data files.
    """
    iri = span.evidence_iri(document).removeprefix(str(ID))
    source = document.iri.removeprefix(str(ID))
    return (
        f"<{iri}> a oa:SpecificResource ;\n"
        f"    oa:hasSource <{source}> ;\n"
        f"    oa:hasSelector <{iri}#selector> .\n"
        f"<{iri}#selector> a oa:TextPositionSelector ;\n"
        f"    oa:start {span.start} ;\n"
        f"    oa:end {span.end} ;\n"
        f"    inv:spanSha256 \"{span.sha256}\" .\n"
    )
