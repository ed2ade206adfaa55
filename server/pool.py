"""Query workers that can be stopped: the server's deadline mechanism.

pyoxigraph cannot cancel a running query, so queries run in forked worker processes. A worker
that passes its deadline is killed and a fresh one forked in its place; the web process and
other clients' queries are unaffected. Workers are also replaced after each write so that they
see the new data.

A query still running after ``slow_after`` seconds is moved to the slow lane: its worker is
given a lower CPU priority (nice 10) and a fresh worker takes its place in the pool; once it has run
``idle_after`` seconds more it is given the idle CPU scheduling class (or, where that is refused, the
lowest nice level). A few runaway queries waiting for their deadline therefore neither hold every
worker nor take the CPU from the short queries of other clients, and a query that is merely slow keeps
the CPU ahead of the runaways. While the server has other work, the slow lane as a whole is also held
to ``slow_share`` of one CPU (:class:`_Governor`). The slow worker is retired when its query ends.
When the slow lane is full, the slow query of the client holding the most places in it (the
longest-running of them) is stopped early with 503 to make room, so that one client's runaways cannot
leave a query of theirs, or of anyone's, holding a pool worker; only when every client holds as many
places as the newcomer would does a long query keep its pool worker.

Identical queries running at the same time are run once: a request for a job already running waits
for that run's answer (under its own deadline) instead of taking a worker of its own, so a burst of
cache misses for one query costs one run.

Each worker is confined when it starts (:mod:`server.sandbox`): no network, a memory cap. It parses
every job with rdflib before running it (:mod:`server.sparql_check`) and refuses SERVICE and LOAD;
only a text the server wrote itself that cannot name either runs unparsed.
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
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from graph.remote_http import ResultCut
from graph.store import GraphStore
from server.errors import ApiError, QueryOutOfMemory, QueryTimeout, ResultTooLarge, SandboxUnavailable
from server.fairness import current_client
from server.sandbox import Confinement, confine, limit_memory
from server.sparql_check import Verdict, cannot_reach_out, check, remember_runnable, warm_up
from server.worker import Outcome, OutputTooLarge, QueryJob, execute

# Called in each new worker; returns the store the worker queries.
StoreOpener = Callable[[], GraphStore]
log = logging.getLogger("inviolable.pool")
_PR_SET_PDEATHSIG = 1
_LOWEST_PRIORITY = 19
#: The nice level of a query that has just entered the slow lane: below every short query, above the runaways.
SLOW_PRIORITY = 10


class SlowLaneFull(ApiError):
    """A slow query stopped before its deadline to make room in a full slow lane."""

    def __init__(self) -> None:
        super().__init__(503, "the query was stopped before its deadline: the server's lane for slow queries is "
                              "full and this client holds the most places in it; narrow it (LIMIT, more specific "
                              "patterns) or use the dumps", headers={"Retry-After": "1"})


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
    if isinstance(job, QueryJob) and job.internal and cannot_reach_out(job.sparql):
        # The server's own page queries: rdflib's parse of each new text costs more than running it.
        verdict = Verdict(job.sparql)
    else:
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
    except ResultCut as error:
        return "cut", str(error)
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
        self.evicted = False
        self.client = ""
        self.started = 0.0
        self._closing = threading.Lock()
        self._closed = False

    def kill(self) -> None:
        """Kill the process and close its pipe, once: the reaper and ``close`` may both call it, and a
        second close of the pipe's descriptor could close a file another thread has since opened."""
        with self._closing:
            if self._closed:
                return
            if self.process.is_alive():
                with contextlib.suppress(OSError):
                    os.kill(self.process.pid, signal.SIGKILL)
            self.process.join(timeout=5)
            self.connection.close()
            self._closed = True


def _copy_error(error: BaseException) -> BaseException:
    """A fresh exception equal to ``error`` (same class, message, status and headers)."""
    clone = type(error).__new__(type(error))
    clone.__dict__.update(error.__dict__)
    clone.args = error.args
    return clone


class _Governor:
    """Holds the slow lane's queries to a share of one CPU while the server has other work.

    Lower priorities alone do not keep them off the CPU: under a busy machine's scheduler (groups of
    processes sharing fixed shares) runaways at nice 10 and in the idle class still took much of the
    web process's time. So while the web process is busy (or a pool worker runs a query), the governed
    workers are stopped (``SIGSTOP``) and one at a time is continued for ``share`` of each ``period``:
    a worker of the client that has the fewest governed workers, in turn among that client's, so that
    one client's runaways do not slow another client's merely slow query. When the server is otherwise
    idle they all run. A governed pid is forgotten before its worker is reaped, so a signal never
    reaches a recycled pid.
    """

    #: CPU the web process may use (share of one core, over the last period) and still count as idle.
    BUSY = 0.2

    def __init__(self, share: float, *, period: float = 0.1, others_busy: Callable[[], bool] = lambda: False) -> None:
        self._share = min(1.0, max(0.0, share))
        self._period = period
        self._others_busy = others_busy
        self._members: list[int] = []
        self._clients: dict[int, str] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._turn = 0
        self._thread: threading.Thread | None = None

    def add(self, pid: int, client: str = "") -> None:
        """Govern the worker ``pid`` (running a query of ``client``) from now on."""
        with self._lock:
            if self._closed or pid in self._members:
                return
            self._members.append(pid)
            self._clients[pid] = client
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="inviolable-governor")
                self._thread.start()
        self._wake.set()

    def remove(self, pid: int) -> None:
        """Stop governing ``pid`` (continued if it was stopped); call before the worker is reaped."""
        with self._lock:
            if pid in self._members:
                self._members.remove(pid)
                self._clients.pop(pid, None)
                _signal(pid, signal.SIGCONT)

    def close(self) -> None:
        """Continue every governed worker and stop governing."""
        with self._lock:
            self._closed = True
            for pid in self._members:
                _signal(pid, signal.SIGCONT)
            self._members, self._clients = [], {}
        self._wake.set()

    def _next(self, members: list[int], clients: dict[int, str]) -> int:
        """The worker whose turn it is: of the client with the fewest governed workers, in turn."""
        held: dict[str, list[int]] = {}
        for pid in members:
            held.setdefault(clients.get(pid, ""), []).append(pid)
        fewest = min(len(pids) for pids in held.values())
        candidates = [pid for pids in held.values() if len(pids) == fewest for pid in pids]
        self._turn += 1
        return candidates[self._turn % len(candidates)]

    def _signal_all(self, signum: int, *, but: int | None = None) -> None:
        with self._lock:
            for pid in self._members:
                if pid != but:
                    _signal(pid, signum)

    def _run(self) -> None:
        used = _own_cpu()
        while not self._closed:
            with self._lock:
                members = list(self._members)
                clients = dict(self._clients)
            if not members:
                self._wake.wait(1.0)
                self._wake.clear()
                used = _own_cpu()
                continue
            time.sleep(self._period)
            now = _own_cpu()
            busy = (now - used) / self._period > self.BUSY or self._others_busy()
            used = now
            if not busy:
                self._signal_all(signal.SIGCONT)
                continue
            # Busy: everyone stopped but the one whose turn it is, for its share of the next period.
            chosen = self._next(members, clients)
            self._signal_all(signal.SIGSTOP, but=chosen)
            if self._share <= 0:
                self._signal_all(signal.SIGSTOP)
                continue
            with self._lock:
                if chosen in self._members:
                    _signal(chosen, signal.SIGCONT)
            time.sleep(self._period * self._share)
            with self._lock:
                if chosen in self._members:
                    _signal(chosen, signal.SIGSTOP)
            used = _own_cpu()


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signum)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Flight:
    """One running job and the requests waiting for its answer."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.followers = 0
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None


class QueryPool:
    """A fixed number of worker processes answering :class:`QueryJob` s under a deadline.

    :param opener: called in each new worker to get the store it queries.
    :param size: number of workers, hence of queries running at once.
    :param fork_lock: held while forking, so that no write is half-done in the copied process.
    :param slow_after: seconds after which a running query moves to the slow lane.
    :param max_slow: how many slow queries may have a worker of their own beside the pool.
    :param idle_after: seconds in the slow lane after which a query runs only on otherwise idle CPUs.
    :param slow_share: share of one CPU the slow lane's queries may use together while the server is busy.
    :param network: leave the workers their network (a remote engine's workers need it); False confines them.
    :param require_sandbox: refuse to start when the workers cannot be confined.
    :param memory_budget: bytes each worker may allocate beyond what it inherits (None: no cap).
    :raises SandboxUnavailable: when ``require_sandbox`` is set and the filter cannot be installed.
    """

    def __init__(self, opener: StoreOpener, *, size: int = 2,
                 fork_lock: threading.RLock | None = None, slow_after: float = 0.25,
                 max_slow: int | None = None, idle_after: float = 1.0, slow_share: float = 0.25,
                 network: bool = False,
                 require_sandbox: bool = False, memory_budget: int | None = None) -> None:
        self._opener = opener
        self._network = network
        self._memory_budget = memory_budget
        self.confinement: Confinement | None = None
        self._size = max(1, size)
        self._slow_after = slow_after
        self._max_slow = max_slow if max_slow is not None else 8 * self._size
        self._idle_after = idle_after
        self._governor = _Governor(slow_share, others_busy=self._regular_busy)
        self._slow = 0
        self._flights: dict[tuple[int, QueryJob], _Flight] = {}
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
        """Move a long-running query's worker to the slow lane, forking a worker to take its place.

        A full slow lane first gives up the place of the client that holds the most of them.
        """
        with self._ready:
            if self._closed:
                return
            victim = None
            if self._slow >= self._max_slow:
                victim = self._evictable(worker.client)
                if victim is None:
                    return
                victim.evicted = True
            else:
                self._slow += 1
            worker.slow = True
        if victim is not None:
            # Its caller sees the worker die and answers SlowLaneFull; its place passes to this query.
            with contextlib.suppress(OSError):
                os.kill(victim.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, SLOW_PRIORITY)
        self._governor.add(worker.process.pid, worker.client)
        self._forks.put(self._deliver)

    def _evictable(self, client: str) -> _Worker | None:
        """The slow worker to stop for a query of ``client``: the oldest of the client holding the most places.

        None when no client holds more places than ``client`` would once it is given one.
        """
        held: dict[str, list[_Worker]] = {}
        for candidate in self._busy:
            if candidate.slow and not candidate.evicted:
                held.setdefault(candidate.client, []).append(candidate)
        if not held:
            return None
        greediest = max(held, key=lambda name: (len(held[name]), -min(w.started for w in held[name])))
        if greediest != client and len(held[greediest]) <= len(held.get(client, [])) + 1:
            return None
        return min(held[greediest], key=lambda w: w.started)

    def _regular_busy(self) -> bool:
        with self._ready:
            return any(not worker.slow for worker in self._busy)

    def _idle_class(self, worker: _Worker) -> None:
        # SCHED_IDLE runs the slow worker only when a CPU has nothing else to do; where it is not
        # permitted, the lowest nice level is the next best thing.
        try:
            os.sched_setscheduler(worker.process.pid, os.SCHED_IDLE, os.sched_param(0))
        except (OSError, AttributeError):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, worker.process.pid, _LOWEST_PRIORITY)

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
        with self._ready:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise QueryTimeout(timeout)
                self._ready.wait(remaining)
            worker = self._idle.pop()
            self._busy.add(worker)
            worker.client = current_client()
            worker.started = time.monotonic()
            return worker

    def _release(self, worker: _Worker) -> None:
        self._governor.remove(worker.process.pid)
        with self._ready:
            self._busy.discard(worker)
            if worker.slow:
                if not worker.evicted:
                    self._slow -= 1
            elif worker.generation == self._generation and not self._closed:
                self._idle.append(worker)
                self._ready.notify()
                return
        # A slow worker's place was taken when it was demoted: retire it without a successor.
        self._replace(worker, fork=not worker.slow)

    def _discard(self, worker: _Worker) -> None:
        self._governor.remove(worker.process.pid)
        with self._ready:
            self._busy.discard(worker)
            # An evicted worker's place was handed to the query that took it.
            if worker.slow and not worker.evicted:
                self._slow -= 1
        self._replace(worker, fork=not worker.slow)

    def run(self, job: QueryJob, *, timeout: float) -> Outcome:
        """Run a job in a worker and return its outcome, stopping it at ``timeout`` seconds.

        :raises QueryTimeout: when the deadline passes (waiting for a worker counts).
        :raises ResultTooLarge: when the result passes the job's byte limit.
        :raises QueryOutOfMemory: when the worker ran out of its memory cap (it is replaced).
        :raises SlowLaneFull: when the slow lane was full and this query was stopped to make room.
        :raises ApiError: 400 on a syntax error or a refused SERVICE/LOAD, 406 when the result kind has no
            acceptable format, 500 when the worker failed.

        A job identical to one already running (and begun on the same data) waits for that run's answer.
        """
        with self._ready:
            key = (self._generation, job)
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight()
                leading = True
            else:
                flight.followers += 1
                leading = False
        if not leading:
            return self._follow(flight, timeout)
        try:
            flight.outcome = self._call(job, timeout)
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._ready:
                self._flights.pop(key, None)
            flight.done.set()
        return flight.outcome

    def _follow(self, flight: _Flight, timeout: float) -> Outcome:
        try:
            if not flight.done.wait(timeout):
                raise QueryTimeout(timeout)
        finally:
            with self._ready:
                flight.followers -= 1
        if flight.error is not None:
            # Each waiting request raises its own copy, so that tracebacks are not shared across threads.
            raise _copy_error(flight.error) from flight.error
        assert flight.outcome is not None
        # Callers may reorder their rows: each gets its own list (the rows themselves are tuples).
        return replace(flight.outcome, rows=list(flight.outcome.rows)) if flight.outcome.rows else flight.outcome

    def load(self) -> dict[str, int]:
        """What the pool is doing now: idle and busy workers, slow-lane places taken, requests sharing a run."""
        with self._ready:
            return {"idle": len(self._idle), "busy": len(self._busy), "slow": self._slow,
                    "sharing": sum(flight.followers for flight in self._flights.values())}

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
            if worker.evicted:
                raise SlowLaneFull from error
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
        if status == "cut":
            raise ApiError(507, payload)
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
            if worker.slow:
                ready = worker.connection.poll(max(0.0, min(self._idle_after, deadline - time.monotonic())))
                if not ready and time.monotonic() < deadline:
                    self._idle_class(worker)
            ready = ready or worker.connection.poll(max(0.0, deadline - time.monotonic()))
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
        self._governor.close()
        for worker in workers:
            worker.kill()
