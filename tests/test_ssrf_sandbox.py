"""No network by construction: with the parser's check bypassed, confined processes still connect nowhere.

Each test has a control that runs the same thing unconfined and sees the connection, so that the
zero is the confinement's doing and not the listener's.
"""

from __future__ import annotations

import socket
import time

import pytest

import server.pool
import server.update_runner
from graph.store import OxigraphStore
from server.errors import ApiError
from server.pool import QueryPool
from server.sandbox import ConfinedThread, confine
from server.sparql_check import Verdict
from server.testing import ConnectionCounter
from server.update_runner import run_mutation
from server.worker import QueryJob


def _settle(listener: ConnectionCounter) -> int:
    time.sleep(0.3)
    return listener.count


def _pass_everything(text: str, kind: str = "query", base_iri: str | None = None) -> Verdict:
    return Verdict(text)


@pytest.mark.parametrize("network", [False, True], ids=["confined", "control"])
def test_sandbox_query_worker_connects_nowhere_without_the_parser_check(monkeypatch: pytest.MonkeyPatch,
                                                                        network: bool) -> None:
    monkeypatch.setattr(server.pool, "check", _pass_everything)
    listener = ConnectionCounter()
    store = OxigraphStore()
    pool = QueryPool(lambda: store, size=1, network=network)
    try:
        if not network:
            assert pool.confinement is not None and pool.confinement.network == "seccomp"
        for text in (f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                     f"PREFIX : <{listener.url}a#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}"):
            with pytest.raises(ApiError):
                pool.run(QueryJob(text, serialize=False), timeout=10)
        assert _settle(listener) == (0 if not network else 2)
    finally:
        pool.close()
        listener.close()


@pytest.mark.parametrize("confined", [True, False], ids=["confined", "control"])
def test_sandbox_update_process_connects_nowhere(monkeypatch: pytest.MonkeyPatch, confined: bool) -> None:
    if not confined:
        monkeypatch.setattr(server.update_runner, "confine", lambda **_: None)
    listener = ConnectionCounter()
    try:
        with pytest.raises(ApiError):
            run_mutation(OxigraphStore(), lambda store: store.update(f"LOAD <{listener.url}data.ttl>"), timeout=10)
        assert _settle(listener) == (0 if confined else 1)
    finally:
        listener.close()


def test_sandbox_confined_thread_has_no_network_while_the_process_keeps_it() -> None:
    listener = ConnectionCounter()
    try:
        thread = ConfinedThread()
        assert thread.confined, thread.reason

        def dial() -> None:
            with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
                pass

        with pytest.raises(PermissionError):
            thread.call(dial)
        assert _settle(listener) == 0
        dial()
        assert _settle(listener) == 1
    finally:
        listener.close()


def test_sandbox_confine_closes_inherited_network_sockets_and_keeps_unix_ones() -> None:
    import os

    inet = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    inet.bind(("127.0.0.1", 0))
    unix_a, unix_b = socket.socketpair()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: confine, then report what is left
        confinement = confine(keep={unix_a.fileno()}, memory_budget=None)
        try:
            os.fstat(inet.fileno())
            inet_open = True
        except OSError:
            inet_open = False
        try:
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            opened = True
        except OSError:
            opened = False
        unix_a.send(b"x")
        os.write(write, f"{confinement.network} {inet_open} {opened}".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    report = os.read(read, 100).decode()
    assert report == "seccomp False False"
    assert unix_b.recv(1) == b"x"
    for thing in (inet, unix_a, unix_b):
        thing.close()
    os.close(read)
    os.close(write)
