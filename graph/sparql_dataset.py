"""What the remote engine needs to know about a SPARQL text before sending it: whether it names
its own dataset (``FROM``), and whether it asks the engine to fetch anything (``SERVICE``, ``LOAD``).

A lexical reading: strings, IRIs, prefixed names, variables and comments are skipped, so that
``<http://e/FROM>`` or ``"SERVICE"`` are not taken for keywords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKEN = re.compile(r"""
    \#[^\n\r]*
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*'''
  | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
  | <[^<>"{}|^`\\\x00-\x20]*>
  | [?$]\w+
  | [\w\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*:[\w.:%\\\-\u00b7\u00c0-\uffff]* | :[\w.:%\\\-\u00b7\u00c0-\uffff]*
  | (?P<word>[A-Za-z_]\w*)
  | (?P<open>\{) | (?P<close>\})
  | \s+ | .
""", re.VERBOSE | re.DOTALL)
OUTBOUND = ("SERVICE", "LOAD")


def keywords(sparql: str) -> Iterator[tuple[str, int]]:
    """Bare words of ``sparql``, upper-cased, each with its brace depth.

    >>> list(keywords('SELECT ?from { <http://e/FROM> e:FROM "FROM" } # FROM'))
    [('SELECT', 0)]
    """
    depth = 0
    for match in _TOKEN.finditer(sparql):
        if match.lastgroup == "open":
            depth += 1
        elif match.lastgroup == "close":
            depth = max(depth - 1, 0)
        elif match.lastgroup == "word":
            yield match.group("word").upper(), depth


def has_dataset_clause(sparql: str) -> bool:
    """True when a query has its own ``FROM`` / ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }"), has_dataset_clause("ASK {}")
    (True, False)
    """
    return any(word == "FROM" and depth == 0 for word, depth in keywords(sparql))


def outbound_keyword(sparql: str) -> str | None:
    """``SERVICE`` or ``LOAD`` when the text would make an engine fetch remote data, else None.

    >>> outbound_keyword("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    'SERVICE'
    """
    return next((word for word, _ in keywords(sparql) if word in OUTBOUND), None)


def ask_as_select(sparql: str) -> str:
    """An ASK query written as the SELECT of its first solution (``ASK`` → ``SELECT *`` and ``LIMIT 1``).

    Virtuoso 7 answers ``true`` to ``ASK { GRAPH <g> { … } }`` for a graph outside the request's
    dataset, where the same pattern in a SELECT has no solution; asking the SELECT avoids it.

    >>> ask_as_select("ASK { GRAPH <http://e/g> { ?s ?p ?o } }")
    'SELECT * { GRAPH <http://e/g> { ?s ?p ?o } } LIMIT 1'
    >>> ask_as_select("PREFIX e: <http://e/ask> ASK WHERE { ?s e:p 'ASK' } VALUES ?s { e:x }")
    "PREFIX e: <http://e/ask> SELECT * WHERE { ?s e:p 'ASK' } LIMIT 1 VALUES ?s { e:x }"
    """
    depth, keyword, end, after = 0, None, None, None
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if end is not None:
            if match.group().strip() and not match.group().startswith("#"):
                after = match.group("word").upper() if kind == "word" else match.group()
                break
            continue
        if kind == "word" and keyword is None and depth == 0 and match.group().upper() == "ASK":
            keyword = match
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
            if depth == 0 and keyword is not None:
                end = match.end()
    if keyword is None or end is None:
        return sparql
    limit = " LIMIT 1" if after in (None, "VALUES") else ""
    return f"{sparql[:keyword.start()]}SELECT *{sparql[keyword.end():end]}{limit}{sparql[end:]}"
