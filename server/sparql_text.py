"""A light lexical reading of SPARQL text, done before anything reaches a parser.

It does not parse: it skips strings, IRIs and comments, tracks bracket depth, and finds keywords.
That is enough to bound the nesting depth before a parser recurses into it, to know a query's form
for content negotiation, to see a ``FROM`` clause, and to add the protocol's ``using-graph-uri``
parameters to an update. It decides nothing about safety: SERVICE and LOAD are refused by parsing
(:mod:`server.sparql_check`), and syntax errors are the parsers' to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u00c0-\uffff]+)
  | (?P<pname>[\w\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*:[\w.:%\\\-\u00b7\u00c0-\uffff]*
               |:[\w.:%\\\-\u00b7\u00c0-\uffff]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<bracket>[(\[])
  | (?P<unbracket>[)\]])
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


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` in a text, outside strings, IRIs and comments.

    >>> nesting_depth("ASK { ?s ?p ?o FILTER((1 + 2) > 0) }"), nesting_depth("ASK { '{{{{' }")
    (3, 1)
    """
    return read_query(sparql).depth


@dataclass(frozen=True)
class Reading:
    """What the endpoint needs to know of a query before it is run, from one lexical pass.

    :param depth: the deepest nesting of ``{``, ``(`` and ``[``, outside strings, IRIs and comments.
    :param form: SELECT, ASK, CONSTRUCT or DESCRIBE: the first such bare word; None when there is none.
    :param has_dataset: the query names its own dataset (``FROM`` or ``FROM NAMED`` outside braces).
    """

    depth: int
    form: str | None
    has_dataset: bool


#: Texts up to this length have their reading remembered (at most ``_READINGS`` of them): clients
#: repeat the same queries, and the scan would otherwise be a large share of a cached answer's cost.
_REMEMBERED_CHARS = 16_384
_READINGS = 1024


def read_query(sparql: str) -> Reading:
    """Nesting depth, form and dataset clause of a query, in one pass, remembered for recent short texts.

    >>> read_query("PREFIX s: <http://e/select#> ASK FROM <http://e/g> { { ?s ?p '{' } }")
    Reading(depth=2, form='ASK', has_dataset=True)
    >>> read_query("PREFIX s: <http://e/select#> construct { ?s ?p ?o } WHERE { ?s ?p ?o }").form
    'CONSTRUCT'
    >>> read_query("SELECT ?from { <http://e/FROM> e:FROM 'FROM' } # FROM").has_dataset
    False
    """
    if len(sparql) > _REMEMBERED_CHARS:
        return _read(sparql)
    return _remembered(sparql)


@lru_cache(maxsize=_READINGS)
def _remembered(sparql: str) -> Reading:
    return _read(sparql)


def _read(sparql: str) -> Reading:
    braces = depth = deepest = 0
    form: str | None = None
    dataset = False
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind == "open" or kind == "bracket":
            depth += 1
            deepest = max(deepest, depth)
            if kind == "open":
                braces += 1
        elif kind == "close" or kind == "unbracket":
            depth = max(depth - 1, 0)
            if kind == "close":
                braces = max(braces - 1, 0)
        elif kind == "word" and (form is None or not dataset):
            word = match.group().upper()
            if form is None and word in FORMS:
                form = word
            elif word == "FROM" and braces == 0:
                dataset = True
    return Reading(deepest, form, dataset)


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
