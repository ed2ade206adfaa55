"""A light lexical reading of SPARQL text, done before anything reaches the engine.

It does not parse: it skips strings, IRIs and comments, tracks brace depth, and finds keywords.
That is enough to refuse ``SERVICE`` and ``LOAD`` (the engine would open connections for them),
to know a query's form before running it, to see a ``FROM`` clause, and to add the protocol's
``using-graph-uri`` parameters to an update. Syntax errors are left to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u00c0-\uffff]+)
  | (?P<pname>[\w\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*:[\w.:%\\\-\u00b7\u00c0-\uffff]*
               |:[\w.:%\\\-\u00b7\u00c0-\uffff]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Word:
    """A bare keyword-like word, upper-cased, with its offset and brace depth."""

    text: str
    start: int
    depth: int


def words(sparql: str) -> Iterator[Word]:
    """Yield the bare words of a SPARQL text, skipping strings, IRIs, names, variables and comments.

    >>> [w.text for w in words('SELECT ?service { <http://x/SERVICE> ex:SERVICE "SERVICE" } # SERVICE')]
    ['SELECT']
    """
    depth = 0
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            yield Word(match.group().upper(), match.start(), depth)


def forbidden_keyword(sparql: str) -> str | None:
    """Return ``SERVICE`` or ``LOAD`` if the text uses either keyword anywhere, else None.

    >>> forbidden_keyword("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    'SERVICE'
    >>> forbidden_keyword("SELECT ?load { ?s <http://e/LOAD> 'LOAD' }") is None
    True
    """
    for word in words(sparql):
        if word.text in ("SERVICE", "LOAD"):
            return word.text
    return None


def query_form(sparql: str) -> str | None:
    """The form of a query (SELECT, ASK, CONSTRUCT, DESCRIBE), or None when it cannot be told.

    >>> query_form("PREFIX s: <http://e/select#> construct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    for word in words(sparql):
        if word.text in FORMS:
            return word.text
    return None


def has_dataset_clause(sparql: str) -> bool:
    """True when the query names its own dataset with ``FROM`` or ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }"), has_dataset_clause("ASK {}")
    (True, False)
    """
    return any(word.text == "FROM" and word.depth == 0 for word in words(sparql))


class DatasetConflict(ValueError):
    """The request gives using-graph-uri parameters and the update has its own USING or WITH."""


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Insert ``USING`` / ``USING NAMED`` clauses for the protocol's dataset into each modify operation.

    :raises DatasetConflict: when an operation already has ``USING`` or ``WITH`` (the protocol forbids both).

    >>> add_using("DELETE { ?s ?p 1 } WHERE { ?s ?p 1 }", ["http://e/g"], [])
    'DELETE { ?s ?p 1 } USING <http://e/g> WHERE { ?s ?p 1 }'
    >>> add_using("DELETE WHERE { ?s ?p 1 }", ["http://e/g"], [])
    'DELETE WHERE { ?s ?p 1 }'
    """
    if not default_graphs and not named_graphs:
        return update
    top = [word for word in words(update) if word.depth == 0]
    if any(word.text in ("USING", "WITH") for word in top):
        raise DatasetConflict("the request gives using-graph-uri or using-named-graph-uri and the update "
                              "has its own USING or WITH clause; give the dataset one way only")
    clause = " ".join([*(f"USING <{g}>" for g in default_graphs),
                       *(f"USING NAMED <{g}>" for g in named_graphs)]) + " "
    inserts: list[int] = []
    previous: Word | None = None
    for word in top:
        shorthand = (previous is not None and previous.text == "DELETE"
                     and "{" not in update[previous.start:word.start])
        if word.text == "WHERE" and not shorthand:
            inserts.append(word.start)
        previous = word
    for offset in reversed(inserts):
        update = update[:offset] + clause + update[offset:]
    return update
