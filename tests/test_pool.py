"""The query pool with a fake store: refusal by parsing, deadlines, memory caps, confinement, fair shares."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pyoxigraph as ox
import pytest

import server.sandbox
from server.errors import ApiError, QueryOutOfMemory, QueryTimeout, SandboxUnavailable, TooManyQueries
from server.fairness import ClientLimiter
from server.pool import QueryPool
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
