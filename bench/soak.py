"""Soak: this project's server under steady load for a minute, memory sampled throughout.

Run once with the competency mix alone, and once with a runaway query sent each second beside
it; ``wrk`` measures only the competency queries, so its p99 is the other clients' experience
while the deadline mechanism, the slow lane and the per-client limit deal with the runaways
(the target is a p99 under 100 ms at 32 clients).

The runaways come from another loopback address (``127.0.0.2``) than ``wrk``'s connections, as
they would from another client. All of ``wrk``'s connections share one address, so the server's
per-client limit is raised to twice the number of connections for the run (``wrk`` leaves requests
running on the server when a run ends, and the next run's connections must not be refused for them).

Standalone: ``python -m bench.soak --seconds 60 --clients 32`` (builds the real graph first unless
``--store`` names a built store); ``--smoke`` runs a few seconds over a tiny store.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import RESULTS_JSON, Answer, run_wrk
from bench.procs import MemorySampler
from bench.queries import RUNAWAY
from bench.servers import start_project

Log = Callable[[str], None]
RUNAWAY_SOURCE = "127.0.0.2"
TARGET_P99_MS = 100.0


def ask_from(source: str, url: str, query: str, *, timeout: float) -> Answer:
    """Send one query by GET from the loopback address ``source``; rows are not counted."""
    split = urllib.parse.urlsplit(url)
    began = time.perf_counter()
    connection = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=timeout,
                                            source_address=(source, 0))
    try:
        connection.request("GET", f"{split.path}?{urllib.parse.urlencode({'query': query})}",
                           headers={"Accept": RESULTS_JSON})
        response = connection.getresponse()
        response.read()
        return Answer(response.status, None, time.perf_counter() - began)
    except (OSError, http.client.HTTPException):
        return Answer(0, None, time.perf_counter() - began)
    finally:
        connection.close()


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
        answer = ask_from(RUNAWAY_SOURCE, self.url, RUNAWAY, timeout=self.timeout)
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
    env["INVIOLABLE_CLIENT_QUERIES"] = str(max(4, 2 * clients))
    mix = list(queries.values())
    with start_project(store, logs, env=env) as server:
        run_wrk(server.url, mix, clients=clients, seconds=warmup)
        time.sleep(1.0)  # let the server finish what the warm-up left running
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
        figures["target_p99_ms"] = TARGET_P99_MS
        figures["target_met"] = result.p99_ms < TARGET_P99_MS
    log(f"soak: {result.rps} req/s p99 {result.p99_ms:.1f} ms errors {result.errors}; "
        f"memory {figures['memory'].get('first_quarter_mb')} → {figures['memory'].get('last_quarter_mb')} MB")
    return figures


def _smoke_store(directory: Path) -> Path:
    """A tiny on-disk store, for a smoke run of the script."""
    import pyoxigraph as ox

    from graph.store import OxigraphStore, store_directory
    from server.testing import SAMPLE_TRIG

    store_directory(directory).mkdir(parents=True, exist_ok=True)
    opened = OxigraphStore(store_directory(directory))
    opened.load(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG)
    opened.flush()
    del opened
    return directory


def main(argv: list[str] | None = None) -> int:
    """Run one runaway soak (or one without runaways) and print its figures as JSON."""
    from bench.env import WORK_DIR

    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--deadline", type=float, default=None, help="the server's query deadline (default its own)")
    p.add_argument("--no-runaway", action="store_true", help="the competency mix alone")
    p.add_argument("--store", type=Path, default=None, help="a built store (default: build the real graph)")
    p.add_argument("--smoke", action="store_true", help="a few seconds over a tiny store, to check the script")
    args = p.parse_args(argv)
    logs = WORK_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if args.smoke:
        store = _smoke_store(WORK_DIR / "soak-smoke")
        queries = {"ask": "ASK { ?s ?p ?o }", "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    else:
        from bench.data import real_store
        from bench.queries import competency, declared

        store = args.store or real_store(WORK_DIR)[0]
        queries = declared(competency())
    figures = soak(store, queries, logs=logs, seconds=args.seconds, clients=args.clients,
                   runaway=not args.no_runaway, deadline=args.deadline, warmup=1.0 if args.smoke else 5.0,
                   log=lambda line: print(line, file=sys.stderr, flush=True))
    figures["memory"].pop("series_mb", None)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
