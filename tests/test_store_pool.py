"""The query pool over a GraphStore: closing it leaves no thread behind."""

from __future__ import annotations

import threading
import time

from graph.store import OxigraphStore
from server.pool import QueryPool
from server.worker import QueryJob


def _forkers() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "inviolable-forker")


def test_store_pool_close_stops_its_forker_thread() -> None:
    before = _forkers()
    for _ in range(3):
        pool = QueryPool(OxigraphStore().reopen, size=1)
        assert pool.run(QueryJob("ASK {}", serialize=False), timeout=10).boolean is True
        pool.close()
    deadline = time.monotonic() + 5
    while _forkers() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _forkers() == before
