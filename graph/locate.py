"""Find the character span of a passage in a document, so evidence is never counted by hand."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from graph.namespaces import DATA_BASE, evidence_iri
from graph.sources import SourceDocument, sha256_text

# Characters a passage typed by hand often writes differently from the document.
_EQUIVALENT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
})
_PIECE = re.compile(r"\s+|\S")
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class Span:
    """A span of a document: code-point offsets, end exclusive, and the SHA-256 of its text."""

    start: int
    end: int
    sha256: str

    def evidence_iri(self, document: SourceDocument) -> str:
        """The IRI that evidence for this span carries."""
        return evidence_iri(document.slug, self.start, self.end)


class PassageNotFound(LookupError):
    """The passage does not occur in the document, or occurs more than once.

    ``nearest`` is the most similar span of the document, when one is similar enough, and
    ``similarity`` its ratio (0 to 1).
    """

    def __init__(self, message: str, *, nearest: Span | None = None, similarity: float | None = None) -> None:
        super().__init__(message)
        self.nearest, self.similarity = nearest, similarity


@dataclass(frozen=True)
class Normalised:
    """A text with quotes, dashes and runs of whitespace made uniform, and where each character came from."""

    text: str
    origins: list[int]

    def span(self, start: int, end: int, original: str) -> Span:
        """The span of ``original`` that the normalised characters ``start``–``end`` come from."""
        first, last = self.origins[start], self.origins[end - 1] + 1
        return Span(first, last, sha256_text(original[first:last]))


def normalise(text: str) -> Normalised:
    """Curly quotes made straight, dashes made hyphens, each run of whitespace one space.

    >>> normalise("“Yes” –  said").text
    '"Yes" - said'
    """
    chars, origins = [], []
    for piece in _PIECE.finditer(text):
        chars.append(" " if piece.group(0).isspace() else piece.group(0).translate(_EQUIVALENT))
        origins.append(piece.start())
    # A translated whitespace-like character (no-break space) next to a space collapses too.
    out, kept = [], []
    for char, origin in zip(chars, origins, strict=True):
        if char == " " and out and out[-1] == " ":
            continue
        out.append(char)
        kept.append(origin)
    return Normalised("".join(out), kept)


def nearest_span(text: str, passage: str) -> tuple[Span, float] | None:
    """The span of ``text`` most similar to ``passage`` (after normalising both), with its ratio.

    >>> span, ratio = nearest_span("the raid on the embassy of Mexico", "the raid on the embasy")
    >>> (span.start, span.end, round(ratio, 2))
    (0, 23, 0.98)
    """
    body, wanted = normalise(text), normalise(passage).text.strip()
    if not wanted or not body.text:
        return None
    matcher = difflib.SequenceMatcher(None, body.text, wanted, autojunk=False)
    best: tuple[float, int, int] | None = None
    blocks = sorted(matcher.get_matching_blocks(), key=lambda b: -b.size)[:5]
    for block in blocks:
        if block.size == 0:
            continue
        origin = block.a - block.b
        for start in range(max(0, origin - 8), min(len(body.text), origin + 9)):
            for end in range(start + len(wanted) - 8, start + len(wanted) + 9):
                if end <= start or end > len(body.text):
                    continue
                ratio = difflib.SequenceMatcher(None, body.text[start:end], wanted, autojunk=False).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, start, end)
    if best is None:
        return None
    ratio, start, end = best
    return body.span(start, end, text), ratio


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


def _normalised_spans(text: str, passage: str) -> list[Span]:
    """Occurrences of ``passage`` once quotes, dashes and whitespace are normalised in both."""
    body, wanted = normalise(text), normalise(passage).text.strip()
    if not wanted:
        return []
    spans, start = [], body.text.find(wanted)
    while start != -1:
        spans.append(body.span(start, start + len(wanted), text))
        start = body.text.find(wanted, start + 1)
    return spans


def locate(text: str, passage: str, *, occurrence: int | None = None) -> Span:
    """The one span of ``passage`` in ``text`` (or its n-th occurrence, counting from 1).

    The passage is looked for as typed, then with quotes, dashes and runs of whitespace made
    uniform in both (the span returned is the document's own text, whose hash it carries).

    :raises PassageNotFound: when absent (with the nearest match, if any is similar enough), or
        ambiguous without ``occurrence``.

    >>> locate("the raid on the embassy", "embassy").start
    16
    """
    spans = find_spans(text, passage) or _normalised_spans(text, passage)
    if not spans:
        found = nearest_span(text, passage)
        if found is not None and found[1] >= MIN_SIMILARITY:
            span, ratio = found
            excerpt = " ".join(text[span.start:span.end].split())
            raise PassageNotFound(
                f"passage not found: {passage[:60]!r}; the nearest match ({ratio:.0%} similar) is at "
                f"{span.start}-{span.end}: {excerpt[:80]!r}", nearest=span, similarity=ratio)
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

    IRIs are written relative to ``@base`` :data:`graph.namespaces.DATA_BASE`, as in the data files.
    """
    iri = span.evidence_iri(document).removeprefix(DATA_BASE)
    source = document.iri.removeprefix(DATA_BASE)
    return (
        f"<{iri}> a oa:SpecificResource ;\n"
        f"    oa:hasSource <{source}> ;\n"
        f"    oa:hasSelector <{iri}#selector> .\n"
        f"<{iri}#selector> a oa:TextPositionSelector ;\n"
        f"    oa:start {span.start} ;\n"
        f"    oa:end {span.end} ;\n"
        f"    inv:spanSha256 \"{span.sha256}\" .\n"
    )
