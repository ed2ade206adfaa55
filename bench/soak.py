"""Soak: this project's server under steady load for a minute, memory sampled throughout.

Run once with the competency mix alone, and once with a runaway query sent each second beside
it; ``wrk`` measures only the competency queries, so its p99 is the other clients' experience
while the deadline mechanism stops the runaways.
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import Answer, ask, run_wrk
from bench.procs import MemorySampler
from bench.queries import RUNAWAY
from bench.servers import start_project

Log = Callable[[str], None]


class RunawaySender:
    """Sends one runaway query per second (each on its own thread) until stopped; bounded in count."""

    def __init__(self, url: str, *, limit: int, timeout: float) -> None:
        self.url, self.limit, self.timeout = url, limit, timeout
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def _send(self) -> None:
        answer = ask(self.url, RUNAWAY, timeout=self.timeout)
        with self._lock:
            self.answers.append(answer)

    def _tick(self) -> None:
        while not self._stop.is_set() and len(self._threads) < self.limit:
            thread = threading.Thread(target=self._send, daemon=True)
            thread.start()
            self._threads.append(thread)
            self._stop.wait(1.0)

    def __enter__(self) -> RunawaySender:
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._ticker.join()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def summary(self) -> dict:
        """How many runaways were sent, with which statuses, and how long each took to be answered."""
        statuses: dict[str, int] = {}
        for answer in self.answers:
            statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
        seconds = [answer.seconds for answer in self.answers]
        return {"sent": len(self._threads), "answered": len(self.answers), "statuses": statuses,
                "median_s": round(statistics.median(seconds), 2) if seconds else None,
                "max_s": round(max(seconds), 2) if seconds else None}


def _memory(samples: list[tuple[float, int]]) -> dict:
    values = [rss for _, rss in samples]
    if len(values) < 4:
        return {"samples": len(values)}
    quarter = max(1, len(values) // 4)
    first, last = statistics.median(values[:quarter]), statistics.median(values[-quarter:])
    return {"samples": len(values), "first_quarter_mb": round(first / 2**20, 1),
            "last_quarter_mb": round(last / 2**20, 1), "max_mb": round(max(values) / 2**20, 1),
            "growth_pct": round(100 * (last - first) / first, 1) if first else None,
            "series_mb": [round(rss / 2**20, 1) for rss in values]}


def soak(store: Path, queries: dict[str, str], *, logs: Path, seconds: float = 60.0, clients: int = 32,
         runaway: bool = False, deadline: float | None = None, warmup: float = 5.0, log: Log = print) -> dict:
    """One soak run against a freshly started server; returns the load figures, memory and runaways.

    :param deadline: the server's query deadline (``INVIOLABLE_QUERY_TIMEOUT``); its default when None.
    """
    env = {"INVIOLABLE_QUERY_TIMEOUT": str(deadline)} if deadline else {}
    mix = list(queries.values())
    with start_project(store, logs, env=env) as server:
        run_wrk(server.url, mix, clients=clients, seconds=warmup)
        log(f"soak: {seconds:.0f} s at {clients} clients{' with a runaway query each second' if runaway else ''}")
        runaways = None
        with MemorySampler(server) as sampler:
            if runaway:
                with RunawaySender(server.url, limit=int(seconds) + 1, timeout=(deadline or 30.0) + 30) as sender:
                    result = run_wrk(server.url, mix, clients=clients, seconds=seconds)
                runaways = sender.summary()
            else:
                result = run_wrk(server.url, mix, clients=clients, seconds=seconds)
        alive = server.process.poll() is None
    figures = {"clients": clients, "seconds": seconds, "runaway": runaway, "deadline_s": deadline,
               "load": result.as_dict(), "memory": _memory(sampler.samples), "server_alive_after": alive}
    if runaways is not None:
        figures["runaways"] = runaways
    log(f"soak: {result.rps} req/s p99 {result.p99_ms:.1f} ms errors {result.errors}; "
        f"memory {figures['memory'].get('first_quarter_mb')} → {figures['memory'].get('last_quarter_mb')} MB")
    return figures
