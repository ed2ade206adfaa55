"""Query workers that can be stopped: the server's deadline mechanism.

pyoxigraph cannot cancel a running query, so queries run in forked worker processes. A worker
that passes its deadline is killed and a fresh one forked in its place; the web process and
other clients' queries are unaffected. Workers are also replaced after each write so that they
see the new data.

A query still running after ``slow_after`` seconds is moved to the slow lane: its worker is
reniced to the lowest CPU priority and a fresh worker takes its place in the pool, so that a few
runaway queries waiting for their deadline neither hold every worker nor take the CPU from the
short queries of other clients. The slow worker is retired when its query ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from server.errors import ApiError, QueryTimeout, ResultTooLarge
from server.worker import Outcome, OutputTooLarge, QueryJob, execute

StoreOpener = Callable[[], ox.Store]
_PR_SET_PDEATHSIG = 1
_LOWEST_PRIORITY = 19


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _serve(connection: Connection, opener: StoreOpener) -> None:
    _die_with_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = opener()
    while True:
        try:
            job: QueryJob = connection.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply: tuple[str, Any] = ("ok", execute(store, job))
        except OutputTooLarge:
            reply = ("too-large", job.max_bytes)
        except SyntaxError as error:
            reply = ("syntax", str(error))
        except LookupError as error:
            reply = ("not-acceptable", str(error))
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            reply = ("error", f"{type(error).__name__}: {error}")
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
    """

    def __init__(self, opener: StoreOpener, *, size: int = 2,
                 fork_lock: threading.RLock | None = None, slow_after: float = 0.25,
                 max_slow: int | None = None) -> None:
        self._opener = opener
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
        threading.Thread(target=self._forker, daemon=True, name="inviolable-forker").start()
        started: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self._size):
            self._forks.put(started.put)
        self._idle.extend(started.get() for _ in range(self._size))

    def _forker(self) -> None:
        while True:
            deliver = self._forks.get()
            deliver(self._fork())

    @property
    def size(self) -> int:
        """How many workers the pool keeps."""
        return self._size

    def _fork(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        with self._fork_lock:
            process = self._context.Process(target=_serve, args=(child, self._opener), daemon=True,
                                            name="inviolable-query")
            process.start()
        child.close()
        return _Worker(process, parent, self._generation)

    def _deliver(self, fresh: _Worker) -> None:
        with self._ready:
            if not self._closed:
                self._idle.append(fresh)
                self._ready.notify()
                return
        fresh.kill()

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
        :raises ApiError: 400 on a syntax error, 406 when the result kind has no acceptable format,
            500 when the worker failed.
        """
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline, timeout)
        try:
            worker.connection.send(job)
            ready = worker.connection.poll(max(0.0, min(self._slow_after, deadline - time.monotonic())))
            if not ready and time.monotonic() < deadline:
                self._demote(worker)
                ready = worker.connection.poll(max(0.0, deadline - time.monotonic()))
            if not ready:
                self._discard(worker)
                raise QueryTimeout(timeout)
            status, payload = worker.connection.recv()
        except (EOFError, OSError) as error:
            self._discard(worker)
            raise ApiError(500, f"the query worker stopped unexpectedly ({type(error).__name__})") from error
        self._release(worker)
        if status == "ok":
            return payload
        if status == "too-large":
            raise ResultTooLarge(payload)
        if status == "syntax":
            raise ApiError(400, f"syntax error: {payload}")
        if status == "not-acceptable":
            raise ApiError(406, f"no acceptable media type for a {payload} result")
        raise ApiError(500, f"the query failed: {payload}")

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
        for worker in workers:
            worker.kill()
