"""Reads never fail while writes run: readers against a live server on an on-disk store.

The issue's figure is 200 writes: ``INVIOLABLE_TEST_WRITES=200 .venv/bin/pytest tests/test_writes_reads.py``.
"""

from __future__ import annotations

import http.client
import os
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bench.crash import GRAPH, TOKEN, make_store
from server.testing import LiveServer

WRITES = int(os.environ.get("INVIOLABLE_TEST_WRITES", "40"))
READERS = 8
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _post(port: int, update: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/sparql", body=update.encode(), headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_writes_reads_never_fail_during_writes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    make_store(store)
    config = {"STORE": store, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 2, "SOURCES": None, "QUERY_TIMEOUT": 30,
              "CLIENT_QUERIES": 64}
    failures: Counter[str] = Counter()
    reads = Counter[str]()
    done = threading.Event()
    with LiveServer(config) as live:
        query = "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")

        def read() -> None:
            while not done.is_set():
                status, body = _get(live.port, query)
                reads["total"] += 1
                if status != 200:
                    failures[f"{status} {body[:120]!r}"] += 1

        threads = [threading.Thread(target=read, daemon=True) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        statuses = Counter()
        for number in range(WRITES):
            verb = "INSERT" if number % 2 == 0 else "DELETE"
            statuses[_post(live.port, f'{verb} DATA {{ GRAPH <{GRAPH}> {{ <urn:w> <{COMMENT}> "w" }} }}')] += 1
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    assert statuses == {200: WRITES}
    assert reads["total"] > WRITES
    assert failures == Counter(), f"{sum(failures.values())} of {reads['total']} reads failed: {failures}"
