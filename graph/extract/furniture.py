"""Page furniture of a wikitext document as metadata of the document.

What a reader of the page sees around the article's prose: the short description, the
date-format template, the infobox's media and its caption, the images and gallery captions, the
"See also" links, the DEFAULTSORT key and the editors' hidden comments. Prose (descriptions,
captions, comments) is not copied: each is an evidence span of the document. Keys that are
identifiers (file names, sort key, date format, link targets) are kept as values.
"""

from __future__ import annotations

import re
from datetime import datetime

from mwparserfromhell.nodes import Comment, Tag, Template, Wikilink

from graph.extract.entities import normalise_title, wiki_url
from graph.extract.infobox import _value_spans, find_infobox
from graph.extract.turtle import Turtle, add_span, iri, literal
from graph.extract.wikitext import ExtractionError, Located, is_tag, template_name
from graph.sources import SourceDocument

_VIDEO = (".webm", ".ogv", ".mp4", ".ogg")
_SEE_ALSO = re.compile(r"^==\s*See also\s*==\s*$", re.M | re.I)
_HEADING = re.compile(r"^==[^=].*==\s*$", re.M)


def _top_level_pipes(text: str) -> list[int]:
    """Offsets of the ``|`` in ``text`` that are outside nested links and templates."""
    depth, pipes, i = 0, [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ("[[", "{{"):
            depth, i = depth + 1, i + 2
            continue
        if pair in ("]]", "}}"):
            depth, i = depth - 1, i + 2
            continue
        if text[i] == "|" and depth == 0:
            pipes.append(i)
        i += 1
    return pipes


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _media(turtle: Turtle, document: SourceDocument, text: str, *, file_title: str, file_span: tuple[int, int],
           caption_span: tuple[int, int] | None, placement: str, wiki: str) -> None:
    """One image or video of the page, with its placement and the span of its caption."""
    page = iri(wiki_url(file_title, wiki=wiki))
    video = file_title.lower().endswith(_VIDEO)
    source = iri(document.iri)
    turtle.add(source, "schema:video" if video else "schema:image", page)
    turtle.add(page, "a", "schema:VideoObject" if video else "schema:ImageObject")
    turtle.add(page, "inv:placement", literal(placement))
    turtle.add(page, "prov:wasDerivedFrom", add_span(turtle, document, text, *file_span))
    if caption_span:
        start, end = caption_span
        reference = text.find("<ref", start, end)
        start, end = _trimmed(text, start, reference if reference >= 0 else end)
        if end > start:
            turtle.add(page, "inv:caption", add_span(turtle, document, text, start, end))


def _file_link(turtle: Turtle, document: SourceDocument, text: str, located: Located, wiki: str) -> None:
    """A ``[[File:…|thumb|…|caption]]`` image; its caption is the last unnamed option."""
    inner_start = located.start + 2
    inner = text[inner_start:located.end - 2]
    pipes = _top_level_pipes(inner)
    title_end = pipes[0] if pipes else len(inner)
    caption = None
    if len(pipes) > 1 or (pipes and "=" not in inner[pipes[-1] + 1:]):
        caption = _trimmed(text, inner_start + pipes[-1] + 1, inner_start + len(inner))
    _media(turtle, document, text, file_title=inner[:title_end].strip(),
           file_span=(inner_start, inner_start + title_end), caption_span=caption, placement="thumbnail", wiki=wiki)


def _gallery(turtle: Turtle, document: SourceDocument, text: str, located: Located, wiki: str) -> None:
    """Each ``File:…|caption`` line of a ``<gallery>``."""
    node = located.node
    assert isinstance(node, Tag)
    offset = located.content_start
    for line in str(node.contents).split("\n"):
        pipes = _top_level_pipes(line)
        if line.strip().lower().startswith(("file:", "image:")):
            title_end = pipes[0] if pipes else len(line)
            caption = _trimmed(text, offset + pipes[0] + 1, offset + len(line)) if pipes else None
            _media(turtle, document, text, file_title=line[:title_end].strip(),
                   file_span=_trimmed(text, offset, offset + title_end), caption_span=caption, placement="gallery",
                   wiki=wiki)
        offset += len(line) + 1


def _see_also(turtle: Turtle, document: SourceDocument, text: str, nodes: list[Located], wiki: str) -> None:
    """The links of the "See also" section: pages, or sections of pages (``{{slink|Page|Section}}``)."""
    heading = _SEE_ALSO.search(text)
    if heading is None:
        return
    following = _HEADING.search(text, heading.end())
    end = following.start() if following else len(text)
    source = iri(document.iri)
    for located in nodes:
        if located.containers or not heading.end() <= located.start < end:
            continue
        node = located.node
        if isinstance(node, Wikilink):
            target = wiki_url(str(node.title).split("#", 1)[0], wiki=wiki)
        elif isinstance(node, Template) and template_name(node) in ("slink", "section link") and node.params:
            page = wiki_url(str(node.params[0].value), wiki=wiki)
            section = str(node.params[1].value).strip().replace(" ", "_") if len(node.params) > 1 else ""
            target = f"{page}#{section}" if section else page
        else:
            continue
        turtle.add(source, "inv:seeAlso", iri(target))


def extract_furniture(turtle: Turtle, document: SourceDocument, text: str, nodes: list[Located], *,
                      wiki: str) -> int:
    """Add the page furniture of ``document`` to ``turtle``; return how many triples were added.

    :raises ExtractionError: when the date-format template's date is not a month and year.
    """
    source = iri(document.iri)
    before = len(turtle)
    for located in nodes:
        node = located.node
        name = template_name(node)
        if isinstance(node, Template) and not located.containers:
            if name == "short description" and node.params:
                value = node.params[0].value
                start = located.start + 2 + len(str(node.name)) + 1
                turtle.add(source, "inv:shortDescription",
                           add_span(turtle, document, text, *_trimmed(text, start, start + len(str(value)))))
            elif re.fullmatch(r"use (dmy|mdy|ymd) dates", name):
                turtle.add(source, "inv:dateFormat", literal(name.split()[1]))
                if node.has("date"):
                    value = str(node.get("date").value).strip()
                    try:
                        month = datetime.strptime(value, "%B %Y")
                    except ValueError:
                        raise ExtractionError(f"{document.slug} ({document.file_name})", text, located.start,
                                              f"the date-format template's date {value!r} is not a month and year, "
                                              "such as 'June 2024'") from None
                    since = literal(month.strftime("%Y-%m"), datatype="xsd:gYearMonth")
                    turtle.add(source, "inv:dateFormatSince", since)
            elif name.startswith("defaultsort:"):
                turtle.add(source, "inv:defaultSort", literal(str(node.name).split(":", 1)[1].strip()))
        elif isinstance(node, Comment):
            inner = _trimmed(text, located.start + 4, located.end - 3)
            turtle.add(source, "inv:editorComment", add_span(turtle, document, text, *inner))
        elif isinstance(node, Wikilink) and str(node.title).strip().lower().startswith(("file:", "image:")):
            _file_link(turtle, document, text, located, wiki)
        elif is_tag(located, "gallery"):
            _gallery(turtle, document, text, located, wiki)
    infobox = find_infobox(nodes)
    if infobox is not None:
        fields = _value_spans(text, infobox)
        image = fields.get("image")
        if image is not None and not image.empty:
            title = text[image.start:image.end]
            caption = fields.get("caption")
            _media(turtle, document, text, file_title=normalise_title(title), file_span=(image.start, image.end),
                   caption_span=(caption.start, caption.end) if caption and not caption.empty else None,
                   placement="infobox", wiki=wiki)
    _see_also(turtle, document, text, nodes, wiki)
    return len(turtle) - before
