"""What a query worker process does with one job: run it and hand back finished bytes or terms.

Results are serialised completely inside the worker, against a size limit, before anything is
sent: the web process never starts a response it might have to cut short.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from graph.store import GraphStore
from server.graphs import union_dataset

#: Seconds an engine that enforces deadlines is given beyond the job's (see :func:`execute`).
ENGINE_GRACE = 1.0


class OutputTooLarge(Exception):
    """The serialised result passed the job's byte limit."""


class _BoundedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.size > self.limit:
            raise OutputTooLarge(self.limit)
        self.chunks.append(bytes(data))
        return len(data)


@dataclass(frozen=True)
class QueryJob:
    """A query and everything needed to run it, as sent to a worker.

    :param dataset: ``"union"`` (all graphs as the default graph), ``"query"`` (the query's own FROM)
        or ``"protocol"`` (``default_graphs`` / ``named_graphs`` from the request).
    :param results_media: media type for SELECT/ASK results, or None to return terms.
    :param graph_media: media type for CONSTRUCT/DESCRIBE results, or None to return terms.
    :param timeout: the deadline handed to the engine (the pool also kills the worker at it).
    :param internal: the server wrote the text itself, from a fixed template and IRIs (pages, dossiers,
        summaries); such a text skips rdflib's parse when it cannot name SERVICE or LOAD
        (:func:`server.sparql_check.cannot_reach_out`). Never set for a client's text.
    """

    sparql: str
    dataset: str = "union"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    results_media: str | None = None
    graph_media: str | None = None
    serialize: bool = True
    max_bytes: int = 50_000_000
    timeout: float | None = None
    internal: bool = False


@dataclass(frozen=True)
class Outcome:
    """A finished job: serialised bytes with their media type, or plain Python values (terms)."""

    media_type: str | None = None
    body: bytes = b""
    kind: str = ""
    variables: tuple[str, ...] = ()
    rows: list[Any] = field(default_factory=list)
    boolean: bool | None = None


def _options(job: QueryJob, store: GraphStore) -> dict[str, Any]:
    if job.dataset == "protocol":
        return {"default_graphs": list(job.default_graphs), "named_graphs": list(job.named_graphs)}
    if job.dataset == "union":
        # User graphs (server.graphs) stay out of the union; the fast path when there are none.
        dataset = union_dataset(store.graph_names())
        if dataset is not None:
            return {"default_graphs": dataset[0], "named_graphs": dataset[1]}
    return {"union_default": job.dataset != "query"}


def execute(store: GraphStore, job: QueryJob) -> Outcome:
    """Run one job against a store.

    :raises SyntaxError: when the query does not parse.
    :raises OutputTooLarge: when the serialised result passes ``job.max_bytes``.
    :raises LookupError: when the result's kind has no acceptable format (the caller answers 406).
    :raises TimeoutError: when an engine that enforces deadlines passed ``job.timeout``.
    """
    # The engine gets the deadline with a little grace: the pool, which kills the worker at the
    # deadline itself, answers first with its timeout error, and the engine still stops the work.
    engine_timeout = job.timeout + ENGINE_GRACE if job.timeout is not None else None
    result = store.query(job.sparql, base_iri=job.base_iri, prefixes=PREFIXES, timeout=engine_timeout,
                         **_options(job, store))
    graph = isinstance(result, ox.QueryTriples)
    if not job.serialize:
        if isinstance(result, ox.QueryBoolean):
            return Outcome(kind="boolean", boolean=bool(result))
        if graph:
            return Outcome(kind="triples", rows=[(t.subject, t.predicate, t.object) for t in result])
        variables = tuple(v.value for v in result.variables)
        return Outcome(kind="solutions", variables=variables,
                       rows=[tuple(solution[v] for v in variables) for solution in result])
    media = job.graph_media if graph else job.results_media
    if media is None:
        raise LookupError("graph" if graph else "results")
    bounded = _BoundedBuffer(job.max_bytes)
    # The serialisers make many small writes: a C-level buffer in front keeps them cheap.
    buffer = io.BufferedWriter(bounded, buffer_size=1 << 16)
    if graph:
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            ox.serialize(result, buffer, fmt, prefixes=PREFIXES)
        else:
            result.serialize(buffer, fmt)
    else:
        result.serialize(buffer, ox.QueryResultsFormat.from_media_type(media))
    buffer.flush()
    return Outcome(media_type=media, body=b"".join(bounded.chunks), kind="graph" if graph else "results")
