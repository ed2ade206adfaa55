"""Taking the network and unbounded memory away from a query worker process.

A worker calls :func:`confine` once, right after it is forked and before it opens the store:

1. Inherited network sockets (the web process's listening socket, client connections) are closed.
2. A seccomp filter (libseccomp through ``pyseccomp``) makes ``socket()`` fail for every address
   family but ``AF_UNIX`` (the worker's pipe to the web process is a Unix socket pair made before
   the fork), and makes ``connect()`` and ``io_uring_setup()`` fail always. The filter is checked by
   trying to open an ``AF_INET`` socket, which must fail. No code the worker runs afterwards (the
   engine's SERVICE or LOAD, a bug, an unknown parser bypass) can reach the network.
3. ``RLIMIT_AS`` caps the worker's address space at what it has once its store is open plus a budget
   (:func:`limit_memory`), so that one query cannot take the machine's memory; an allocation past it
   fails and the worker is replaced.

Updates run in the web process (they write its store), so they are confined another way: each one
runs on :func:`confined_call`'s single thread, which carries the same filter. A seccomp filter loaded
without ``TSYNC`` binds only the thread that loads it, so the web process keeps its own sockets while
that thread (where the engine would open LOAD's connection) cannot open any.

The filter needs Linux with seccomp (kernel 3.5 or later, ``CONFIG_SECCOMP_FILTER``) and the
``libseccomp.so.2`` library; it needs no privilege (``no_new_privs`` is set). Inside a container
whose own seccomp profile forbids ``seccomp()`` it cannot be installed: the worker then reports why.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import queue
import resource
import socket
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

_M_ARENA_MAX = -8


@dataclass(frozen=True)
class Confinement:
    """What a worker could set up: ``network`` is ``"seccomp"`` or None (with ``reason``)."""

    network: str | None
    reason: str = ""
    memory_limit: int | None = None


def close_network_sockets(keep: set[int]) -> int:
    """Close every inherited socket that is not a Unix socket; returns how many were closed."""
    closed = 0
    with contextlib.suppress(OSError):
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
        for fd in descriptors:
            if fd in keep or fd < 3:
                continue
            try:
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    continue
                probe = socket.socket(fileno=fd)
            except OSError:
                continue
            family = probe.family
            probe.detach()
            if family != socket.AF_UNIX:
                with contextlib.suppress(OSError):
                    os.close(fd)
                    closed += 1
    return closed


def _seccomp() -> str | None:
    """Install the no-network filter; return None on success, else why it could not be."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as error:
        return f"pyseccomp or libseccomp.so.2 is not available ({error})"
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        denied = seccomp.ERRNO(errno.EACCES)
        rules.add_rule(denied, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(denied, "connect")
        with contextlib.suppress(RuntimeError, ValueError, OSError):
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except (RuntimeError, ValueError, OSError) as error:
        return f"the seccomp filter could not be installed ({type(error).__name__}: {error})"
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return None
    probe.close()
    return "the seccomp filter was installed but an AF_INET socket could still be opened"


def limit_memory(budget: int) -> int | None:
    """Cap the address space at its current size plus ``budget`` bytes; returns the cap."""
    with contextlib.suppress(OSError, AttributeError):
        # Fewer malloc arenas: each one reserves 64 MiB of address space that RLIMIT_AS would count.
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
    cap = current + budget
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError):
        return None
    return cap


def confine(*, keep: set[int], no_network: bool = True, memory_budget: int | None = None) -> Confinement:
    """Confine the calling (freshly forked, single-threaded) worker process.

    :param keep: descriptors to leave open (the pipe to the web process).
    :param no_network: take the network away (False only for tests and for comparison runs).
    :param memory_budget: bytes the worker may add to its inherited address space, or None for no cap.
    """
    close_network_sockets(keep)
    reason = _seccomp() if no_network else "disabled by the server's settings"
    limit = limit_memory(memory_budget) if memory_budget else None
    return Confinement(network="seccomp" if reason is None else None, reason=reason or "", memory_limit=limit)


class ConfinedThread:
    """A thread of the web process that cannot open network sockets; it runs callables one at a time."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self._started = threading.Event()
        self.reason: str | None = None
        threading.Thread(target=self._loop, daemon=True, name="inviolable-confined").start()
        self._started.wait()

    @property
    def confined(self) -> bool:
        """True when the thread's filter is in place."""
        return self.reason is None

    def _loop(self) -> None:
        self.reason = _seccomp()
        self._started.set()
        while True:
            work, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as error:  # noqa: BLE001 - handed back to the caller, who re-raises it
                future.set_exception(error)

    def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the confined thread and return its result (or raise its exception)."""
        future: Future[T] = Future()
        self._jobs.put((work, future))
        return future.result()


_confined: ConfinedThread | None = None
_confined_lock = threading.Lock()


def confined_thread() -> ConfinedThread:
    """The process's confined thread, started on first use."""
    global _confined
    with _confined_lock:
        if _confined is None:
            _confined = ConfinedThread()
        return _confined


def confined_call(work: Callable[[], T]) -> T:
    """Run ``work`` where no network socket can be opened (see :class:`ConfinedThread`)."""
    return confined_thread().call(work)
