"""Find the file and line of each node and of each triple, so results point at the mistake.

Each file is read with a small Turtle tokenizer that follows subjects, predicates and objects
(``;``, ``,``, nested ``[ … ]``), so that a result about a value is located on the line of the
offending triple, and a result about a missing property on the line where its node is stated.
A node's location is the first line, in file order, where it is the subject of a statement; a
node that is never a subject falls back to the first line that mentions it. Relative IRIs
resolve against the file's ``@base``, as the loader parses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from rdflib import Literal
from rdflib.term import Node

from graph.namespaces import BASE

DEFAULT_BASE = BASE + "id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<caret>\^\^)
  | (?P<number>[+-]?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+))
  | (?P<bnode>_:[\w.-]*\w)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w-]|\.(?=[\w-])|%[0-9A-Fa-f]{2}|\\.)*)
  | (?P<word>[A-Za-z][\w-]*)
  | (?P<punct>[;,.\[\]()])
  | (?P<other>.)
""", re.VERBOSE)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Location:
    """A place in a data file: path and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as given.

    >>> display_path(Path.cwd() / "graph" / "data" / "x.ttl")
    'graph/data/x.ttl'
    """
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def term_key(term: Node | str) -> tuple[str, str]:
    """How a triple's object is recognised: an IRI, or a literal's lexical form.

    >>> from rdflib import URIRef
    >>> term_key(Literal("2024-04", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth")))
    ('literal', '2024-04')
    """
    if isinstance(term, Literal):
        return ("literal", str(term))
    return ("iri", str(term))


class LocationIndex:
    """Where each node and each triple of a set of Turtle files is stated.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "a.ttl"
    ...     _ = path.write_text('@base <https://w3id.org/inviolable/id/> .\\n<state/x> a <y> ;\\n  <p> "v" .\\n')
    ...     index = LocationIndex([path])
    ...     base = "https://w3id.org/inviolable/id/"
    ...     index.find(base + "state/x").line, index.locate(base + "state/x", base + "p", Literal("v")).line
    (2, 3)
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        self._subjects: dict[str, Location] = {}
        self._mentions: dict[str, Location] = {}
        self._pairs: dict[tuple[str, str], Location] = {}
        self._triples: dict[tuple[str, str, tuple[str, str]], Location] = {}
        for path in paths:
            self._scan(path)

    def find(self, node: str) -> Location | None:
        """The location of ``node`` (an IRI), or None when no scanned file mentions it."""
        return self._subjects.get(node) or self._mentions.get(node)

    def locate(self, focus: str, path: str | None = None, value: Node | None = None) -> Location | None:
        """The line of the triple ``focus path value``; else of ``focus path``; else of ``focus``."""
        if path is not None:
            if value is not None and (found := self._triples.get((focus, path, term_key(value)))) is not None:
                return found
            if (found := self._pairs.get((focus, path))) is not None:
                return found
        return self.find(focus)

    def _scan(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        _Scanner(self, path).run(_tokens(text))

    def _subject(self, node: str, location: Location) -> None:
        self._subjects.setdefault(node, location)

    def _mention(self, node: str, location: Location) -> None:
        self._mentions.setdefault(node, location)

    def _triple(self, subject: str | None, predicate: str | None, key: tuple[str, str] | None,
                location: Location) -> None:
        if subject is None or predicate is None:
            return
        self._pairs.setdefault((subject, predicate), location)
        if key is not None:
            self._triples.setdefault((subject, predicate, key), location)


@dataclass
class _Frame:
    subject: str | None = None
    predicate: str | None = None
    expect: str = "subject"
    collection: bool = False


@dataclass
class _Scanner:
    index: LocationIndex
    path: Path
    base: str = DEFAULT_BASE
    prefixes: dict[str, str] = field(default_factory=dict)
    stack: list[_Frame] = field(default_factory=lambda: [_Frame()])

    def run(self, tokens: Iterator[tuple[str, str, int]]) -> None:
        pending: list[tuple[str, str, int]] = []
        for kind, text, line in tokens:
            if pending or (kind == "lang" and text in ("@prefix", "@base")) or (
                    kind == "word" and text.upper() in ("PREFIX", "BASE") and self.stack[-1].expect == "subject"):
                pending.append((kind, text, line))
                if self._directive(pending):
                    pending = []
                continue
            self._token(kind, text, line)

    def _directive(self, pending: list[tuple[str, str, int]]) -> bool:
        """Handle @prefix/@base/PREFIX/BASE; True once the directive is complete."""
        keyword = pending[0][1].lower().lstrip("@")
        sparql = not pending[0][1].startswith("@")
        iris = [text for kind, text, _ in pending if kind == "iri"]
        if not iris:
            return False
        if keyword == "base":
            if not sparql and pending[-1][1] != ".":
                return False
            self.base = _resolve(self.base, iris[0][1:-1])
            return True
        if not sparql and pending[-1][1] != ".":
            return False
        names = [text for kind, text, _ in pending if kind == "pname"]
        if names:
            self.prefixes[names[0].rstrip(":").partition(":")[0]] = _resolve(self.base, iris[0][1:-1])
        return True

    def _iri(self, kind: str, text: str) -> str | None:
        if kind == "iri":
            return _resolve(self.base, text[1:-1])
        if kind == "pname":
            prefix, _, local = text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
        if kind == "word" and text == "a":
            return RDF_TYPE
        return None

    def _token(self, kind: str, text: str, line: int) -> None:
        frame = self.stack[-1]
        location = Location(self.path, line)
        iri = self._iri(kind, text)
        if iri is not None and not (kind == "word"):
            self.index._mention(iri, location)
        if frame.collection:
            if text == ")" and kind == "punct":
                self.stack.pop()
            elif text == "(" and kind == "punct":
                self.stack.append(_Frame(collection=True))
            return
        if kind == "punct":
            self._punct(text, frame, location)
            return
        if kind in ("caret", "lang"):
            return  # the datatype or language of the literal just seen
        if frame.expect == "datatype":
            frame.expect = "after-object"
            return
        if frame.expect == "subject":
            frame.subject = iri if kind != "bnode" else None
            if frame.subject is not None and len(self.stack) == 1:
                self.index._subject(frame.subject, location)
            frame.expect = "predicate"
        elif frame.expect == "predicate":
            frame.predicate = iri
            frame.expect = "object"
        elif frame.expect == "object":
            self.index._triple(frame.subject, frame.predicate, _object_key(kind, text, iri), location)
            frame.expect = "after-object"

    def _punct(self, text: str, frame: _Frame, location: Location) -> None:
        if text == "[":
            if frame.expect == "object":
                self.index._triple(frame.subject, frame.predicate, None, location)
                frame.expect = "after-object"
            elif frame.expect == "subject":
                frame.expect = "predicate"
                frame.subject = None
            self.stack.append(_Frame(expect="predicate"))
        elif text == "]":
            if len(self.stack) > 1:
                self.stack.pop()
        elif text == "(":
            if frame.expect == "object":
                self.index._triple(frame.subject, frame.predicate, None, location)
                frame.expect = "after-object"
            self.stack.append(_Frame(collection=True))
        elif text == ",":
            frame.expect = "object"
        elif text == ";":
            frame.expect = "predicate"
        elif text == ".":
            self.stack = [_Frame()]


def _object_key(kind: str, text: str, iri: str | None) -> tuple[str, str] | None:
    if iri is not None:
        return ("iri", iri)
    if kind == "long":
        return ("literal", _unescape(text[3:-3]))
    if kind == "string":
        return ("literal", _unescape(text[1:-1]))
    if kind == "number" or (kind == "word" and text in ("true", "false")):
        return ("literal", text)
    return None


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "uU":
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, escape)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", replace, text)


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind not in ("ws", "comment"):
            yield kind, value, line
        line += value.count("\n")


def _resolve(base: str, reference: str) -> str:
    # urljoin would drop an empty fragment, as in <https://w3id.org/inviolable/ontology#>.
    return reference if _ABSOLUTE.match(reference) else urljoin(base, reference)
