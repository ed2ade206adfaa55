"""The one interface through which build, validation and the server reach the graph.

``OxigraphStore`` is the embedded default. Another engine that speaks SPARQL 1.1 Query,
Update and the Graph Store Protocol can stand behind the same methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

_PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


class GraphStore(Protocol):
    """What build, validate and serve need from a quad store."""

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, prefixes: dict[str, str] | None = None,
              ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        ...

    def update(self, sparql: str) -> None:
        ...

    def load(self, data: bytes | str | IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        ...

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        ...

    def graph_names(self) -> list[str]:
        ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
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
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            self._store = ox.Store(str(path))

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store itself, for callers that need its full API."""
        return self._store

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, prefixes: dict[str, str] | None = None,
              ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Evaluate a SPARQL query; the default graph is the union of all graphs unless given.

        :param prefixes: prefix declarations the query may use without declaring them.
        :raises SyntaxError: when the query does not parse.
        """
        options: dict = {"prefixes": prefixes} if prefixes else {}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **options)

    def update(self, sparql: str) -> None:
        """Apply a SPARQL update.

        :raises SyntaxError: when the update does not parse.
        """
        self._store.update(sparql)

    def load(self, data: bytes | str | IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Add RDF to the store, triples going into ``graph`` (the default graph if None)."""
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.load(data, format=format, to_graph=target if not format.supports_datasets else None)

    def bulk_load_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads at once, bypassing transactions (used by build on a fresh store)."""
        self._store.bulk_extend(quads)

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


def store_directory(path: Path) -> Path:
    """Where the Oxigraph files of a built store at ``path`` live."""
    return path / "oxigraph"


def open_built_store(path: Path, *, read_only: bool = True) -> OxigraphStore:
    """Open a store made by ``inviolable build``.

    :raises FileNotFoundError: when nothing was built at ``path``.
    """
    directory = store_directory(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"no store at {path}: run `inviolable build` first")
    return OxigraphStore(directory, read_only=read_only)
