"""A :class:`graph.store.GraphStore` over the standards: SPARQL 1.1 Query, SPARQL 1.1 Update and
the Graph Store HTTP Protocol, with authentication. Tested against Virtuoso Open Source.

How the dataset maps onto the engine:

- The engine holds other graphs than ours (Virtuoso keeps its own system graphs), so the store
  keeps a register of its graphs in the graph ``urn:inviolable:store``, with the store's version
  token, and every query gets its dataset explicitly (``default-graph-uri`` / ``named-graph-uri``).
- The default graph is the graph ``urn:inviolable:default-graph`` on the engine.
- Blank nodes read from the engine are named ``vb…`` after Virtuoso's ``nodeID://b…``; a delta
  that removes or reuses one names it back, so a stored blank node can be removed exactly.
- Literals Virtuoso rewrites (booleans, durations, WKT) are restored on reading (:mod:`graph.remote_literals`).
- A delta is ONE ``DELETE {…} INSERT {…} WHERE {…}`` operation, with the version bump and the
  register update in the same operation: Virtuoso runs a request in one transaction, but an
  operation it refuses does not undo the operations before it in the request, so a change that
  may be refused is a single operation.

Deadlines: every request has a client-side deadline; queries also pass it to the engine
(Virtuoso's ``timeout`` parameter, in milliseconds). A result the engine marks as partial is an
error (:mod:`graph.remote_http`), never a truncated success.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox

from graph.config import RemoteSettings, settings
from graph.remote_delta import DEFAULT_GRAPH, REGISTER, delta_operation, engine_graph, from_engine, version_bump
from graph.remote_http import Client, RemoteError, ResultCut, form
from graph.remote_literals import restore_json, restore_term
from graph.sparql_dataset import ask_as_select, has_dataset_clause, outbound_keyword

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
_BNODE_JSON = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")(?:nodeID://|_:)?')
_EMPTY = "urn:inviolable:empty-graph"  # names no graph: a dataset part that must be empty
_STORE, _HOLDS, _VERSION = "urn:inviolable:store", "urn:inviolable:holds", "urn:inviolable:version"
QueryResult = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean


class RemoteStore:
    """A remote engine's dataset.

    :param query_url: the SPARQL query endpoint (read anonymously).
    :param update_url: the SPARQL update endpoint (authenticated); Virtuoso: ``…/sparql-auth``.
    :param graph_store_url: the Graph Store endpoint (authenticated); Virtuoso: ``…/sparql-graph-crud-auth``.
    :param timeout: deadline in seconds for requests that are given none (loads, dumps, updates).
    :param max_rows: rows at which the engine cuts an HTTP result without saying so (Virtuoso 7: 1,048,576
        whatever its ini says); a result that reaches it is refused (:class:`graph.remote_http.ResultCut`),
        and :meth:`quads` reads a graph that large in pages.
    """

    def __init__(self, query_url: str, *, update_url: str | None = None, graph_store_url: str | None = None,
                 user: str | None = None, password: str | None = None, isql: str | None = None,
                 load_dir: str | None = None, timeout: float = 300.0, max_rows: int = 1_048_576) -> None:
        sibling = query_url.rstrip("/")
        if sibling.endswith("/sparql"):
            update_url = update_url or sibling + "-auth"
            graph_store_url = graph_store_url or sibling + "-graph-crud-auth"
        self.query_url, self.update_url, self.graph_store_url = query_url, update_url, graph_store_url
        self.user, self.password, self.isql, self.load_dir = user, password, isql, load_dir
        self.timeout = timeout
        self.max_rows = max_rows
        #: Deadline of the small reads (version, graph names) the web process makes per request.
        self.metadata_timeout = min(timeout, 10.0)
        self._client = Client(user=user, password=password)

    @classmethod
    def from_settings(cls, query_url: str, remote: RemoteSettings | None = None) -> RemoteStore:
        """The store at ``query_url`` with the endpoints and credentials of the ``INVIOLABLE_REMOTE_*`` settings."""
        remote = remote or settings().remote
        return cls(query_url, update_url=remote.update_url, graph_store_url=remote.graph_store_url,
                   user=remote.user, password=remote.password, isql=remote.isql,
                   load_dir=str(remote.load_dir) if remote.load_dir else None, max_rows=remote.max_rows)

    def reopen(self) -> RemoteStore:
        """The same engine with a fresh HTTP client (for a forked query worker)."""
        twin = RemoteStore(self.query_url, update_url=self.update_url, graph_store_url=self.graph_store_url,
                           user=self.user, password=self.password, isql=self.isql, load_dir=self.load_dir,
                           timeout=self.timeout, max_rows=self.max_rows)
        twin.metadata_timeout = self.metadata_timeout
        return twin

    # -- reading -------------------------------------------------------------------------------

    def _select(self, sparql: str, *, params: list[tuple[str, str]] | None = None,
                timeout: float | None = None) -> ox.QuerySolutions | ox.QueryBoolean:
        body, headers = form([("query", sparql), *(params or [])])
        reply = self._client.request("POST", self.query_url, body=body, headers={**headers, "Accept": JSON},
                                     timeout=timeout or self.metadata_timeout)
        return self._whole(reply.body)

    def _whole(self, body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        """The engine's SPARQL JSON results, unless they reach :attr:`max_rows` (then cut, maybe).

        :raises ResultCut: when they do.
        """
        # A solution takes at least two bytes ("{}"): a shorter body cannot hold max_rows of them.
        if len(body) >= 2 * self.max_rows and sum(1 for _ in _solutions(body)) >= self.max_rows:  # type: ignore[arg-type]
            raise ResultCut(self.max_rows)
        return _solutions(body)

    def _registered(self) -> list[str]:
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{REGISTER}> {{ <{_STORE}> <{_HOLDS}> ?g }} }}")
        return sorted(row["g"].value for row in rows)  # type: ignore[union-attr]

    def _dataset(self, sparql: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
                 union_default: bool) -> list[tuple[str, str]]:
        if default_graphs or named_graphs:
            defaults = [engine_graph(g) for g in default_graphs or []] or [_EMPTY]
            named = [engine_graph(g) for g in named_graphs or []] or [_EMPTY]
        elif not union_default and has_dataset_clause(sparql):
            return []
        else:
            registered = self._registered()
            named = [g for g in registered if g != DEFAULT_GRAPH] or [_EMPTY]
            defaults = ([*registered] if union_default else [DEFAULT_GRAPH]) or [_EMPTY]
        return [("default-graph-uri", g) for g in defaults] + [("named-graph-uri", g) for g in named]

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, union_default: bool = True,
              prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              timeout: float | None = None) -> QueryResult:
        """Evaluate a query on the engine; the same dataset rules as :meth:`graph.store.OxigraphStore.query`.

        The query is parsed here first (pyoxigraph, on an empty dataset), so syntax errors read the
        same for both engines and the result's kind is known before the engine is asked.

        :raises SyntaxError: when the query does not parse, here or on the engine.
        :raises ValueError: for SERVICE (refused before anything is sent).
        :raises TimeoutError: when ``timeout`` passes, on this side or the engine's.
        :raises RemoteError: when the engine fails.
        """
        _refuse_outbound(sparql)
        kind = ox.Store().query(sparql, prefixes=prefixes, base_iri=base_iri)
        text = _preamble(prefixes, base_iri) + sparql
        params = self._dataset(sparql, default_graphs, named_graphs, union_default)
        if timeout is not None:
            params.append(("timeout", str(max(1, int(timeout * 1000)))))
        graph, boolean = isinstance(kind, ox.QueryTriples), isinstance(kind, ox.QueryBoolean)
        if boolean:
            text = _preamble(prefixes, base_iri) + ask_as_select(sparql)
        body, headers = form([("query", text), *params])
        try:
            reply = self._client.request("POST", self.query_url, body=body, timeout=timeout or self.timeout,
                                         headers={**headers, "Accept": NTRIPLES if graph else JSON})
        except RemoteError as error:
            if error.status == 400:
                raise SyntaxError(f"the engine refused the query: {error}") from error
            raise
        if graph:
            try:
                triples = list(ox.parse(reply.body, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as error:
                raise RemoteError(f"the engine's answer is not N-Triples: {error}") from error
            # Virtuoso cuts a CONSTRUCT's triples at its limit too, and says nothing (no header).
            if len(triples) >= self.max_rows:
                raise ResultCut(self.max_rows)
            return _as_query_triples(triples)
        if boolean:
            solutions = _solutions(reply.body)
            found = next(iter(solutions), None) is not None  # type: ignore[arg-type]
            return ox.Store().query("ASK {}" if found else "ASK { FILTER(false) }")  # type: ignore[return-value]
        return self._whole(reply.body)

    def graph_names(self) -> list[str]:
        """Names of the registered named graphs holding data, sorted."""
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{REGISTER}> {{ <{_STORE}> <{_HOLDS}> ?g }} "
                            f"FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
        return sorted(n for n in (row["g"].value for row in rows) if n != DEFAULT_GRAPH)  # type: ignore[union-attr]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the store (the default graph's as :class:`pyoxigraph.DefaultGraph`), or of one graph."""
        names = [engine_graph(graph)] if graph else self._registered()
        if not names:
            return iter(())
        values = " ".join(f"<{n}>" for n in names)
        try:
            rows = self._select(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                                timeout=self.timeout)
        except ResultCut:
            return (quad for name in names for quad in self._paged_quads(name))
        return (ox.Quad(row["s"], row["p"], row["o"], from_engine(row["g"].value))  # type: ignore[arg-type,union-attr]
                for row in rows)

    def _paged_quads(self, name: str) -> Iterator[ox.Quad]:
        """One engine graph's quads in pages of half :attr:`max_rows`, in a fixed order.

        Each page is a sort of the whole graph on the engine (Virtuoso: raise ``MaxSortedTopRows``
        above the graph's size); the pages are consistent when no write comes between them.
        """
        page, offset, graph = max(1, self.max_rows // 2), 0, from_engine(name)
        while True:
            rows = list(self._select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
                                     f"LIMIT {page} OFFSET {offset}", timeout=self.timeout))  # type: ignore[arg-type]
            yield from (ox.Quad(row["s"], row["p"], row["o"], graph) for row in rows)  # type: ignore[arg-type]
            if len(rows) < page:
                return
            offset += page

    def __len__(self) -> int:
        names = self._registered()
        if not names:
            return 0
        values = " ".join(f"<{n}>" for n in names)
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                            timeout=self.timeout)
        return int(next(iter(rows))["n"].value)  # type: ignore[union-attr,call-overload]

    def version(self) -> str:
        """The version token written with the last change (``"0"`` for a store never written)."""
        rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{REGISTER}> {{ <{_STORE}> <{_VERSION}> ?v }} }}")
        return "+".join(sorted(row["v"].value for row in rows)) or "0"  # type: ignore[union-attr]

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        """Serialise the dataset (or one graph) as the embedded engine does."""
        options = {"prefixes": prefixes} if prefixes and format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        items: list = list(self.quads(graph))
        if graph is not None or not format.supports_datasets:
            items = [ox.Triple(q.subject, q.predicate, q.object) for q in items]
        output.write(ox.serialize(items, format=format, **options))

    def flush(self) -> None:
        """Nothing to do: every change is committed by the engine when its request returns."""

    # -- writing -------------------------------------------------------------------------------

    def _update(self, text: str, *, timeout: float | None = None) -> None:
        if self.update_url is None:
            raise RemoteError("no update endpoint: set INVIOLABLE_REMOTE_UPDATE_URL")
        body, headers = form([("update", text)])
        try:
            self._client.request("POST", self.update_url, body=body, headers={**headers, "Accept": JSON},
                                 authenticated=True, timeout=timeout or self.timeout)
        except RemoteError as error:
            if error.status == 400:
                raise ValueError(f"the engine refused the change, nothing was applied: {error}") from error
            raise

    def apply_delta(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        """Remove ``removed`` then add ``added`` in one operation, hence one engine transaction.

        :raises ValueError: when the engine refuses the change (for example an ill-typed literal,
            or a triple term, which Virtuoso 7 does not store); nothing is applied then.
        :raises RemoteError: when the engine cannot be reached or fails.
        """
        text = delta_operation(list(removed), list(added), version=uuid.uuid4().hex)
        if text:
            self._update(text)

    def update(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
               timeout: float | None = None) -> None:
        """Send a SPARQL update as it is, then bump the version and register the graphs it names.

        Graphs the update fills without naming them (``INSERT { GRAPH ?g … }``) are not registered;
        the server never sends updates this way (its writes are deltas).

        :raises SyntaxError: when the update does not parse.
        """
        _check_update(sparql, prefixes, base_iri)
        self._update(_preamble(prefixes, base_iri) + sparql, timeout=timeout)
        named = sorted(set(re.findall(r"(?:GRAPH|INTO|TO|WITH)\s*<([^<>\s]+)>", sparql, flags=re.IGNORECASE)))
        self._update(version_bump(uuid.uuid4().hex, register=named))

    def load(self, data: bytes | str | IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Add RDF in one transaction, triples going into ``graph`` (the default graph if None).

        :raises SyntaxError: when the data does not parse.
        """
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        quads = [q if format.supports_datasets else ox.Quad(q.subject, q.predicate, q.object, target)
                 for q in ox.parse(data, format=format)]
        self.apply_delta([], quads)

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads: through the engine's bulk loader when ``isql`` and ``load_dir`` are set,
        else one Graph Store POST per graph. Not one transaction: use it on graphs nobody reads yet."""
        from graph.remote_load import bulk_load

        bulk_load(self, quads)

    def replace_all(self, quads: Iterable[ox.Quad], *, progress=lambda message: None) -> None:
        """Make ``quads`` the whole dataset: loaded into new graph names, then switched in.

        Until the switch, readers see the previous data; a failed load drops the new graphs and
        leaves the previous data as it was.
        """
        from graph.remote_load import replace_all

        replace_all(self, quads, progress=progress)


def _solutions(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results from the engine, its blank nodes renamed ``vb…`` (``nodeID://b…`` is not a label).

    :raises RemoteError: when the answer is not SPARQL JSON results.
    """
    try:
        return ox.parse_query_results(restore_json(_BNODE_JSON.sub(rb"\1v", body)),
                                      format=ox.QueryResultsFormat.JSON)
    except SyntaxError as error:
        raise RemoteError(f"the engine's answer is not SPARQL JSON results: {error}") from error


def _preamble(prefixes: dict[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{namespace}>" for name, namespace in (prefixes or {}).items()]
    return "\n".join(lines) + "\n" if lines else ""


def _check_update(sparql: str, prefixes: dict[str, str] | None, base_iri: str | None) -> None:
    """Parse an update by running it on an empty dataset, after refusing what would fetch remote data.

    :raises SyntaxError: when it does not parse.
    :raises ValueError: for SERVICE or LOAD.
    """
    _refuse_outbound(sparql)
    ox.Store().update(sparql, prefixes=prefixes, base_iri=base_iri)


def _refuse_outbound(sparql: str) -> None:
    keyword = outbound_keyword(sparql)
    if keyword is not None:
        raise ValueError(f"{keyword} is refused: the store never fetches remote data")


def _as_query_triples(triples: Iterable[ox.Quad]) -> ox.QueryTriples:
    """Triples read from the engine as the QueryTriples the embedded engine returns, blank nodes renamed."""
    holder = ox.Store()
    holder.extend(ox.Quad(*(_renamed(t) for t in (q.subject, q.predicate, q.object))) for q in triples)
    return holder.query("CONSTRUCT WHERE { ?s ?p ?o }")  # type: ignore[return-value]


def _renamed(term: ox.Term) -> ox.Term:
    return ox.BlankNode("v" + term.value) if isinstance(term, ox.BlankNode) else restore_term(term)
