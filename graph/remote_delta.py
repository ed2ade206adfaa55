"""The text of one change on the remote engine: a delta, the version bump, the register of graphs.

Everything a change does is ONE ``DELETE {…} INSERT {…} WHERE {…}`` operation: Virtuoso runs a
request in one transaction, but an operation it refuses does not undo the ones before it.

>>> s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
>>> text = delta_operation([], [ox.Quad(s, p, ox.Literal("o"))], version="v1")
>>> 'GRAPH <urn:inviolable:default-graph> { <http://e/s> <http://e/p> "o" . }' in text
True
>>> text.count("DELETE {"), text.count("INSERT {"), text.count("} ;")
(1, 1, 0)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

#: The graph holding the store's register (its graphs, its version); never part of a query's dataset.
REGISTER = "urn:inviolable:store"
#: The engine graph that stands for the dataset's default graph.
DEFAULT_GRAPH = "urn:inviolable:default-graph"
_STORE, _HOLDS, _VERSION = f"<{REGISTER}>", "<urn:inviolable:holds>", "<urn:inviolable:version>"
_COMPUTED = ("http://www.w3.org/2001/XMLSchema#duration",)
_STORED_BNODE = re.compile(r"^vb(\d+)$")
_CURRENT = f"GRAPH <{REGISTER}> {{ {_STORE} {_VERSION} ?version }}"
# Exactly one row, ?version bound to the current version if there is one (Virtuoso gives no row
# for ``VALUES … OPTIONAL {…}`` in an update when the optional part matches nothing).
_ONE_ROW = (f"{{ SELECT (MAX(?stored) AS ?version) WHERE {{ OPTIONAL {{ GRAPH <{REGISTER}> "
            f"{{ {_STORE} {_VERSION} ?stored }} }} }} }}")


def engine_graph(name: str | ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    """The engine's graph IRI for a dataset graph name (the default graph has one of its own).

    :raises ValueError: for a blank-node graph name, which the engine cannot hold.
    """
    if isinstance(name, ox.DefaultGraph) or name == "":  # "" names the default graph in dataset lists
        return DEFAULT_GRAPH
    if isinstance(name, ox.BlankNode):
        raise ValueError("the remote engine cannot hold a graph named by a blank node")
    return name.value if isinstance(name, ox.NamedNode) else name


def from_engine(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    """The dataset graph name for an engine graph IRI."""
    return ox.DefaultGraph() if iri == DEFAULT_GRAPH else ox.NamedNode(iri)


class _Terms:
    """Writes terms for the engine: stored blank nodes by their engine name, fresh ones by label."""

    def __init__(self) -> None:
        self.fresh: dict[str, str] = {}
        self.binds: dict[ox.Literal, str] = {}

    def render(self, term: ox.Term, *, inserting: bool) -> str | None:
        if isinstance(term, ox.Triple):
            raise ValueError("the remote engine does not hold triple terms (RDF 1.2)")
        if isinstance(term, ox.Literal) and term.datatype.value in _COMPUTED:
            # Virtuoso 7 cannot compile such a constant in a template; a variable bound to it can.
            return self.binds.setdefault(term, f"?literal{len(self.binds)}")
        if not isinstance(term, ox.BlankNode):
            return str(term)
        stored = _STORED_BNODE.match(term.value)
        if stored:
            return f"<nodeID://b{stored.group(1)}>"
        if not inserting:
            return None  # a blank node the engine never gave out cannot be in the engine
        return self.fresh.setdefault(term.value, f"_:n{len(self.fresh)}")


def _blocks(quads: Iterable[ox.Quad], terms: _Terms, *, inserting: bool) -> tuple[list[str], set[str]]:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        parts = [terms.render(t, inserting=inserting) for t in (quad.subject, quad.predicate, quad.object)]
        if None in parts:
            continue
        by_graph.setdefault(engine_graph(quad.graph_name), []).append(" ".join(parts) + " .")  # type: ignore[arg-type]
    return [f"GRAPH <{g}> {{ {' '.join(lines)} }}" for g, lines in by_graph.items()], set(by_graph)


def _irremovable(term: ox.Term) -> bool:
    """Literals a Virtuoso 7 delete never matches: WKT geometries and zero durations (measured)."""
    if not isinstance(term, ox.Literal):
        return False
    if term.datatype.value == "http://www.opengis.net/ont/geosparql#wktLiteral":
        return True
    return term.datatype.value == _COMPUTED[0] and not re.search(r"[1-9]", term.value)


def delta_operation(removed: list[ox.Quad], added: list[ox.Quad], *, version: str) -> str:
    """One operation removing ``removed``, adding ``added``, registering the graphs added to and
    writing ``version``; empty when there is nothing to do.

    :raises ValueError: for a triple term, a blank-node graph name, or a literal Virtuoso cannot remove.
    """
    if not removed and not added:
        return ""
    stuck = next((q.object for q in removed if _irremovable(q.object)), None)
    if stuck is not None:
        raise ValueError(f"Virtuoso 7 cannot remove the literal {stuck} (it matches no stored form); "
                         "nothing was applied")
    terms = _Terms()
    deleting, _ = _blocks(removed, terms, inserting=False)
    inserting, graphs = _blocks(added, terms, inserting=True)
    binds = " ".join(f"BIND(STRDT({ox.Literal(literal.value)}, <{literal.datatype.value}>) AS {name})"
                     for literal, name in terms.binds.items())
    return _operation(deleting, inserting, graphs, version, binds)


def version_bump(version: str, *, register: Iterable[str] = ()) -> str:
    """One operation writing ``version`` and registering the graphs ``register``."""
    return _operation([], [], set(register), version)


def _operation(deleting: list[str], inserting: list[str], graphs: set[str], version: str, binds: str = "") -> str:
    register = [f"{_STORE} {_VERSION} {ox.Literal(version)} ."]
    register += [f"{_STORE} {_HOLDS} <{g}> ." for g in sorted(graphs)]
    delete = " ".join([*deleting, _CURRENT])
    insert = " ".join([*inserting, f"GRAPH <{REGISTER}> {{ {' '.join(register)} }}"])
    return (f"DELETE {{ {delete} }}\nINSERT {{ {insert} }}\n"
            f"WHERE {{ {_ONE_ROW} {binds} }}")


def register_exactly(graphs: Iterable[str], version: str) -> str:
    """One operation making ``graphs`` the whole register and writing ``version``."""
    lines = [f"{_STORE} {_VERSION} {ox.Literal(version)} ."] + [f"{_STORE} {_HOLDS} <{g}> ." for g in sorted(graphs)]
    held = f"GRAPH <{REGISTER}> {{ {_STORE} {_HOLDS} ?held }}"
    return (f"DELETE {{ {held} {_CURRENT} }}\nINSERT {{ GRAPH <{REGISTER}> {{ {' '.join(lines)} }} }}\n"
            f"WHERE {{ {_ONE_ROW} OPTIONAL {{ {held} }} }}")


def register_rewritten(graphs: Iterable[str], version: str) -> str:
    """Two operations emptying the register, then writing ``graphs`` and ``version`` as its whole
    content; for a request that runs as one transaction (a build's switch). Unlike
    :func:`register_exactly`, it also fills a register that was never written.

    >>> print(register_rewritten(["http://e/g"], "v2"))  # doctest: +NORMALIZE_WHITESPACE
    DELETE WHERE { GRAPH <urn:inviolable:store> { <urn:inviolable:store> ?property ?value } } ;
    INSERT DATA { GRAPH <urn:inviolable:store> { <urn:inviolable:store> <urn:inviolable:version> "v2" .
    <urn:inviolable:store> <urn:inviolable:holds> <http://e/g> . } }
    """
    lines = [f"{_STORE} {_VERSION} {ox.Literal(version)} ."] + [f"{_STORE} {_HOLDS} <{g}> ." for g in sorted(graphs)]
    return (f"DELETE WHERE {{ GRAPH <{REGISTER}> {{ {_STORE} ?property ?value }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{REGISTER}> {{ {' '.join(lines)} }} }}")
