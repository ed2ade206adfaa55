"""Refusing ``SERVICE`` and ``LOAD`` by parsing, not by reading text.

The engine (Oxigraph) would open a connection for either. Whether a request uses them is decided by
rdflib's SPARQL parser: the request is parsed and translated to algebra, and both trees are walked for a
``ServiceGraphPattern`` or ``Load`` node. A text rdflib cannot read is refused too, so that the two
parsers cannot disagree in an attacker's favour: what runs is always something rdflib understood.

One known difference between the parsers is removed before either sees the text: a carriage return not
followed by a line feed ends a ``#`` comment for Oxigraph (and for the SPARQL grammar) but not for
rdflib, so such carriage returns are turned into line feeds in the text that is both checked and run.

This runs inside the query worker processes (see :mod:`server.pool`), where parsing is bounded by the
deadline and the memory cap like the query itself.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from graph.namespaces import PREFIXES

OUTBOUND = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}
_LONE_CR = re.compile(r"\r(?!\n)")
# pyparsing recurses a few dozen frames per nesting level; the nesting limit applied before parsing
# (server.sparql_text.nesting_depth) keeps well inside this.
RECURSION_LIMIT = 20_000

logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Verdict:
    """What the parser made of a request.

    :param text: the text to run (lone carriage returns made line feeds).
    :param refused: ``"SERVICE"`` or ``"LOAD"`` when the request uses one, else None.
    :param error: the parser's message when it could not read the text, else None.
    """

    text: str
    refused: str | None = None
    error: str | None = None

    @property
    def runnable(self) -> bool:
        """True when the text parsed and uses neither keyword."""
        return self.refused is None and self.error is None


def normalise(text: str) -> str:
    r"""Turn each carriage return not followed by a line feed into a line feed.

    >>> normalise("ASK {} # c\rSERVICE")
    'ASK {} # c\nSERVICE'
    """
    return _LONE_CR.sub("\n", text)


def cannot_reach_out(text: str) -> bool:
    r"""True when ``text`` cannot name SERVICE or LOAD in any spelling, so that parsing it can decide nothing.

    A keyword is matched whatever its case; a backslash (a ``\u`` escape, which the SPARQL grammar
    expands before parsing, or an escape in a prefixed name) or a carriage return makes the answer False.
    Only for texts the server writes itself: a client's text is always parsed (:func:`check`).

    >>> cannot_reach_out("SELECT ?o WHERE { <https://w3id.org/inviolable/id/state/ecuador> ?p ?o }")
    True
    >>> cannot_reach_out("SELECT * { <urn:a> <urn:services> ?o }"), cannot_reach_out("SELECT * { ?s ?p '\\u0053' }")
    (False, False)
    """
    lowered = text.lower()
    return "service" not in lowered and "load" not in lowered and "\\" not in text and "\r" not in text


def outbound(tree: object) -> str | None:
    """Return ``SERVICE`` or ``LOAD`` when a parse tree or algebra holds such a node, else None."""
    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        name = getattr(node, "name", None)
        if isinstance(name, str) and name in OUTBOUND:
            return OUTBOUND[name]
        if isinstance(node, Mapping):
            stack.extend(dict.values(node) if isinstance(node, dict) else node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "asList") and not isinstance(node, str):
            stack.extend(list(node))
        elif hasattr(node, "algebra"):
            stack.append(node.algebra)
    return None


def _predeclared(prologues: object) -> dict[str, str]:
    """The project's prefixes, less those whose name or namespace the text declares itself.

    rdflib keeps one prefix per namespace and binds the predeclared ones again for each operation of an
    update, which would unbind a text's own prefix for the same namespace (``dc:`` beside ``dct:``).
    """
    names, namespaces = set(), set()
    for prologue in prologues if isinstance(prologues, list | tuple) or hasattr(prologues, "asList") else ():
        for declaration in prologue if prologue is not None else ():
            if getattr(declaration, "name", None) == "PrefixDecl":
                names.add(str(declaration.get("prefix") or ""))
                namespaces.add(str(declaration.get("iri")))
    return {name: iri for name, iri in PREFIXES.items() if name not in names and iri not in namespaces}


def _message(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] if text else type(error).__name__


_CACHED_CHARS = 16_384
_CACHE_SIZE = 1024
_cache: OrderedDict[tuple[str, str, str | None], Verdict] = OrderedDict()
_cache_lock = threading.Lock()


def _fresh_lock() -> None:
    # A worker forked while another thread held the lock would otherwise start with it held forever.
    global _cache_lock
    _cache_lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock)


def _keep(key: tuple[str, str, str | None], verdict: Verdict) -> None:
    with _cache_lock:
        _cache[key] = verdict
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def warm_up() -> None:
    """Parse once in this process, so that processes forked from it inherit a parser ready to use.

    pyparsing prepares its grammar on first use, which costs a fresh worker about ten times a small parse.
    """
    _check("ASK { ?s ?p ?o }", "query", None)
    _check("INSERT DATA { <urn:a> <urn:b> 1 }", "update", None)


def remember_runnable(text: str, kind: str = "query", base_iri: str | None = None) -> None:
    """Record that a worker found ``text`` runnable, so that workers forked later need not parse it again.

    The web process calls this when a worker has answered a query; fresh workers inherit the record.
    """
    if len(text) <= _CACHED_CHARS:
        _keep((text, kind, base_iri), Verdict(normalise(text)))


def check(text: str, kind: str = "query", base_iri: str | None = None) -> Verdict:
    """Parse a query or update with rdflib and decide whether it may run.

    The project's prefixes (:data:`graph.namespaces.PREFIXES`) are predeclared, as for the engine.

    :param kind: ``"query"`` or ``"update"``.

    >>> check("PREFIX : <http://127.0.0.1:9/a#> SELECT * { SERVICE:x { ?s ?p ?o } }").runnable
    False
    >>> check('SELECT * { ?s ?p "x"@service }').runnable
    True
    >>> check("SELECT * { ?s ?p ?o # c\\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\\n }").refused
    'SERVICE'
    """
    if len(text) > _CACHED_CHARS:
        return _check(text, kind, base_iri)
    key = (text, kind, base_iri)
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    verdict = _check(text, kind, base_iri)
    _keep(key, verdict)
    return verdict


def _check(text: str, kind: str, base_iri: str | None) -> Verdict:
    text = normalise(text)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    try:
        if kind == "update":
            tree = parseUpdate(text)
            found = outbound(tree)
            algebra: object = translateUpdate(tree, base=base_iri, initNs=_predeclared(tree.prologue))
        else:
            tree = parseQuery(text)
            found = outbound(tree)
            algebra = translateQuery(tree, base=base_iri, initNs=_predeclared([tree[0]]))
    except RecursionError:
        return Verdict(text, error="the request is nested too deeply for the SPARQL parser")
    except Exception as error:  # noqa: BLE001 - whatever the parser cannot read is refused, never run
        return Verdict(text, error=_message(error))
    found = found or outbound(algebra)
    return Verdict(text, refused=found)
