"""Find the text each ``<ref>`` backs: the sentence or paragraph it follows.

Wikipedia's convention is that a reference backs the text written since the previous
reference on the same line (or since the line, list item or caption began). Adjacent
references (``…text.<ref/><ref/>``) back the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from mwparserfromhell.nodes import Wikilink

from graph.extract.citations import RefUse
from graph.extract.wikitext import ExtractionError, Located, is_tag

_LEADING = " \t*#:;"


@dataclass(frozen=True)
class Segment:
    """The span of text a reference tag backs, end exclusive."""

    start: int
    end: int


def _caption_start(text: str, container: Located, limit: int) -> int:
    """Start of the last top-level ``|``-separated field of a link's text before ``limit``."""
    depth, start, position = 0, container.content_start, container.content_start
    while position < limit:
        pair = text[position:position + 2]
        if pair in ("[[", "{{"):
            depth, position = depth + 1, position + 2
            continue
        if pair in ("]]", "}}"):
            depth, position = max(depth - 1, 0), position + 2
            continue
        if text[position] == "|" and depth == 0:
            start = position + 1
        position += 1
    return start


def _floor(text: str, use: RefUse) -> int:
    """The earliest offset the backed text may start at: its line, or its caption in a link or gallery."""
    floor = text.rfind("\n", 0, use.start) + 1
    for container in use.located.containers:
        if is_tag(container, "ref"):
            continue
        if is_tag(container, "gallery"):
            line_start = text.rfind("\n", 0, use.start) + 1
            pipe = text.find("|", line_start, use.start)
            floor = max(floor, pipe + 1 if pipe != -1 else line_start)
        elif isinstance(container.node, Wikilink):
            floor = max(floor, _caption_start(text, container, use.start))
        else:
            floor = max(floor, container.content_start)
    return floor


def attach(document: str, text: str, uses: list[RefUse]) -> dict[int, Segment]:
    """The segment each reference tag backs, keyed by the tag's ordinal.

    :raises ExtractionError: when a tag follows no text at all.
    """
    segments: dict[int, Segment] = {}
    previous: RefUse | None = None
    for use in uses:
        floor = _floor(text, use)
        if previous is not None and previous.end <= use.start:
            floor = max(floor, previous.end)
        start, end = floor, use.start
        while start < end and text[start] in _LEADING:
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            if previous is None or previous.ordinal not in segments or text[previous.end:use.start].strip():
                raise ExtractionError(document, text, use.start, "<ref> follows no text it could back")
            segments[use.ordinal] = segments[previous.ordinal]
        else:
            segments[use.ordinal] = Segment(start, end)
        previous = use
    return segments
