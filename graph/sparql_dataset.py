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

    A bare word that merely holds one of the words counts too: Oxigraph reads keywords glued to their
    neighbours, ``SERVICESILENT <…>`` as ``SERVICE SILENT <…>`` and ``?s ?p trueSERVICE <…> {…}`` as
    ``true SERVICE <…> {…}``. A prefixed name's prefix counts when what comes before the word could be
    read as tokens of its own (:func:`_glued_prefix`): ``LOAD:x`` is ``LOAD :x`` and ``trueSERVICE:x``
    ``true SERVICE :x``, while ``download:`` or ``webservice:`` are only prefixes.

    >>> outbound_keyword("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    'SERVICE'
    >>> outbound_keyword("PREFIX : <http://e/> LOAD:x"), outbound_keyword("LOADSILENT <http://e/x>")
    ('LOAD', 'LOAD')
    >>> outbound_keyword("ASK { ?s ?service 'LOAD' ; <http://e/load> ex:SERVICE }")
    """
    for match in tokens(sparql):
        kind = match.lastgroup
        if kind == "word":
            found = _outbound_in(match.group().upper())
        elif kind == "pname":
            found = _glued_prefix(match.group().split(":", 1)[0].upper())
        elif kind == "run":
            found = next(filter(None, (_outbound_in(word) for word, _ in run_words(match))), None)
        else:
            continue
        if found is not None:
            return found
    return None


def _outbound_in(word: str) -> str | None:
    return next((keyword for keyword in OUTBOUND if keyword in word), None)


#: The grammar's keywords and built-in names (upper-cased), including ``A``, ``TRUE`` and ``FALSE``: the
#: tokens a parser that reads keywords without a word boundary could end before a glued SERVICE or LOAD.
GRAMMAR_WORDS = frozenset("""
    A ABS ADD ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT CONTAINS
    COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP ENCODE_FOR_URI EXISTS
    FALSE FILTER FLOOR FROM GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN INSERT INTO IRI ISBLANK ISIRI
    ISLITERAL ISNUMERIC ISURI LANG LANGMATCHES LCASE LIMIT LOAD MAX MD5 MIN MINUS MINUTES MONTH MOVE NAMED
    NOT NOW OFFSET OPTIONAL ORDER PREFIX RAND REDUCED REGEX REPLACE ROUND SAMETERM SAMPLE SECONDS SELECT
    SEPARATOR SERVICE SHA1 SHA256 SHA384 SHA512 SILENT STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLEN
    STRSTARTS STRUUID SUBSTR SUM TIMEZONE TO TRUE TZ UCASE UNDEF UNION URI USING UUID VALUES WHERE WITH YEAR
""".split())


def _glued_prefix(prefix: str) -> str | None:
    """SERVICE or LOAD when a prefix (upper-cased) holds one a parser could read as a keyword of its own.

    That is when the word opens the prefix, when something other than letters comes before it, or
    when the letters before it are a sequence of grammar words.

    >>> _glued_prefix("LOAD"), _glued_prefix("TRUESERVICE"), _glued_prefix("ATRUESERVICE"), _glued_prefix("A.LOAD")
    ('LOAD', 'SERVICE', 'SERVICE', 'LOAD')
    >>> _glued_prefix("DOWNLOAD"), _glued_prefix("WEBSERVICE"), _glued_prefix("PRELOADED")
    (None, None, None)
    """
    for keyword in OUTBOUND:
        start = prefix.find(keyword)
        while start >= 0:
            before = prefix[:start]
            if not before.isascii() or not before.isalpha() or _grammar_words(before):
                return keyword
            start = prefix.find(keyword, start + 1)
    return None


def _grammar_words(letters: str) -> bool:
    """True when ``letters`` split into a sequence of grammar words (``ATRUE`` is ``A TRUE``)."""
    ends = {0}
    for end in range(1, len(letters) + 1):
        if any(start in ends and letters[start:end] in GRAMMAR_WORDS for start in range(end)):
            ends.add(end)
    return len(letters) in ends


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
