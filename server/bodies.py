"""Request bodies the parsers can safely be given: size, nesting depth, no XML entity expansion.

- Size: a body over ``MAX_BODY_BYTES`` gets 413 before anything reads it, whether it came with a
  ``Content-Length`` or in chunks (a chunked body is read here up to the limit, then handed on
  as an ordinary body of known length).
- Nesting: brackets of SPARQL and of the RDF text formats (``{ ( [ <<``), JSON nesting for
  JSON-LD, element nesting for RDF/XML, are counted by a flat scan before any parser recurses
  over them; deeper than ``MAX_QUERY_DEPTH`` gets 400.
- RDF/XML: a document type declaration (where entities are declared, as in "billion laughs") is
  refused with 400; RDF/XML needs none.

:func:`operations` also splits an update made only of DATA operations, for :mod:`server.update_runner`.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
from collections.abc import Callable, Iterator

import pyoxigraph as ox
from flask import Flask, current_app, request

from server.errors import ApiError

DEFAULT_MAX_DEPTH = 64
# An escape outside strings and IRIs (``e:a\\#b`` in a prefixed name) is read before a comment, and
# an IRI may hold \\u / \\U escapes, as the grammars of Turtle and SPARQL have it: otherwise a '#'
# after them would hide the rest of the line from this reading but not from the parser.
_TOKEN = re.compile(r"""
    (?P<escape>\\.)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<open><<\(?|[{(\[])
  | (?P<close>\)?>>|[})\]])
  | (?P<word>[A-Za-z_][\w-]*)
  | (?P<semicolon>;)
  | (?P<space>\s+)
  | (?P<other>[^\s#"'<{}()\[\];A-Za-z_]+|.)
""", re.VERBOSE | re.DOTALL)
_XML_MEDIA = ("application/rdf+xml", "application/xml", "text/xml")


def tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """Yield ``(kind, text, offset, depth)`` for each token; depth is counted before an opening bracket."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "close":
            depth = max(depth - 1, 0)
        yield kind, match.group(), match.start(), depth
        if kind == "open":
            depth += 1


def rdf_nesting_depth(text: str) -> int:
    """The deepest bracket nesting of a Turtle, TriG, N-Triples, N-Quads or JSON text (``<<`` counts).

    Strings, IRIs and comments are skipped, so brackets inside them do not count.

    >>> rdf_nesting_depth('<s> <p> [ <q> ( "((" << <a> <b> <c> >> ) ] . # ((((')
    3
    """
    deepest = 0
    for kind, _, _, depth in tokens(text):
        if kind == "open":
            deepest = max(deepest, depth + 1)
    return deepest


def check_nesting(text: str, *, limit: int, what: str, measure: Callable[[str], int] = rdf_nesting_depth) -> None:
    """Refuse (400) a text nested deeper than ``limit`` before any parser recurses over it.

    :param measure: the depth function (:func:`server.sparql_text.nesting_depth` for SPARQL).
    :raises ApiError: 400 naming the depth and the limit.
    """
    depth = measure(text)
    if depth > limit:
        raise ApiError(400, f"the {what} is nested {depth} levels deep; this server accepts at most {limit}")


def check_xml(data: bytes, *, limit: int) -> None:
    """Refuse (400) RDF/XML with a document type declaration (entities) or elements nested deeper than ``limit``.

    expat reads the document without recursion and without expanding anything here.

    :raises ApiError: 400 saying what was found and where.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    depth = [0]

    def doctype(name: str, *_: object) -> None:
        raise ApiError(400, f"RDF/XML with a document type declaration (<!DOCTYPE {name}>, line "
                            f"{parser.CurrentLineNumber}) is refused: entity declarations are not accepted")

    def entity(name: str, *_: object) -> None:
        raise ApiError(400, f"RDF/XML declaring the entity {name!r} (line {parser.CurrentLineNumber}) is refused")

    def start(*_: object) -> None:
        depth[0] += 1
        if depth[0] > limit:
            raise ApiError(400, f"the RDF/XML elements are nested more than {limit} levels deep (line "
                                f"{parser.CurrentLineNumber}); this server accepts at most {limit}")

    def end(*_: object) -> None:
        depth[0] -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise ApiError(400, f"the RDF/XML is not well-formed XML: {error}") from error


def check_rdf_payload(data: bytes, media: str, *, limit: int) -> None:
    """Check an RDF request body's nesting (and, for RDF/XML, the absence of entities) before parsing.

    :raises ApiError: 400 when it is too deep, declares entities, or is not UTF-8 text.
    """
    if media in _XML_MEDIA:
        check_xml(data, limit=limit)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, f"the RDF payload is not UTF-8 (byte {error.start})") from error
    check_nesting(text, limit=limit, what="RDF payload")


def operations(update: str) -> list[tuple[str, str, str]] | None:
    """Split an update made only of ``INSERT DATA`` / ``DELETE DATA`` operations.

    :return: for each operation, its verb (``INSERT`` or ``DELETE``), the prologue (``PREFIX`` and
        ``BASE`` declarations before it) and its ``{…}`` block; None when any other operation appears.

    >>> operations('PREFIX e: <http://e/> DELETE DATA { e:a e:b 1 } ; INSERT DATA { e:a e:b 2 }')
    [('DELETE', 'PREFIX e: <http://e/>', '{ e:a e:b 1 }'), ('INSERT', 'PREFIX e: <http://e/>', '{ e:a e:b 2 }')]
    >>> operations('DELETE WHERE { ?s ?p ?o }') is None
    True
    """
    found: list[tuple[str, str, str]] = []
    prologue: list[str] = []
    expect = "operation"
    verb, block_start, piece_start = "", 0, 0
    for kind, text, offset, depth in tokens(update):
        if kind in ("comment", "space"):
            continue
        if expect == "block-end":
            if kind == "close" and depth == 0:
                found.append((verb, " ".join(prologue), update[block_start:offset + len(text)]))
                expect = "operation"
            continue
        if expect == "operation":
            upper = text.upper() if kind == "word" else text
            if kind == "word" and upper in ("PREFIX", "BASE"):
                piece_start, expect = offset, "prologue"
            elif kind == "word" and upper in ("INSERT", "DELETE"):
                verb, expect = upper, "data"
            elif kind != "semicolon":
                return None
        elif expect == "prologue":
            if kind == "iri":
                prologue.append(update[piece_start:offset + len(text)])
                expect = "operation"
        elif expect == "data":
            if kind != "word" or text.upper() != "DATA":
                return None
            expect = "block"
        elif kind == "open" and text == "{":
            block_start, expect = offset, "block-end"
        else:
            return None
    return found if expect == "operation" and found else None


def _limit_chunked_body() -> None:
    """Read a body sent without Content-Length up to the limit; refuse it (413) past the limit."""
    environ = request.environ
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    # A Transfer-Encoding overrides any Content-Length (RFC 9112, 6.3).
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked and (environ.get("CONTENT_LENGTH") or "wsgi.input_terminated" not in environ):
        return
    limit = current_app.config["MAX_BODY_BYTES"]
    stream = environ["wsgi.input"]
    parts, size = [], 0
    while size <= limit:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        # The rest is not read: the connection is closed after the answer.
        environ["wsgi.input"] = io.BytesIO()
        environ["CONTENT_LENGTH"] = "0"
        raise ApiError(413, f"the request body is larger than the server's limit of {limit} bytes",
                       headers={"Connection": "close"})
    body = b"".join(parts)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)


def _check_rdf_body() -> None:
    """Check the nesting of an RDF request body (Graph Store writes), and RDF/XML for entities."""
    if request.method not in ("PUT", "POST"):
        return
    media = (request.mimetype or "").lower()
    if not media or ox.RdfFormat.from_media_type(media) is None:
        return
    limit = int(current_app.config.get("MAX_QUERY_DEPTH", DEFAULT_MAX_DEPTH))
    check_rdf_payload(request.get_data(cache=True), media, limit=limit)


def install(app: Flask) -> None:
    """Register the body checks to run before every other request hook."""
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:0] = [_limit_chunked_body, _check_rdf_body]
