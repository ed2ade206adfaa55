"""Parse wikitext with mwparserfromhell and give every node its code-point offsets in the document.

mwparserfromhell round-trips its input exactly, so a node's offset is the sum of the lengths of
what precedes it. The content of a ``<gallery>`` is returned as plain text by the parser; it is
parsed again here so that references in gallery captions are found like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import mwparserfromhell as mw
from mwparserfromhell.nodes import Node, Tag, Template, Wikilink
from mwparserfromhell.wikicode import Wikicode

#: Tags whose content the parser leaves as text but which hold wikitext.
REPARSED_TAGS = frozenset({"gallery"})


class ExtractionError(Exception):
    """The document cannot be extracted; the message names the document and the position."""

    def __init__(self, document: str, text: str, offset: int, message: str) -> None:
        self.document, self.offset = document, offset
        self.line, self.column = line_column(text, offset)
        super().__init__(f"{document}, line {self.line}, column {self.column} (offset {offset}): {message}")


def line_column(text: str, offset: int) -> tuple[int, int]:
    """One-based line and column of a code-point offset.

    >>> line_column("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass(frozen=True)
class Located:
    """A parsed node, its span in the document, and the containers it sits in (outermost first)."""

    node: Node
    start: int
    end: int
    containers: tuple[Located, ...]
    content_start: int


def check_balance(document: str, text: str) -> None:
    """Refuse text whose ``{{``/``}}`` or ``[[``/``]]`` pairs or ``<ref>`` tags do not balance.

    The parser silently turns an unbalanced template into plain text, which would drop facts
    without a word; this check names the first unbalanced position instead.

    :raises ExtractionError: at the first unmatched opening or closing.
    """
    for opening, closing, what in (("{{", "}}", "template"), ("[[", "]]", "link")):
        stack: list[int] = []
        position = 0
        while True:
            next_open, next_close = text.find(opening, position), text.find(closing, position)
            if next_open == -1 and next_close == -1:
                break
            if next_open != -1 and (next_close == -1 or next_open < next_close):
                stack.append(next_open)
                position = next_open + 2
            else:
                if not stack:
                    raise ExtractionError(document, text, next_close, f"'{closing}' closes no open {what}")
                stack.pop()
                position = next_close + 2
        if stack:
            raise ExtractionError(document, text, stack[0], f"'{opening}' opens a {what} that is never closed")
    _check_ref_tags(document, text)


def _check_ref_tags(document: str, text: str) -> None:
    depth, last = 0, 0
    for match in re.finditer(r"<ref\b[^>]*?(/?)>|</ref\s*>", text, flags=re.IGNORECASE):
        if match.group(0).startswith("</"):
            if depth == 0:
                raise ExtractionError(document, text, match.start(), "'</ref>' closes no open <ref>")
            depth -= 1
        elif not match.group(1):
            if depth:
                raise ExtractionError(document, text, last, "<ref> is not closed before the next <ref>")
            depth, last = 1, match.start()
    if depth:
        raise ExtractionError(document, text, last, "<ref> is never closed")


def walk(code: Wikicode, start: int = 0, containers: tuple[Located, ...] = ()) -> Iterator[Located]:
    """Every node of ``code`` and of its children, in document order, with offsets.

    :param start: offset of ``code`` in the document.
    """
    offset = start
    for node in code.nodes:
        length = len(str(node))
        for content, content_start in _children(node, offset):
            here = Located(node, offset, offset + length, containers, content_start)
            yield from walk(content, content_start, (*containers, here))
        yield Located(node, offset, offset + length, containers, _content_start(node, offset))
        offset += length


def _content_start(node: Node, offset: int) -> int:
    for _content, content_start in _children(node, offset):
        return content_start
    return offset


def _children(node: Node, offset: int) -> Iterator[tuple[Wikicode, int]]:
    if isinstance(node, Tag) and node.contents is not None and not node.self_closing:
        whole, contents = str(node), str(node.contents)
        if node.wiki_markup:
            content_start = offset + len(str(node.wiki_markup))
        else:
            content_start = offset + len(whole) - (len(whole) - whole.rfind("</")) - len(contents)
        if str(node.tag).strip().lower() in REPARSED_TAGS:
            yield mw.parse(contents), content_start
        else:
            yield node.contents, content_start
    elif isinstance(node, Wikilink):
        if node.text is not None:
            yield node.text, offset + 2 + len(str(node.title)) + 1
    elif isinstance(node, Template):
        cursor = offset + 2 + len(str(node.name))
        for parameter in node.params:
            cursor += 1
            value_start = cursor + (len(str(parameter.name)) + 1 if parameter.showkey else 0)
            yield parameter.value, value_start
            cursor += len(str(parameter))


def parse(document: str, text: str) -> list[Located]:
    """Check and parse a wikitext document into located nodes, in document order.

    :raises ExtractionError: when templates, links or ``<ref>`` tags do not balance.
    """
    check_balance(document, text)
    nodes = list(walk(mw.parse(text)))
    for located in nodes:
        if text[located.start:located.end] != str(located.node):
            raise ExtractionError(document, text, located.start, "the parser's node does not match the text")
    return sorted(nodes, key=lambda n: (n.start, -n.end))


def is_tag(located: Located, name: str) -> bool:
    """True when the node is the HTML-like tag ``name`` (``ref``, ``gallery``)."""
    return isinstance(located.node, Tag) and str(located.node.tag).strip().lower() == name


def template_name(node: Node) -> str:
    """A template's name, stripped and lower-cased (``Cite web`` → ``cite web``)."""
    return str(node.name).strip().lower() if isinstance(node, Template) else ""
