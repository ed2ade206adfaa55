"""A change to a dataset (quads removed, quads added) written as one SPARQL 1.1 update request.

Quads made only of IRIs and literals go into ``DELETE DATA`` / ``INSERT DATA`` blocks. SPARQL
cannot name a stored blank node (``DELETE DATA`` forbids them, and a blank node label in
``INSERT DATA`` makes a fresh node), so quads holding blank nodes or triple terms are written as
``DELETE {…} INSERT {…} WHERE {…}`` whose variables are bound, row by row, by a term-lookup
function: ``<urn:inviolable:term>(n)`` returns the ``n``-th term of the delta's table. The engine
that runs the text supplies that function (pyoxigraph's ``custom_functions``).

>>> s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
>>> text, terms = delta_update([], [ox.Quad(s, p, ox.Literal("o"))])
>>> text
'INSERT DATA {\\n<http://e/s> <http://e/p> "o" .\\n}'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

TERM_FUNCTION = ox.NamedNode("urn:inviolable:term")
_PLAIN = (ox.NamedNode, ox.Literal)


def is_plain(quad: ox.Quad) -> bool:
    """True when every term of ``quad`` can be written in a ``DATA`` block (no blank node, no triple term)."""
    return (isinstance(quad.subject, _PLAIN) and isinstance(quad.object, _PLAIN)
            and isinstance(quad.graph_name, ox.NamedNode | ox.DefaultGraph))


def data_block(quads: Sequence[ox.Quad]) -> str:
    """The body of a ``DATA`` block holding ``quads`` (default-graph triples first, then one GRAPH per name)."""
    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    named: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            named.setdefault(str(quad.graph_name), []).append(quad)
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in default]
    for name, members in named.items():
        lines.append(f"GRAPH {name} {{")
        lines.extend(f"  {q.subject} {q.predicate} {q.object} ." for q in members)
        lines.append("}")
    return "\n".join(lines)


def _pattern(quads: Sequence[ox.Quad], terms: list[ox.Term], verb: str, *, named: bool) -> str:
    """``verb { template } WHERE { VALUES rows BIND … }`` for quads holding blank nodes, all in
    the default graph or all in named graphs."""
    names = ("s", "p", "o", "g") if named else ("s", "p", "o")
    rows = []
    for quad in quads:
        cells = []
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)[:len(names)]:
            terms.append(term)
            cells.append(str(len(terms) - 1))
        rows.append(f"({' '.join(cells)})")
    template = "GRAPH ?g { ?s ?p ?o }" if named else "?s ?p ?o ."
    heads = " ".join(f"?{v}i" for v in names)
    binds = " ".join(f"BIND({TERM_FUNCTION}(?{v}i) AS ?{v})" for v in names)
    return f"{verb} {{ {template} }} WHERE {{ VALUES ({heads}) {{ {' '.join(rows)} }} {binds} }}"


def delta_update(removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> tuple[str, list[ox.Term]]:
    """One update request that removes ``removed`` and then adds ``added``, and its term table.

    :return: the update text (empty when there is nothing to do) and the terms that
        ``<urn:inviolable:term>(n)`` must return.
    """
    removed, added = list(removed), list(added)
    terms: list[ox.Term] = []
    operations = []
    for verb, quads in (("DELETE", removed), ("INSERT", added)):
        plain = [q for q in quads if is_plain(q)]
        other = [q for q in quads if not is_plain(q)]
        if plain:
            operations.append(f"{verb} DATA {{\n{data_block(plain)}\n}}")
        for named in (False, True):
            group = [q for q in other if isinstance(q.graph_name, ox.DefaultGraph) != named]
            if group:
                operations.append(_pattern(group, terms, verb, named=named))
    return " ;\n".join(operations), terms


def term_function(terms: list[ox.Term]) -> dict[ox.NamedNode, object]:
    """pyoxigraph ``custom_functions`` resolving ``<urn:inviolable:term>(n)`` against ``terms``."""
    def lookup(index: ox.Literal) -> ox.Term:
        return terms[int(index.value)]
    return {TERM_FUNCTION: lookup}
