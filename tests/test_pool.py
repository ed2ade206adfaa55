"""The query pool with a fake store: refusal by parsing, deadlines, memory caps, confinement, fair shares,
shared runs of identical queries and the slow lane."""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import os
import socket
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox
import pytest

import server.sandbox
from server.errors import ApiError, QueryOutOfMemory, QueryTimeout, SandboxUnavailable, TooManyQueries
from server.fairness import ClientLimiter, acting_for
from server.pool import SLOW_PRIORITY, QueryPool, SlowLaneFull, _Governor
from server.worker import QueryJob

BUDGET = 64 * 2**20


class FakeStore:
    """Does what the IRI in the query says: sleep, allocate, dial a port; otherwise answers ASK true."""

    def __init__(self) -> None:
        self.calls = 0

    def query(self, sparql: str, **_: Any) -> Any:
        self.calls += 1
        if "urn:sleep" in sparql:
            time.sleep(60)
        if "urn:hog" in sparql:
            hoard = bytearray(4 * BUDGET)
            return hoard
        if "urn:dial:" in sparql:
            port = int(sparql.split("urn:dial:")[1].split(">")[0])
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                pass
        return ox.Store().query("ASK {}")

    def graph_names(self) -> list[str]:
        return []


def _ask(pool: QueryPool, text: str, *, timeout: float = 10) -> bool | None:
    return pool.run(QueryJob(text, serialize=False), timeout=timeout).boolean


@pytest.fixture
def pool() -> Any:
    store = FakeStore()
    made = QueryPool(lambda: store, size=1, memory_budget=BUDGET, slow_after=5)
    yield made
    made.close()


def test_pool_answers_through_a_confined_worker(pool: QueryPool) -> None:
    assert pool.confinement is not None and pool.confinement.network == "seccomp"
    assert pool.confinement.memory_limit is not None
    assert _ask(pool, "ASK { <urn:a> ?p ?o }") is True


@pytest.mark.parametrize("text, word", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX : <http://127.0.0.1:9/a#> SELECT * { SERVICE:x { ?s ?p ?o } }", "syntax"),
    ("SELECT * { ?s ?p ?o # c\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * {", "syntax"),
])
def test_pool_refuses_service_and_unreadable_queries_with_400(pool: QueryPool, text: str, word: str) -> None:
    with pytest.raises(ApiError) as caught:
        _ask(pool, text)
    assert caught.value.status == 400 and word in caught.value.message


def test_pool_runs_the_servers_own_text_unparsed_when_it_cannot_name_service_or_load(pool: QueryPool) -> None:
    unreadable_for_rdflib = "ASK { <urn:a> ?p ?o "
    assert pool.run(QueryJob(unreadable_for_rdflib, serialize=False, internal=True), timeout=10).boolean is True
    with pytest.raises(ApiError) as caught:
        _ask(pool, unreadable_for_rdflib)
    assert caught.value.status == 400 and "syntax" in caught.value.message


@pytest.mark.parametrize("text, word", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * { service <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "400"),
    ("SELECT * { ?s ?p ?o # c\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
])
def test_pool_parses_the_servers_own_text_when_it_names_service(pool: QueryPool, text: str, word: str) -> None:
    with pytest.raises(ApiError) as caught:
        pool.run(QueryJob(text, serialize=False, internal=True), timeout=10)
    assert caught.value.status == 400 and (word == "400" or word in caught.value.message)


def test_pool_accepts_the_words_where_they_are_names(pool: QueryPool) -> None:
    assert _ask(pool, 'PREFIX service: <http://e/s#> ASK { ?service service:load "x"@service }') is True


def test_pool_check_update_refuses_load_and_returns_the_text(pool: QueryPool) -> None:
    with pytest.raises(ApiError) as caught:
        pool.check_update("PREFIX : <http://127.0.0.1:9/a#> LOAD:x", timeout=10)
    assert caught.value.status == 400 and "LOAD" in caught.value.message
    assert pool.check_update("INSERT DATA { <urn:a> <urn:b> 1 }\r", timeout=10) == "INSERT DATA { <urn:a> <urn:b> 1 }\n"


def test_pool_replaces_a_worker_that_runs_out_of_memory(pool: QueryPool) -> None:
    with pytest.raises(QueryOutOfMemory) as caught:
        _ask(pool, "ASK { <urn:hog> ?p ?o }")
    assert caught.value.status == 507 and "64 MiB" in caught.value.message
    assert _ask(pool, "ASK { <urn:a> ?p ?o }") is True


def test_pool_stops_a_query_at_its_deadline(pool: QueryPool) -> None:
    began = time.monotonic()
    with pytest.raises(QueryTimeout):
        _ask(pool, "ASK { <urn:sleep> ?p ?o }", timeout=1)
    assert time.monotonic() - began < 3
    assert _ask(pool, "ASK { <urn:a> ?p ?o }") is True


def test_pool_worker_cannot_dial_out(pool: QueryPool) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    try:
        with pytest.raises(ApiError) as caught:
            _ask(pool, f"ASK {{ <urn:dial:{listener.getsockname()[1]}> ?p ?o }}")
        assert caught.value.status == 500 and "Permission" in caught.value.message
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_pool_says_so_when_it_cannot_confine(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(server.sandbox, "_seccomp", lambda: "seccomp is not permitted here")
    store = FakeStore()
    with caplog.at_level(logging.WARNING, logger="inviolable.pool"):
        pool = QueryPool(lambda: store, size=1)
    try:
        assert pool.confinement is not None and pool.confinement.network is None
        assert "NOT network-confined: seccomp is not permitted here" in caplog.text
        with pytest.raises(ApiError):
            _ask(pool, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    finally:
        pool.close()
    with pytest.raises(SandboxUnavailable, match="not permitted"):
        QueryPool(lambda: store, size=1, require_sandbox=True)


def test_fairness_shared_counts_hold_a_client_to_one_share_across_processes_and_forget_dead_ones() -> None:
    from server.fairness import SharedCounts

    counts = SharedCounts(8)
    limiter = ClientLimiter(3, shared=counts)
    holding, release = multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event()

    def other_process() -> None:
        assert counts.take("address a", 3) and counts.take("address a", 3)
        holding.set()
        release.wait(30)

    child = multiprocessing.get_context("fork").Process(target=other_process)
    child.start()
    try:
        assert holding.wait(30)
        assert limiter.running("address a") == 2 and limiter.running("address b") == 0
        with limiter.slot("address a"):
            with pytest.raises(TooManyQueries):
                with limiter.slot("address a"):
                    pass
            with limiter.slot("address b"):
                assert limiter.running("address b") == 1
    finally:
        child.kill()  # dies holding its two: its rows must not keep the share taken
        child.join()
    assert limiter.running("address a") == 0
    with limiter.slot("address a"), limiter.slot("address a"), limiter.slot("address a"):
        assert limiter.running("address a") == 3


def test_fairness_limiter_refuses_past_the_share_and_frees_on_exit() -> None:
    limiter = ClientLimiter(2, retry_after=3)
    with limiter.slot("a"), limiter.slot("a"):
        with pytest.raises(TooManyQueries) as caught, limiter.slot("a"):
            pass
        assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "3"
        with limiter.slot("b"):
            assert limiter.running("b") == 1
        assert limiter.running("a") == 2
    assert limiter.running("a") == 0
    with limiter.slot("a"):
        assert limiter.running("a") == 1


class GatedStore(FakeStore):
    """Counts the queries it runs across worker processes; a ``urn:gate`` query waits for the gate to open."""

    def __init__(self) -> None:
        super().__init__()
        context = multiprocessing.get_context("fork")
        self.runs = context.Value("i", 0)
        self.gate = context.Event()

    def query(self, sparql: str, **options: Any) -> Any:
        with self.runs.get_lock():
            self.runs.value += 1
        if "urn:gate" in sparql:
            self.gate.wait(60)
        if "urn:priority" in sparql:
            time.sleep(1.5)
            nice = os.getpriority(os.PRIO_PROCESS, 0)
            idle = int(os.sched_getscheduler(0) == os.SCHED_IDLE)
            return ox.Store().query(f"SELECT ?nice ?idle WHERE {{ VALUES (?nice ?idle) {{ ({nice} {idle}) }} }}")
        return super().query(sparql, **options)


def _until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait for a state of the pool (not a duration): fails only if it never comes."""
    give_up = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < give_up, "the pool never reached the expected state"
        time.sleep(0.02)


def test_pool_runs_identical_running_queries_once_and_answers_each() -> None:
    store = GatedStore()
    # One worker and no slow lane: without sharing, each copy would wait for the one before it.
    pool = QueryPool(lambda: store, size=1, max_slow=0)
    try:
        with ThreadPoolExecutor(max_workers=4) as background:
            leader = background.submit(_ask, pool, "ASK { <urn:gate> ?p ?o }", timeout=60)
            _until(lambda: store.runs.value == 1)
            followers = [background.submit(_ask, pool, "ASK { <urn:gate> ?p ?o }", timeout=60) for _ in range(3)]
            _until(lambda: pool.load()["sharing"] == 3)
            store.gate.set()
            answers = [future.result() for future in [leader, *followers]]
        assert answers == [True] * 4
        assert store.runs.value == 1
        assert pool.load()["sharing"] == 0
        # Once that run is over, the same text runs again (nothing is kept: that is the cache's business).
        assert _ask(pool, "ASK { <urn:gate> ?p ?o }") is True and store.runs.value == 2
    finally:
        pool.close()


def test_pool_shares_a_runs_failure_with_the_requests_waiting_for_it() -> None:
    store = GatedStore()
    pool = QueryPool(lambda: store, size=1, max_slow=0)
    try:
        with ThreadPoolExecutor(max_workers=2) as background:
            leader = background.submit(_ask, pool, "ASK { <urn:gate> <urn:sleep> ?o }", timeout=2)
            _until(lambda: store.runs.value == 1)
            follower = background.submit(_ask, pool, "ASK { <urn:gate> <urn:sleep> ?o }", timeout=60)
            with pytest.raises(QueryTimeout) as led:
                leader.result()
            with pytest.raises(QueryTimeout) as followed:
                follower.result()
        assert led.value is not followed.value and followed.value.status == 503
        assert store.runs.value == 1
    finally:
        pool.close()


def test_pool_full_slow_lane_gives_up_the_greediest_clients_place_and_answers_others() -> None:
    store = GatedStore()
    pool = QueryPool(lambda: store, size=1, max_slow=1, slow_after=0.1)

    def runaway(client: str, text: str) -> Any:
        with acting_for(client):
            return _ask(pool, text, timeout=60)

    with ThreadPoolExecutor(max_workers=3) as background:
        try:
            first = background.submit(runaway, "address 127.0.0.2", "ASK { <urn:sleep> <urn:one> ?o }")
            _until(lambda: pool.load()["slow"] == 1)
            second = background.submit(runaway, "address 127.0.0.2", "ASK { <urn:sleep> <urn:two> ?o }")
            # The lane is full: the second runaway takes the first one's place instead of the pool's only worker.
            with pytest.raises(SlowLaneFull) as stopped:
                first.result(timeout=60)
            assert stopped.value.status == 503 and stopped.value.headers["Retry-After"] == "1"
            with acting_for("address 127.0.0.1"):
                assert _ask(pool, "ASK { ?s ?p ?o }", timeout=60) is True
            assert not second.done()
        finally:
            pool.close()  # stops the runaway still running, so that the executor can finish


def test_pool_full_slow_lane_keeps_the_place_of_a_client_holding_no_more_than_others() -> None:
    store = GatedStore()
    pool = QueryPool(lambda: store, size=2, max_slow=1, slow_after=0.1)
    with ThreadPoolExecutor(max_workers=2) as background:
        try:
            with acting_for("address 127.0.0.2"):
                first = background.submit(contextvars.copy_context().run, _ask, pool,
                                          "ASK { <urn:sleep> <urn:one> ?o }", timeout=60)
            _until(lambda: pool.load()["slow"] == 1)
            with acting_for("address 127.0.0.3"):
                second = background.submit(contextvars.copy_context().run, _ask, pool,
                                           "ASK { <urn:sleep> <urn:two> ?o }", timeout=60)
            _until(lambda: pool.load()["busy"] == 2)
            time.sleep(0.5)  # past slow_after: the second finds the lane full and nobody to displace
            assert not first.done() and not second.done()
            assert pool.load()["slow"] == 1
        finally:
            pool.close()


def test_pool_slow_lane_lowers_priority_in_two_steps() -> None:
    store = GatedStore()
    gentle = QueryPool(lambda: store, size=1, slow_after=0.1, idle_after=60)
    try:
        outcome = gentle.run(QueryJob("SELECT * { <urn:priority> ?p ?o }", serialize=False), timeout=30)
        nice, idle = (int(term.value) for term in outcome.rows[0])
        assert nice == SLOW_PRIORITY and idle == 0
    finally:
        gentle.close()
    hard = QueryPool(lambda: store, size=1, slow_after=0.1, idle_after=0.2)
    try:
        outcome = hard.run(QueryJob("SELECT * { <urn:priority> ?p ?o }", serialize=False), timeout=30)
        _, idle = (int(term.value) for term in outcome.rows[0])
        assert idle == 1
    finally:
        hard.close()


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def test_pool_governor_stops_slow_workers_while_busy_and_lets_them_run_when_idle() -> None:
    sleepers = [subprocess.Popen(["sleep", "60"]) for _ in range(2)]
    busy = {"now": True}
    governor = _Governor(0.0, period=0.05, others_busy=lambda: busy["now"])
    try:
        for sleeper in sleepers:
            governor.add(sleeper.pid, "address 127.0.0.2")
        _until(lambda: all(_state(sleeper.pid) == "T" for sleeper in sleepers))
        governor.remove(sleepers[0].pid)
        _until(lambda: _state(sleepers[0].pid) != "T")
        busy["now"] = False
        _until(lambda: _state(sleepers[1].pid) != "T")
    finally:
        governor.close()
        for sleeper in sleepers:
            sleeper.kill()
            sleeper.wait()


def test_pool_governor_turn_goes_to_the_client_with_the_fewest_slow_queries() -> None:
    governor = _Governor(0.25)
    clients = {1: "address 127.0.0.2", 2: "address 127.0.0.2", 3: "address 127.0.0.2", 4: "address 127.0.0.1"}
    turns = {governor._next([1, 2, 3, 4], clients) for _ in range(6)}
    assert turns == {4}
    clients[5] = "address 127.0.0.1"
    assert {governor._next([1, 2, 3, 4, 5], clients) for _ in range(6)} == {4, 5}
