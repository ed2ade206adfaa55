"""What the endpoint reads of a SPARQL text before anything reaches a parser, through the one lexer
(:mod:`graph.sparql_lexer`).

It does not parse: it skips strings, IRIs, names and comments, tracks bracket depth, and finds keywords.
That is enough to bound the nesting depth before a parser recurses into it, to know a query's form
for content negotiation, to see a ``FROM`` clause, and to add the protocol's ``using-graph-uri``
parameters to an update. It decides nothing about safety: SERVICE and LOAD are refused by parsing
(:mod:`server.sparql_check`), and syntax errors are the parsers' to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graph.sparql_lexer import Word, run_words, tokens, words

__all__ = ["FORMS", "DatasetConflict", "Reading", "Word", "add_using", "nesting_depth", "read_query", "words"]

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


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
    for match in tokens(sparql):
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
            form, dataset = _note(match.group().upper(), braces, form, dataset)
        elif kind == "run" and (form is None or not dataset):
            for word, _ in run_words(match):
                form, dataset = _note(word, braces, form, dataset)
    return Reading(deepest, form, dataset)


def _note(word: str, braces: int, form: str | None, dataset: bool) -> tuple[str | None, bool]:
    if form is None and word in FORMS:
        return word, dataset
    return form, dataset or (word == "FROM" and braces == 0)


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
