"""Latency of the competency queries through the server, and what the deadline mechanism costs.

Run: ``.venv/bin/python bench/server_latency.py [--rounds 5] [--clients 1 8]``.

It builds the store if needed, serves it with ``inviolable serve`` (gunicorn) on a free loopback
port, sends every ``graph/queries/cq-*.rq`` from N concurrent clients and prints the median and
p99 latency per client count; then it times each query in-process directly against pyoxigraph
and through the worker pool, the difference being the cost of being able to stop a query.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from graph.config import settings
from graph.namespaces import PREFIXES
from graph.store import open_built_store
from server.blueprints.ui import examples
from server.config import DEFAULT_QUERIES
from server.pool import QueryPool
from server.worker import QueryJob

JSON = "application/sparql-results+json"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _post(port: int, query: str) -> float:
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/sparql", body=urlencode({"query": query}),
                       headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"status {response.status}")
    return time.perf_counter() - began


def http_latency(port: int, queries: list[str], *, clients: int, rounds: int) -> list[float]:
    """Latencies (s) of every query sent ``rounds`` times by each of ``clients`` threads at once."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        mine = [_post(port, query) for _ in range(rounds) for query in queries]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def deadline_cost(store_path: Path, queries: list[str], *, rounds: int) -> tuple[float, float, float]:
    """Median per-query time directly in-process, through the pool, and for a trivial ASK through the pool."""
    store = open_built_store(store_path, read_only=True)
    pool = QueryPool(store.reopen, size=1)
    direct, pooled = [], []
    try:
        for _ in range(rounds):
            for query in queries:
                began = time.perf_counter()
                result = store.query(query, prefixes=PREFIXES)
                result.serialize(io.BytesIO(), ox.QueryResultsFormat.JSON)
                direct.append(time.perf_counter() - began)
                began = time.perf_counter()
                pool.run(QueryJob(query, results_media=JSON), timeout=30)
                pooled.append(time.perf_counter() - began)
        trivial = []
        for _ in range(200):
            began = time.perf_counter()
            pool.run(QueryJob("ASK {}", results_media=JSON), timeout=30)
            trivial.append(time.perf_counter() - began)
    finally:
        pool.close()
    return statistics.median(direct), statistics.median(pooled), statistics.median(trivial)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=settings().store)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args(argv)
    queries = [example["query"] for example in examples(DEFAULT_QUERIES)]
    if not queries:
        print("no competency queries in graph/queries", file=sys.stderr)
        return 1
    binary = Path(sys.executable).with_name("inviolable")
    port = _free_port()
    server = subprocess.Popen([str(binary), "serve", "--build-if-needed", "--store", str(args.store),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                _post(port, "ASK {}")
                break
            except (OSError, RuntimeError):
                time.sleep(0.2)
        http_latency(port, queries, clients=1, rounds=1)
        print(f"{len(queries)} competency queries, {args.rounds} rounds per client, {os.cpu_count()} CPUs")
        for clients in args.clients:
            latencies = http_latency(port, queries, clients=clients, rounds=args.rounds)
            print(f"{clients:>2} client(s): median {statistics.median(latencies) * 1000:7.1f} ms   "
                  f"p99 {_percentile(latencies, 0.99) * 1000:7.1f} ms   ({len(latencies)} requests)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    open_built_store(args.store)  # fails early with a clear message if the build is gone
    direct, pooled, trivial = deadline_cost(args.store, queries, rounds=args.rounds)
    print(f"deadline mechanism: median per query {direct * 1000:.2f} ms direct vs {pooled * 1000:.2f} ms "
          f"through a worker (+{(pooled - direct) * 1000:.2f} ms); ASK {{}} round trip {trivial * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
