"""The one interface through which build, validation and the server reach the graph.

``OxigraphStore`` is the embedded default. Another engine that speaks SPARQL 1.1 Query,
Update and the Graph Store Protocol can stand behind the same methods.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

from graph.delta import delta_update, term_function
from graph.layout import current_generation

_PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
#: The file beside a built store's Oxigraph directory recording what it was built from.
BUILD_INFO = "build.json"


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean


class GraphStore(Protocol):
    """What build, validate and serve need from a quad store.

    In ``default_graphs``, ``""`` names the store's default graph. ``timeout`` is a deadline in seconds.
    An engine that can stop a running query (the remote engine) enforces it and raises
    :class:`TimeoutError`; the embedded engine cannot cancel a query in its own process, so the server
    runs its queries in worker processes that are killed at the deadline (``server/pool.py``).
    """

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, union_default: bool = True,
              prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              timeout: float | None = None) -> QueryResult:
        ...

    def update(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
               timeout: float | None = None) -> None:
        ...

    def load(self, data: bytes | str | IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        ...

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        ...

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        ...

    def graph_names(self) -> list[str]:
        ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        ...

    def apply_delta(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        ...

    def version(self) -> str:
        ...

    def reopen(self) -> GraphStore:
        ...


class OxigraphStore:
    """A pyoxigraph store, on disk when given a path, in memory otherwise.

    >>> store = OxigraphStore()
    >>> store.load(b'<http://e/s> <http://e/p> "o" .', format=ox.RdfFormat.N_TRIPLES, graph="http://e/g")
    >>> bool(store.query("ASK { ?s ?p 'o' }"))
    True
    >>> store.graph_names()
    ['http://e/g']
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            self._store = ox.Store(str(path))
        self._opened = uuid.uuid4().hex[:12]
        self._changes = 0

    def reopen(self) -> OxigraphStore:
        """A store over the same data for another process (a query worker): the same in-memory
        object (inherited by ``fork``), or the directory opened again read-only."""
        return self if self.path is None else OxigraphStore(self.path, read_only=True)

    def _changed(self) -> None:
        self._changes += 1

    def version(self) -> str:
        """An opaque token that changes with every change committed through this object.

        It is new each time the store is opened, so a cache keyed on it never outlives a restart.
        """
        return f"{self._opened}-{self._changes}"

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, union_default: bool = True,
              prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              timeout: float | None = None) -> QueryResult:
        """Evaluate a SPARQL query.

        The default graph is the union of all graphs when ``union_default`` (unless
        ``default_graphs`` are given), the store's own default graph otherwise, or the query's FROM
        clauses when ``union_default`` is False and the query has them.

        :param prefixes: prefix declarations the query may use without declaring them.
        :param timeout: not enforced here (an embedded query cannot be cancelled): see :class:`GraphStore`.
        :raises SyntaxError: when the query does not parse.
        """
        options: dict = {"prefixes": prefixes} if prefixes else {}
        if base_iri:
            options["base_iri"] = base_iri
        if default_graphs:
            # "" names the store's own default graph (no IRI is empty), as server.graphs uses it.
            options["default_graph"] = [ox.DefaultGraph() if g == "" else ox.NamedNode(g) for g in default_graphs]
            # A dataset given by default graphs alone has no named graphs (SPARQL 1.1 Protocol).
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
        elif named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
            options["default_graph"] = []
        elif union_default:
            options["use_default_graph_as_union"] = True
        return self._store.query(sparql, **options)

    def update(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
               timeout: float | None = None) -> None:
        """Apply a SPARQL update, in one transaction.

        :param timeout: not enforced here: see :class:`GraphStore`.
        :raises SyntaxError: when the update does not parse.
        """
        options: dict = {"prefixes": prefixes} if prefixes else {}
        if base_iri:
            options["base_iri"] = base_iri
        self._store.update(sparql, **options)
        self._changed()

    def apply_delta(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        """Remove ``removed`` then add ``added``, as one storage transaction: all of it or none of it
        is in the store afterwards, even after a crash. Blank nodes keep their identity.

        :raises OSError: when the store cannot be written; nothing is applied then.
        """
        text, terms = delta_update(removed, added)
        if not text:
            return
        self._store.update(text, custom_functions=term_function(terms))
        self._changed()
        self.flush()

    def load(self, data: bytes | str | IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Add RDF to the store, in one transaction, triples going into ``graph`` (the default graph if None)."""
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.load(data, format=format, to_graph=target if not format.supports_datasets else None)
        self._changed()

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads at once, without a transaction (build uses it on a fresh store, swapped in
        only once complete)."""
        self._store.bulk_extend(quads)
        self._changed()

    #: The former name of :meth:`bulk_load`, still used by the build and benchmarks.
    bulk_load_quads = bulk_load

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        """Serialise the whole dataset, or one graph when ``graph`` is given."""
        options = {"prefixes": prefixes} if prefixes and format in _PREFIXED_FORMATS else {}
        if graph is None:
            self._store.dump(output, format=format, **options)
        else:
            self._store.dump(output, format=format, from_graph=ox.NamedNode(graph), **options)

    def graph_names(self) -> list[str]:
        """Names of the named graphs holding data, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the store, or of one graph."""
        name = ox.NamedNode(graph) if graph else None
        return iter(self._store.quads_for_pattern(None, None, None, name))

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        """Make everything written so far durable on disk."""
        if self.path is not None:
            self._store.flush()

    def snapshot(self, directory: Path) -> None:
        """Write a consistent copy of an on-disk store into ``directory`` (hard links: cheap).

        The copy's files stay in place whatever the store compacts later, so readers that open the
        copy read-only never find a file gone.
        """
        self._store.backup(str(directory))


def store_directory(path: Path) -> Path:
    """Where the Oxigraph files of a built store at ``path`` live (its current generation)."""
    return current_generation(path) / "oxigraph"


def open_built_store(path: Path, *, read_only: bool = True) -> OxigraphStore:
    """Open a store made by ``inviolable build``.

    :raises FileNotFoundError: when nothing was built at ``path``.
    """
    directory = store_directory(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"no store at {path}: run `inviolable build` first")
    return OxigraphStore(directory, read_only=read_only)


def is_remote(spec: object) -> bool:
    """True when ``spec`` names a remote engine: an ``http://`` or ``https://`` SPARQL query endpoint."""
    return isinstance(spec, str) and spec.startswith(("http://", "https://"))


def open_store(spec: GraphStore | Path | str, *, read_only: bool = True) -> GraphStore:
    """The store named by ``spec``: a store object as is, a remote engine's query endpoint URL
    (its other endpoints and credentials from the settings), or a directory made by ``inviolable build``.

    :raises FileNotFoundError: when nothing was built at the directory.
    :raises ValueError: when a remote engine's settings are incomplete.
    """
    if is_remote(spec):
        from graph.remote_store import RemoteStore

        return RemoteStore.from_settings(str(spec))
    if isinstance(spec, str | Path):
        return open_built_store(Path(spec), read_only=read_only)
    return spec
