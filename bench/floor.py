"""Query times in-process on the store (the floor) and through the server, each under a deadline.

pyoxigraph cannot stop a running query, so each query is timed in a forked child that is
killed at the deadline; the parent holds no store and stays small.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from multiprocessing.connection import Connection
from pathlib import Path

from bench.loadgen import ask
from graph.query import with_prefixes
from graph.store import open_built_store


def _time_in_child(connection: Connection, store: Path, query: str, repeat: int) -> None:
    opened = open_built_store(store)
    for _ in range(repeat):
        began = time.perf_counter()
        rows = sum(1 for _ in opened.query(query))
        connection.send((time.perf_counter() - began, rows))
    connection.close()


def _summary(times: list[float], rows: int | None, timed_out: bool, deadline: float) -> dict:
    if not times:
        return {"ms": None, "rows": rows, "timed_out": timed_out, "deadline_s": deadline}
    return {"ms": round(statistics.median(times) * 1000, 2), "min_ms": round(min(times) * 1000, 2),
            "runs": len(times), "rows": rows, "timed_out": timed_out, "deadline_s": deadline}


def time_in_process(store: Path, query: str, *, repeat: int = 3, deadline: float = 20.0) -> dict:
    """Median time of ``query`` (prefixes added) on the built store at ``store``, each run cut at ``deadline``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_time_in_child, args=(sender, store, with_prefixes(query), repeat), daemon=True)
    child.start()
    sender.close()
    times: list[float] = []
    rows = None
    timed_out = False
    try:
        for _ in range(repeat):
            if not receiver.poll(deadline):
                timed_out = True
                break
            try:
                seconds, rows = receiver.recv()
            except EOFError:
                break
            times.append(seconds)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    return _summary(times, rows, timed_out, deadline)


def time_through_server(url: str, query: str, *, repeat: int = 3, deadline: float = 20.0) -> dict:
    """Median time of ``query`` (prefixes declared) sent to the SPARQL endpoint ``url`` one at a time."""
    times: list[float] = []
    rows = None
    statuses = []
    for _ in range(repeat):
        answer = ask(url, with_prefixes(query), timeout=deadline + 10)
        statuses.append(answer.status)
        if answer.status != 200:
            break
        times.append(answer.seconds)
        rows = answer.rows
    summary = _summary(times, rows, any(status in (503, 504) for status in statuses), deadline)
    summary["statuses"] = sorted(set(statuses))
    return summary
