"""The delta of one ``DELETE/INSERT … WHERE`` operation, computed by queries instead of a copy of the store.

``[WITH <g>] DELETE { D } INSERT { I } WHERE { W }`` (either template may be missing) and
``DELETE WHERE { P }`` are evaluated in three steps, none of which changes the store:

1. ``SELECT * WHERE { W }`` on the store gives the solutions;
2. the templates are instantiated by the engine itself, on empty in-memory stores:
   ``[WITH <g>] INSERT { D } WHERE { VALUES (…) { rows } }`` (and the same for ``I``), so template
   semantics (graphs, unbound variables, fresh blank nodes) are exactly the engine's;
3. the instances of ``D`` the store holds are removed, those of ``I`` it does not hold are added.

The cost follows the solutions, not the size of the store. Anything else (several operations,
``USING``, solutions binding blank nodes, very many solutions) returns None, and the caller falls
back to running the update on a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.store import GraphStore
from server.bodies import tokens

MAX_SOLUTIONS = 50_000


@dataclass(frozen=True)
class Modify:
    """One modify operation, as texts: prologue, ``WITH`` graph, templates and the ``WHERE`` group."""

    prologue: str
    with_graph: str | None
    delete: str | None
    insert: str | None
    where: str


def parse_modify(update: str) -> Modify | None:
    """Split an update that is exactly one modify operation; None for anything else.

    >>> parse_modify("PREFIX e: <http://e/> DELETE { ?s e:p ?o } INSERT { ?s e:q ?o } WHERE { ?s e:p ?o }")
    Modify(prologue='PREFIX e: <http://e/>', with_graph=None, delete='{ ?s e:p ?o }', insert='{ ?s e:q ?o }', \
where='{ ?s e:p ?o }')
    >>> parse_modify("DELETE WHERE { ?s ?p 1 }").delete
    '{ ?s ?p 1 }'
    >>> parse_modify("INSERT DATA { <a:b> <a:c> 1 }") is None, parse_modify("CLEAR ALL") is None
    (True, True)
    """
    prologue: list[str] = []
    parts: dict[str, str] = {}
    with_graph = None
    state, slot, start = "start", "", 0
    for kind, text, offset, depth in tokens(update):
        if kind in ("space", "comment"):
            continue
        if state == "block":
            if kind == "close" and depth == 0:
                if slot in parts:
                    return None
                parts[slot] = update[start:offset + len(text)]
                state = "done" if slot in ("where", "delete-where") else "start"
            continue
        word = text.upper() if kind == "word" else None
        if state == "prologue":
            if kind == "iri":
                prologue.append(update[start:offset + len(text)])
                state = "start"
        elif state == "with":
            if kind != "iri":
                return None
            with_graph, state = text[1:-1], "start"
        elif state in ("delete", "insert", "where", "delete-where"):
            if state == "delete" and word == "WHERE" and not parts:
                state = "delete-where"
            elif kind == "open" and text == "{":
                slot, start, state = state, offset, "block"
            else:
                return None
        elif state == "done":
            if kind != "semicolon":
                return None
        elif word in ("PREFIX", "BASE") and not parts:
            state, start = "prologue", offset
        elif word == "WITH" and not parts and with_graph is None:
            state = "with"
        elif word in ("DELETE", "INSERT", "WHERE"):
            state = word.lower()
        else:
            return None
    if state != "done":
        return None
    if "delete-where" in parts:
        if with_graph is not None or len(parts) > 1:
            return None
        return Modify(" ".join(prologue), None, parts["delete-where"], None, parts["delete-where"])
    if "where" not in parts or not (parts.keys() & {"delete", "insert"}):
        return None
    return Modify(" ".join(prologue), with_graph, parts.get("delete"), parts.get("insert"), parts["where"])


def _cell(term: ox.Term | None) -> str | None:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    return None


def _instances(modify: Modify, template: str, variables: list[str], rows: list[str], *,
               base_iri: str | None, prefixes: dict[str, str]) -> set[ox.Quad]:
    scratch = ox.Store()
    head = " ".join(f"?{name}" for name in variables)
    with_clause = f"WITH <{modify.with_graph}> " if modify.with_graph else ""
    values = f"VALUES ({head}) {{ {' '.join(rows)} }}"
    scratch.update(f"{modify.prologue}\n{with_clause}INSERT {template} WHERE {{ {values} }}",
                   base_iri=base_iri, prefixes=prefixes)
    return set(scratch)


def modify_delta(store: GraphStore, modify: Modify, *, base_iri: str | None,
                 prefixes: dict[str, str]) -> tuple[list[ox.Quad], list[ox.Quad]] | None:
    """The quads the operation removes and adds, or None when it cannot be computed this way.

    :raises SyntaxError: when a part does not parse.
    """
    from server.update_runner import stored

    options = {"default_graphs": [modify.with_graph]} if modify.with_graph else {"union_default": False}
    solutions = store.query(f"{modify.prologue}\nSELECT * WHERE {modify.where}", base_iri=base_iri,
                            prefixes=prefixes, **options)
    variables = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        cells = [_cell(solution[name]) for name in variables]
        if any(cell is None for cell in cells) or len(rows) >= MAX_SOLUTIONS:
            return None
        rows.append(f"({' '.join(cells)})")  # type: ignore[arg-type]
    if not rows:
        return [], []
    doomed = _instances(modify, modify.delete, variables, rows, base_iri=base_iri,
                        prefixes=prefixes) if modify.delete else set()
    born = _instances(modify, modify.insert, variables, rows, base_iri=base_iri,
                      prefixes=prefixes) if modify.insert else set()
    candidates = [q for q in doomed | born if not isinstance(q.subject, ox.BlankNode)
                  and not isinstance(q.object, ox.BlankNode)]
    present = stored(store, candidates)  # type: ignore[arg-type]
    removed = [q for q in doomed if q in present and q not in born]
    added = [q for q in born if q not in present]
    return removed, added


def shortcut_for(update: str, *, base_iri: str | None,
                 prefixes: dict[str, str]):  # type: ignore[no-untyped-def]
    """A function computing the update's delta from a store by queries, or None when the update is not
    one modify operation. The function first runs the whole text on an empty store, so that syntax
    errors carry the engine's own message and position.
    """
    modify = parse_modify(update)
    if modify is None:
        return None

    def compute(store: GraphStore) -> tuple[list[ox.Quad], list[ox.Quad]] | None:
        ox.Store().update(update, base_iri=base_iri, prefixes=prefixes)
        return modify_delta(store, modify, base_iri=base_iri, prefixes=prefixes)

    return compute
