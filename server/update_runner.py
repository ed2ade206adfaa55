"""Turn a write into a delta (quads removed, quads added) without touching the store.

Two ways, both bounded:

- An update made only of ``INSERT DATA`` / ``DELETE DATA`` operations is read directly: each block
  is parsed on an empty in-memory store, and the delta is checked against the store with one
  query. Its cost is that of the change, whatever the size of the store.
- Any other write (``DELETE/INSERT … WHERE``, ``CLEAR``, ``DROP``, Graph Store requests) runs in a
  forked child process on an in-memory copy of the graphs it may touch, under a deadline. The
  child sends the delta back; at the deadline it is killed, and nothing has changed.

The web process then validates the delta and applies it in one transaction (see :mod:`server.writes`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.store import GraphStore, OxigraphStore
from server.bodies import operations
from server.errors import ApiError
from server.sandbox import confine
from server.snapshots import reader

Mutation = Callable[[ox.Store], None]
Shortcut = Callable[[GraphStore], tuple[list[ox.Quad], list[ox.Quad]] | None]
_PR_SET_PDEATHSIG = 1


@dataclass
class Delta:
    """The net change of a write: quads that leave the store and quads that enter it."""

    removed: list[ox.Quad] = field(default_factory=list)
    added: list[ox.Quad] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)


class UpdateTimeout(ApiError):
    """A write ran past its deadline; its process was killed and the store is unchanged."""

    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"the update ran past its {seconds:g} s deadline and was stopped; "
                              "the store is unchanged", headers={"Retry-After": "1"})


def _net(steps: Iterable[tuple[str, list[ox.Quad]]], present: set[ox.Quad]) -> Delta:
    """The net delta of DATA operations applied in order, given which of their quads are stored."""
    removed: dict[ox.Quad, None] = {}
    added: dict[ox.Quad, None] = {}
    for verb, quads in steps:
        for quad in quads:
            if verb == "INSERT":
                if quad in removed:
                    del removed[quad]
                elif quad not in present:
                    added[quad] = None
            elif quad in added:
                del added[quad]
            elif quad in present:
                removed[quad] = None
    return Delta(list(removed), list(added))


def _values_row(quad: ox.Quad) -> str:
    return f"({quad.subject} {quad.predicate} {quad.object} {quad.graph_name})"


def stored(store: OxigraphStore, quads: list[ox.Quad], *, batch: int = 500) -> set[ox.Quad]:
    """Which of ``quads`` (IRIs and literals only) the store holds, in a few queries."""
    present: set[ox.Quad] = set()
    named = [q for q in quads if isinstance(q.graph_name, ox.NamedNode)]
    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    for start in range(0, len(named), batch):
        rows = " ".join(_values_row(q) for q in named[start:start + batch])
        for row in store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o ?g) {{ {rows} }} "
                               "GRAPH ?g { ?s ?p ?o } }", union_default=False):
            present.add(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
    for start in range(0, len(default), batch):
        rows = " ".join(f"({q.subject} {q.predicate} {q.object})" for q in default[start:start + batch])
        for row in store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} ?s ?p ?o }}",
                               union_default=False):
            present.add(ox.Quad(row["s"], row["p"], row["o"], ox.DefaultGraph()))
    return present


def data_delta(store: OxigraphStore, text: str, *, base_iri: str | None,
               prefixes: dict[str, str]) -> Delta | None:
    """The delta of an update made only of DATA operations, or None when it has other operations.

    :raises SyntaxError: when the update does not parse.
    :raises ApiError: 400 when a ``DELETE DATA`` block holds a blank node.
    """
    parts = operations(text)
    if parts is None:
        return None
    # The whole text first, on an empty store: the engine's own syntax check, messages and positions.
    ox.Store().update(text, base_iri=base_iri, prefixes=prefixes)
    steps: list[tuple[str, list[ox.Quad]]] = []
    for verb, prologue, block in parts:
        scratch = ox.Store()
        scratch.update(f"{prologue}\nINSERT DATA {block}", base_iri=base_iri, prefixes=prefixes)
        quads = list(scratch)
        if verb == "DELETE" and any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
            raise ApiError(400, "DELETE DATA cannot name blank nodes; use DELETE WHERE with a pattern")
        steps.append((verb, quads))
    candidates = list({q for _, quads in steps for q in quads if not _has_blank(q)})
    return _net(steps, stored(store, candidates))


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(connection: multiprocessing.connection.Connection, store: OxigraphStore, mutate: Mutation,
           graphs: list[str] | None, shortcut: Shortcut | None = None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # No network for the engine running the update (a LOAD that got past the parser connects nowhere).
    # A remote engine's copy is read over the network first; the mutation then runs confined.
    remote = not isinstance(store, OxigraphStore)
    if not remote:
        confine(keep={connection.fileno()})
    try:
        view = reader(store)
        found = shortcut(view) if shortcut is not None else None
        if found is not None:
            connection.send(("ok", found))
            connection.close()
            os._exit(0)
        if graphs is None:
            before = set(view.quads())
        else:
            before = {q for graph in graphs for q in view.quads(graph)}
        if remote:
            confine(keep={connection.fileno()})
        scratch = ox.Store()
        scratch.bulk_extend(before)
        mutate(scratch)
        after = set(scratch) if graphs is None else {
            q for graph in graphs for q in scratch.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
        reply: tuple[str, object] = ("ok", (list(before - after), list(after - before)))
    except SyntaxError as error:
        reply = ("syntax", str(error))
    except ApiError as error:
        reply = ("api", (error.status, error.message))
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        reply = ("error", f"{type(error).__name__}: {error}")
    connection.send(reply)
    connection.close()
    os._exit(0)


def run_mutation(store: OxigraphStore, mutate: Mutation, *, timeout: float,
                 graphs: list[str] | None = None, shortcut: Shortcut | None = None) -> Delta:
    """Run ``mutate`` on an in-memory copy of the store in a child process, and return the delta.

    :param graphs: when given, only these named graphs are copied (the mutation touches no other).
    :param shortcut: tried first on the store, in the child: the delta computed without a copy, or None.
    :raises UpdateTimeout: when the child passes ``timeout`` seconds (it is killed).
    :raises SyntaxError: when the mutation is an update that does not parse.
    :raises ApiError: 400 when the mutation fails on its input, 500 when the child dies.
    """
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, store, mutate, graphs, shortcut), daemon=True,
                              name="inviolable-update")
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise UpdateTimeout(timeout)
        status, payload = parent.recv()
    except (EOFError, OSError) as error:
        raise ApiError(500, f"the update process stopped unexpectedly ({type(error).__name__})") from error
    finally:
        if process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=5)
        parent.close()
    if status == "ok":
        removed, added = payload  # type: ignore[misc]
        return Delta(removed, added)
    if status == "syntax":
        raise SyntaxError(payload)
    if status == "api":
        code, message = payload  # type: ignore[misc]
        raise ApiError(code, message)
    raise ApiError(400, f"the write failed: {payload}")
