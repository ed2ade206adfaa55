"""Query workers that can be stopped: the server's deadline mechanism.

pyoxigraph cannot cancel a running query, so queries run in forked worker processes. A worker
that passes its deadline is killed and a fresh one forked in its place; the web process and
other clients' queries are unaffected. Workers are also replaced after each write so that they
see the new data.

A query still running after ``slow_after`` seconds is moved to the slow lane: its worker is
given the idle CPU scheduling class (or, where that is refused, the lowest nice level) and a fresh
worker takes its place in the pool, so that a few runaway queries waiting for their deadline
neither hold every worker nor take the CPU from the short queries of other clients. The slow
worker is retired when its query ends.

Each worker is confined when it starts (:mod:`server.sandbox`): no network, a memory cap. It parses
every job with rdflib before running it (:mod:`server.sparql_check`) and refuses SERVICE and LOAD.
A worker whose query exhausts its memory cap dies or says so; the query gets 507 and a fresh worker
takes its place.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from graph.store import GraphStore
from server.errors import ApiError, QueryOutOfMemory, QueryTimeout, ResultTooLarge, SandboxUnavailable
from server.sandbox import Confinement, confine, limit_memory
from server.sparql_check import check, remember_runnable, warm_up
from server.worker import Outcome, OutputTooLarge, QueryJob, execute

# Called in each new worker; returns the store the worker queries.
StoreOpener = Callable[[], GraphStore]
log = logging.getLogger("inviolable.pool")
_PR_SET_PDEATHSIG = 1
_LOWEST_PRIORITY = 19


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass(frozen=True)
class UpdateCheck:
    """A request to a worker to parse an update (without running it) and say whether it may run."""

    sparql: str
    base_iri: str | None = None


def _answer(store: Any, job: QueryJob | UpdateCheck, connection: Connection) -> tuple[str, Any]:
    kind = "update" if isinstance(job, UpdateCheck) else "query"
    verdict = check(job.sparql, kind, job.base_iri)
    if verdict.error is not None:
        return "syntax", verdict.error
    if verdict.refused is not None:
        return "refused", verdict.refused
    if isinstance(job, UpdateCheck):
        return "ok", verdict.text
    # The query parsed: say so, so that the slow-lane clock counts running time only.
    connection.send(("checked", None))
    try:
        return "ok", execute(store, replace(job, sparql=verdict.text))
    except OutputTooLarge:
        return "too-large", job.max_bytes
    except SyntaxError as error:
        return "syntax", str(error)
    except LookupError as error:
        return "not-acceptable", str(error)
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        return "error", f"{type(error).__name__}: {error}"


def _serve(connection: Connection, opener: StoreOpener, sandbox: bool, memory_budget: int | None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    confinement = confine(keep={connection.fileno()}, no_network=sandbox)
    store = opener()
    # The cap is set once the store is open: the budget is the queries', not the store's own mappings.
    if memory_budget:
        confinement = replace(confinement, memory_limit=limit_memory(memory_budget))
    connection.send(("ready", confinement))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply = _answer(store, job, connection)
        except MemoryError:
            connection.send(("memory", None))
            os._exit(1)
        connection.send(reply)


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection,
                 generation: int) -> None:
        self.process = process
        self.connection = connection
        self.generation = generation
        self.slow = False

    def kill(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(timeout=5)
        self.connection.close()


class QueryPool:
    """A fixed number of worker processes answering :class:`QueryJob` s under a deadline.

    :param opener: called in each new worker to get the store it queries.
    :param size: number of workers, hence of queries running at once.
    :param fork_lock: held while forking, so that no write is half-done in the copied process.
    :param slow_after: seconds after which a running query moves to the slow lane.
    :param max_slow: how many slow queries may have a worker of their own beside the pool.
    :param network: leave the workers their network (a remote engine's workers need it); False confines them.
    :param require_sandbox: refuse to start when the workers cannot be confined.
    :param memory_budget: bytes each worker may allocate beyond what it inherits (None: no cap).
    :raises SandboxUnavailable: when ``require_sandbox`` is set and the filter cannot be installed.
    """

    def __init__(self, opener: StoreOpener, *, size: int = 2,
                 fork_lock: threading.RLock | None = None, slow_after: float = 0.25,
                 max_slow: int | None = None, network: bool = False, require_sandbox: bool = False,
                 memory_budget: int | None = None) -> None:
        self._opener = opener
        self._network = network
        self._memory_budget = memory_budget
        self.confinement: Confinement | None = None
        self._size = max(1, size)
        self._slow_after = slow_after
        self._max_slow = max_slow if max_slow is not None else 8 * self._size
        self._slow = 0
        self._context = multiprocessing.get_context("fork")
        self._fork_lock = fork_lock or threading.RLock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._ready = threading.Condition()
        self._generation = 0
        self._closed = False
        # One long-lived thread forks every worker: a child's parent-death signal fires when the
        # thread that forked it ends, so forking from short-lived threads would kill fresh workers.
        self._forks: queue.Queue[Callable[[_Worker], None]] = queue.Queue()
        warm_up()
        threading.Thread(target=self._forker, daemon=True, name="inviolable-forker").start()
        started: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self._size):
            self._forks.put(started.put)
        self._idle.extend(started.get() for _ in range(self._size))
        self._report(require_sandbox)

    def _report(self, require_sandbox: bool) -> None:
        confinement = self.confinement
        if self._network:
            log.info("query workers keep the network: they reach a remote engine")
            return
        if confinement is not None and confinement.network is not None:
            log.info("query workers confined: no network (%s), memory cap %s bytes",
                     confinement.network, confinement.memory_limit)
            return
        reason = confinement.reason if confinement else "no worker reported"
        if require_sandbox:
            self.close()
            raise SandboxUnavailable(reason)
        log.warning("query workers are NOT network-confined: %s; SERVICE and LOAD are still refused by "
                    "parsing (set INVIOLABLE_REQUIRE_SANDBOX=true to make this fatal)", reason)

    def _forker(self) -> None:
        while True:
            deliver = self._forks.get()
            if deliver is None:  # close(): the pool forks no more
                return
            deliver(self._fork())

    @property
    def size(self) -> int:
        """How many workers the pool keeps."""
        return self._size

    def _fork(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        with self._fork_lock:
            # The data a worker sees is that of the moment it is forked: label it with that generation.
            generation = self._generation
            process = self._context.Process(target=_serve, daemon=True, name="inviolable-query",
                                            args=(child, self._opener, not self._network, self._memory_budget))
            process.start()
        child.close()
        with contextlib.suppress(EOFError, OSError):
            if parent.poll(30):
                status, confinement = parent.recv()
                if status == "ready" and self.confinement is None:
                    self.confinement = confinement
        return _Worker(process, parent, generation)

    def _deliver(self, fresh: _Worker) -> None:
        with self._ready:
            if not self._closed and fresh.generation == self._generation:
                self._idle.append(fresh)
                self._ready.notify()
                return
            stale = not self._closed
        # Forked before a write that committed meanwhile: it would answer from the old data.
        self._replace(fresh, fork=stale)

    def _replace(self, worker: _Worker, *, fork: bool = True) -> None:
        def work() -> None:
            worker.kill()
            if fork and not self._closed:
                self._forks.put(self._deliver)
        threading.Thread(target=work, daemon=True, name="inviolable-reaper").start()

    def _demote(self, worker: _Worker) -> None:
        """Move a long-running query's worker to the slow lane, forking a worker to take its place."""
        with self._ready:
            if self._closed or self._slow >= self._max_slow:
                return
            self._slow += 1
            worker.slow = True
        # SCHED_IDLE runs the slow worker only when a CPU has nothing else to do; where it is not
        # permitted, the lowest nice level is the next best thing.
        try:
            os.sched_setscheduler(worker.process.pid, os.SCHED_IDLE, os.sched_param(0))
        except (OSError, AttributeError):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, worker.process.pid, _LOWEST_PRIORITY)
        self._forks.put(self._deliver)

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
        with self._ready:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise QueryTimeout(timeout)
                self._ready.wait(remaining)
            worker = self._idle.pop()
            self._busy.add(worker)
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._ready:
            self._busy.discard(worker)
            if worker.slow:
                self._slow -= 1
            elif worker.generation == self._generation and not self._closed:
                self._idle.append(worker)
                self._ready.notify()
                return
        # A slow worker's place was taken when it was demoted: retire it without a successor.
        self._replace(worker, fork=not worker.slow)

    def _discard(self, worker: _Worker) -> None:
        with self._ready:
            self._busy.discard(worker)
            if worker.slow:
                self._slow -= 1
        self._replace(worker, fork=not worker.slow)

    def run(self, job: QueryJob, *, timeout: float) -> Outcome:
        """Run a job in a worker and return its outcome, stopping it at ``timeout`` seconds.

        :raises QueryTimeout: when the deadline passes (waiting for a worker counts).
        :raises ResultTooLarge: when the result passes the job's byte limit.
        :raises QueryOutOfMemory: when the worker ran out of its memory cap (it is replaced).
        :raises ApiError: 400 on a syntax error or a refused SERVICE/LOAD, 406 when the result kind has no
            acceptable format, 500 when the worker failed.
        """
        return self._call(job, timeout)

    def check_update(self, sparql: str, *, base_iri: str | None = None, timeout: float) -> str:
        """Parse an update in a worker; return the text to run.

        :raises ApiError: 400 when it does not parse or uses LOAD or SERVICE; 503/507 as :meth:`run`.
        """
        return self._call(UpdateCheck(sparql, base_iri), timeout)

    def _call(self, job: QueryJob | UpdateCheck, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline, timeout)
        try:
            worker.connection.send(job)
            status, payload = self._await(worker, job, deadline, timeout)
        except (EOFError, OSError) as error:
            worker.process.join(timeout=2)
            exitcode = worker.process.exitcode
            self._discard(worker)
            # Rust aborts the process when an allocation fails: past the cap, that is what ends a worker.
            if self._memory_budget and exitcode == -signal.SIGABRT:
                raise QueryOutOfMemory(self._memory_budget) from error
            raise ApiError(500, f"the query worker stopped unexpectedly ({type(error).__name__})") from error
        if status == "memory":
            self._discard(worker)
            raise QueryOutOfMemory(self._memory_budget or 0)
        self._release(worker)
        if status == "ok":
            return payload
        if status == "too-large":
            raise ResultTooLarge(payload)
        if status == "syntax":
            raise ApiError(400, f"syntax error: {payload}")
        if status == "refused":
            raise ApiError(400, f"{payload} is refused: this endpoint never fetches remote data "
                                "(SERVICE and LOAD are disabled); query the data it holds")
        if status == "not-acceptable":
            raise ApiError(406, f"no acceptable media type for a {payload} result")
        raise ApiError(500, f"the query failed: {payload}")

    def _await(self, worker: _Worker, job: QueryJob | UpdateCheck, deadline: float,
               timeout: float) -> tuple[str, Any]:
        """The worker's reply; the slow-lane clock starts once the query has parsed."""
        if isinstance(job, QueryJob):
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise QueryTimeout(timeout)
            status, payload = worker.connection.recv()
            if status != "checked":
                return status, payload
            # Workers forked from now on inherit the verdict and need not parse this text again.
            remember_runnable(job.sparql, "query", job.base_iri)
        ready = worker.connection.poll(max(0.0, min(self._slow_after, deadline - time.monotonic())))
        if not ready and time.monotonic() < deadline:
            self._demote(worker)
            ready = worker.connection.poll(max(0.0, deadline - time.monotonic()))
        if not ready:
            self._discard(worker)
            raise QueryTimeout(timeout)
        return worker.connection.recv()

    def refresh(self) -> None:
        """Replace every worker (idle ones now, busy ones when they finish) so all see new data."""
        with self._ready:
            self._generation += 1
            stale, self._idle = self._idle, []
        for worker in stale:
            self._replace(worker)

    def close(self) -> None:
        """Kill every worker; the pool answers nothing afterwards."""
        with self._ready:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._ready.notify_all()
        self._forks.put(None)  # type: ignore[arg-type]
        for worker in workers:
            worker.kill()
