"""Memory of a runaway query's worker, without the cap and under it.

Runs an ``ORDER BY`` over a cross product (a query whose memory grows until it is stopped) in a query
pool over a built store, samples the private memory (USS) of the pool's workers until the query
ends (deadline, or 507 at the cap), and reports the peak. Run on an idle machine:

    .venv/bin/python -m bench.memory_cap --store var/store --deadline 10 --budget-mb 512

``--smoke`` runs it over a tiny in-memory store with a small budget, to check the script.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.record import provenance, recorded
from server.errors import ApiError
from server.pool import QueryPool
from server.worker import QueryJob

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


def _workers_rss() -> int:
    """The private memory (USS) of the largest worker (the one running the runaway)."""
    return max((child.memory_full_info().uss for child in psutil.Process().children(recursive=True)
                if child.is_running()), default=0)


def measure(opener: Any, *, budget_mb: int | None, deadline: float, interval: float = 0.1) -> dict:
    """Run the runaway once in a one-worker pool; return its outcome and its worker's peak memory."""
    pool = QueryPool(opener, size=1, memory_budget=budget_mb * 2**20 if budget_mb else None)
    try:
        idle = _workers_rss()
        peak, done = idle, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                try:
                    peak = max(peak, _workers_rss())
                except psutil.Error:
                    pass
                time.sleep(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        began = time.monotonic()
        try:
            pool.run(QueryJob(RUNAWAY, results_media="application/sparql-results+json"), timeout=deadline)
            status = 200
        except ApiError as error:
            status = error.status
        seconds = time.monotonic() - began
        done.set()
        sampler.join()
        return {"budget_mb": budget_mb, "status": status, "seconds": round(seconds, 2),
                "idle_worker_mb": round(idle / 2**20, 1), "peak_worker_mb": round(peak / 2**20, 1)}
    finally:
        pool.close()


def main(argv: list[str] | None = None) -> int:
    """Measure without a cap and with the given budget; print both as JSON."""
    p = argparse.ArgumentParser(prog="python -m bench.memory_cap", description=__doc__.splitlines()[0])
    p.add_argument("--store", type=Path, default=Path("var/store"), help="a built store")
    p.add_argument("--deadline", type=float, default=10.0)
    p.add_argument("--budget-mb", type=int, default=512)
    p.add_argument("--smoke", action="store_true", help="a tiny in-memory store and a 64 MiB budget")
    args = p.parse_args(argv)
    if args.smoke:
        import pyoxigraph as ox

        from graph.store import OxigraphStore

        memory = OxigraphStore()
        memory.bulk_load(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(i))
                         for i in range(300))
        opener, budget, deadline = (lambda: memory), 64, min(args.deadline, 6.0)
    else:
        from graph.store import open_store

        path = args.store

        def opener() -> Any:
            return open_store(path, read_only=True)

        budget, deadline = args.budget_mb, args.deadline
    with recorded("memory cap", log=lambda line: print(line, file=sys.stderr)) as facts:
        figures = [measure(opener, budget_mb=None, deadline=deadline),
                   measure(opener, budget_mb=budget, deadline=deadline)]
    print(json.dumps(figures, indent=1))
    print("\n".join(provenance(facts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
