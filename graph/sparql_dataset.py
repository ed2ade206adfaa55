"""What the remote engine needs to know about a SPARQL text before sending it: whether it names
its own dataset (``FROM``), and whether it asks the engine to fetch anything (``SERVICE``, ``LOAD``).

A lexical reading, through the one lexer (:mod:`graph.sparql_lexer`): strings, IRIs, prefixed names,
variables and comments are skipped, so that ``<http://e/FROM>`` or ``"SERVICE"`` are not taken for
keywords, and a name's escaped ``\\#`` is not taken for a comment that would hide one.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.sparql_lexer import run_words, tokens, words

OUTBOUND = ("SERVICE", "LOAD")


def keywords(sparql: str) -> Iterator[tuple[str, int]]:
    """Bare words of ``sparql``, upper-cased, each with its brace depth (:func:`graph.sparql_lexer.words`).

    >>> list(keywords('SELECT ?from { <http://e/FROM> e:FROM "FROM" } # FROM'))
    [('SELECT', 0)]
    """
    return ((word.text, word.depth) for word in words(sparql))


def has_dataset_clause(sparql: str) -> bool:
    """True when a query has its own ``FROM`` / ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }"), has_dataset_clause("ASK {}")
    (True, False)
    """
    return any(word == "FROM" and depth == 0 for word, depth in keywords(sparql))


def outbound_keyword(sparql: str) -> str | None:
    """``SERVICE`` or ``LOAD`` when the text would make an engine fetch remote data, else None.

    A bare word or a prefixed name's prefix that merely holds one of the words counts too: Oxigraph
    reads keywords glued to their neighbours, ``SERVICESILENT <…>`` as ``SERVICE SILENT <…>``,
    ``?s ?p trueSERVICE <…> {…}`` as ``true SERVICE <…> {…}`` and ``LOAD:x`` as ``LOAD :x``. No SPARQL
    keyword or function holds either word, so only a prefix named like ``service`` or ``download`` is
    refused with them.

    >>> outbound_keyword("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    'SERVICE'
    >>> outbound_keyword("PREFIX : <http://e/> LOAD:x"), outbound_keyword("LOADSILENT <http://e/x>")
    ('LOAD', 'LOAD')
    >>> outbound_keyword("ASK { ?s ?service 'LOAD' ; <http://e/load> ex:SERVICE }")
    """
    for match in tokens(sparql):
        kind = match.lastgroup
        if kind == "word" or kind == "pname":
            found = _outbound_in(match.group().split(":", 1)[0].upper())
        elif kind == "run":
            found = next(filter(None, (_outbound_in(word) for word, _ in run_words(match))), None)
        else:
            continue
        if found is not None:
            return found
    return None


def _outbound_in(word: str) -> str | None:
    return next((keyword for keyword in OUTBOUND if keyword in word), None)


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
    for match in tokens(sparql):
        kind = match.lastgroup
        if end is not None:
            if kind not in ("space", "comment"):
                after = match.group().upper() if kind == "word" else match.group()
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
