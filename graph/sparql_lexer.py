r"""The one lexical reading of SPARQL text: comments, strings, IRIs, variables and names told apart from
bare words and brackets.

It does not parse. The endpoint reads a query's nesting depth, form and dataset clause through it
(:mod:`server.sparql_text`), and the remote store whether a text names its own dataset or would make
the engine fetch data (:mod:`graph.sparql_dataset`). SERVICE and LOAD sent to the endpoint are refused
by parsing (:mod:`server.sparql_check`), not here.

The tokens follow the terminals of the SPARQL 1.1 grammar (its section 19.8), so that a name, IRI or
string ends here where it ends for a parser that accepts the text: an escaped ``\#`` inside a prefixed
name is part of the name, not the start of a comment, and ``\u0041`` inside an IRI is part of the IRI.
Where the grammar refuses a text, a parser stops at the first character it cannot read, so what is
read here after that point cannot differ from what a parser runs.

Every text is read in time linear in its length: a run of name characters that is not a prefixed
name is one token (its bare words are found inside it), a short string that does not end on its
line ends the line's reading, and once a long string does not end, no later one of the same quotes
is tried (none could end either).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# The character classes of the grammar's PN_CHARS_BASE, PN_CHARS_U and PN_CHARS, and the rest of VARNAME.
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_U = _BASE + "_"
_EXTRA = "\u00b7\u0300-\u036f\u203f\u2040"
_CHARS = _U + r"\-0-9" + _EXTRA
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"


def _pattern(long_single: bool, long_double: bool) -> re.Pattern[str]:
    # A long string's escape may be any character: a parser that accepts the text reads the same
    # extent, and one that refuses it stops at the escape. A short string stays on its line.
    longs = [*([r"'''(?:[^'\\]|\\.|'(?!''))*'''"] if long_single else []),
             *([r'"""(?:[^"\\]|\\.|"(?!""))*"""'] if long_double else [])]
    strings = "|".join([*longs, r"'(?:[^'\\\n\r]|\\[^\n\r])*'", r'"(?:[^"\\\n\r]|\\[^\n\r])*"'])
    # The most frequent kinds first; a bare word is tried before a prefixed name because its own
    # lookahead refuses a word that goes on as a name.
    return re.compile(f"""
        (?P<space>\\s+)
      | (?P<var>[?$][{_U}0-9][{_U}0-9{_EXTRA}]*)
      | (?P<word>[A-Za-z_]\\w*+(?![{_CHARS}.:]))
      | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
      | (?P<open>\\{{)
      | (?P<close>\\}})
      | (?P<bracket>[(\\[])
      | (?P<unbracket>[)\\]])
      | (?P<comment>\\#[^\\n\\r]*)
      | (?P<string>{strings})
      | (?P<unterminated>["'][^\\n\\r]*)
      | (?P<iri><[^<>"{{}}|^`\\x00-\\x20]*>)
      | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
      | (?P<run>[{_BASE}][{_CHARS}.]*+)
      | (?P<other>.)
    """, re.VERBOSE | re.DOTALL)


#: The token pattern; :func:`tokens` switches to a copy without a long string once one does not end.
_PATTERNS = {(single, double): _pattern(single, double) for single in (True, False) for double in (True, False)}
TOKEN = _PATTERNS[(True, True)]
_WORD = re.compile(r"[A-Za-z_]\w*")


def tokens(sparql: str) -> Iterator[re.Match[str]]:
    """The tokens of a text, in order; each match's ``lastgroup`` names its kind.

    Kinds: ``comment``, ``string``, ``unterminated`` (a quote with the rest of its line), ``iri``,
    ``var``, ``bnode``, ``pname``, ``word`` (a bare word), ``run`` (name characters that are no
    prefixed name, such as ``a.b``: see :func:`run_words`), ``open`` / ``close`` (braces),
    ``bracket`` / ``unbracket`` (parentheses and square brackets), ``space`` and ``other``.

    >>> [m.lastgroup for m in tokens("ASK{?s e:a\\\\#b 'x'}#c") if m.lastgroup != "space"]
    ['word', 'open', 'var', 'pname', 'string', 'close', 'comment']
    """
    pattern, position, single, double = TOKEN, 0, True, True
    while True:
        for match in pattern.finditer(sparql, position):
            yield match
            text = match.group()
            # An empty short string where a long one opens: that long string does not end.
            if match.lastgroup == "string" and len(text) == 2 and sparql.startswith(text[0], match.end()):
                single, double = single and text[0] != "'", double and text[0] != '"'
                pattern, position = _PATTERNS[(single, double)], match.end()
                break
        else:
            return


def run_words(run: re.Match[str]) -> Iterator[tuple[str, int]]:
    """The bare words inside a ``run`` token, upper-cased, with their offsets in the text.

    >>> [w for m in tokens("true.SERVICE") for w in run_words(m)]
    [('TRUE', 0), ('SERVICE', 5)]
    """
    for word in _WORD.finditer(run.group()):
        yield word.group().upper(), run.start() + word.start()


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
    >>> [(w.text, w.depth) for w in words("ASK { ?s ?p ex:a\\\\#b . SERVICE <http://e/> {} }")]
    [('ASK', 0), ('SERVICE', 1)]
    """
    depth = 0
    for match in tokens(sparql):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            yield Word(match.group().upper(), match.start(), depth)
        elif kind == "run":
            for text, start in run_words(match):
                yield Word(text, start, depth)
