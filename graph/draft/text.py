"""The readable text of a document, with its offsets kept, cut into sentences.

Wikitext markup that is not prose (references, templates, tables, comments, file and category
links, link targets, bold and italic quotes, heading marks) is replaced by spaces of the same
length, so every offset in the readable text is an offset in the document and a span of the
document can be quoted as evidence unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Markup, from the outermost: whole constructs blanked, then link brackets and targets.
_BLOCKS = [
    re.compile(r"<!--.*?-->", re.DOTALL),
    re.compile(r"<ref[^>/]*/>", re.IGNORECASE),
    re.compile(r"<ref[^>]*>.*?</ref>", re.IGNORECASE | re.DOTALL),
    re.compile(r"<gallery[^>]*>.*?</gallery>", re.IGNORECASE | re.DOTALL),
    re.compile(r"</?[A-Za-z][^>]*>"),
    re.compile(r"\[\[(?:File|Image|Category):[^\[\]]*(?:\[\[[^\]]*\]\][^\[\]]*)*\]\]", re.IGNORECASE),
]
_TEMPLATE_OPEN, _TEMPLATE_CLOSE = "{{", "}}"
_TABLE = re.compile(r"^\{\|.*?^\|\}", re.DOTALL | re.MULTILINE)
_PIPED_LINK = re.compile(r"\[\[([^\[\]|]*\|)([^\[\]]*)\]\]")
_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_EXTERNAL = re.compile(r"\[(https?://\S+)( [^\]]*)?\]")
_QUOTES = re.compile(r"'{2,}")
_HEADING = re.compile(r"^(=+)[^=\n]*?(=+)\s*$", re.MULTILINE)
# A sentence ends at . ! or ? (with closing quotes) before a capital, digit or opening quote,
# or at a line break; these abbreviations do not end one.
_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n\s*")
_ABBREVIATIONS = ("U.S.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.", "Jan.", "Feb.", "Aug.", "Sept.",
                  "Oct.", "Nov.", "Dec.", "Gen.", "Sen.", "Rep.", "Gov.", "Lt.", "Col.", "Inc.", "Ltd.", "Jr.",
                  "vs.", "e.g.", "i.e.", "approx.", "D.C.", "a.m.", "p.m.")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document: its offsets (code points, end exclusive) and number."""

    number: int
    start: int
    end: int


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _blank_templates(text: str) -> str:
    chars, depth, start, i = list(text), 0, 0, 0
    while i < len(text) - 1:
        pair = text[i:i + 2]
        if pair == _TEMPLATE_OPEN:
            if depth == 0:
                start = i
            depth, i = depth + 1, i + 2
            continue
        if pair == _TEMPLATE_CLOSE and depth:
            depth, i = depth - 1, i + 2
            if depth == 0:
                chars[start:i] = [c if c == "\n" else " " for c in text[start:i]]
            continue
        i += 1
    return "".join(chars)


def readable(text: str, *, wikitext: bool) -> str:
    """``text`` with non-prose markup blanked (same length, same line breaks).

    >>> readable("The [[Quito|capital]] fell.<ref>x</ref>", wikitext=True)
    'The         capital   fell.            '
    """
    if not wikitext:
        return text
    out = _blank_templates(text)
    for pattern in _BLOCKS:
        out = pattern.sub(_blank, out)
    out = _TABLE.sub(_blank, out)
    out = _PIPED_LINK.sub(lambda m: " " * (2 + len(m.group(1))) + m.group(2) + "  ", out)
    out = _LINK.sub(lambda m: "  " + m.group(1) + "  ", out)
    out = _EXTERNAL.sub(lambda m: " " * (1 + len(m.group(1)) + 1) + (m.group(2) or "")[1:] + " ", out)
    out = _QUOTES.sub(lambda m: " " * len(m.group(0)), out)
    out = _HEADING.sub(_blank, out)
    assert len(out) == len(text)
    return out


def _boundaries(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _END.finditer(text):
        before = text[max(0, match.start() - 8):match.start()]
        if match.group(0)[0] != "\n" and before.endswith(_ABBREVIATIONS):
            continue
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def sentences(view: str, *, min_words: int = 3) -> list[Sentence]:
    """The sentences of a readable text: trimmed, numbered from 1, at least ``min_words`` words.

    >>> [(s.start, s.end) for s in sentences("One two three. Four five six!\\nSeven eight nine")]
    [(0, 14), (15, 29), (30, 46)]
    """
    found = []
    for start, end in _boundaries(view):
        piece = view[start:end]
        stripped = piece.strip()
        if len(re.findall(r"\w+", stripped)) < min_words:
            continue
        offset = start + (len(piece) - len(piece.lstrip()))
        found.append(Sentence(len(found) + 1, offset, offset + len(stripped)))
    return found


def collapse(text: str) -> str:
    """``text`` with runs of whitespace made single spaces, for labels and messages."""
    return re.sub(r"\s+", " ", text).strip()


__all__ = ["Sentence", "collapse", "readable", "sentences"]
