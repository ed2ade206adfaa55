"""Fairness on a live server: a client's runaways never keep other clients' short queries waiting.

The assertions are about order and completion (which answer comes while what still runs), never about
how long anything took.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote

import pyoxigraph as ox

from graph.namespaces import GRAPH
from graph.store import OxigraphStore
from server.testing import LiveServer

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _store() -> OxigraphStore:
    store = OxigraphStore()
    store.bulk_load_quads(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(i),
                                  ox.NamedNode(str(GRAPH["fairness"]))) for i in range(300))
    return store


def _get_from(source: str, port: int, query: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
    try:
        connection.request("GET", f"/sparql?query={quote(query)}")
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else {}
    finally:
        connection.close()


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.05)
    return True


def test_fairness_short_query_answered_while_more_runaways_than_the_slow_lane_holds() -> None:
    # One pool worker and the default slow lane (8 places per worker): the ninth runaway finds the lane full.
    with ThreadPoolExecutor(max_workers=10) as background:
        # SLOW_AFTER leaves the short query ample time to finish before it could itself be moved to the lane.
        with LiveServer({"STORE": _store(), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 60, "CLIENT_QUERIES": 16,
                         "SLOW_AFTER": 1.0}) as live:
            pool = live.app.extensions["inviolable"].pool
            runaways: list[Future] = []
            for number in range(9):
                # Distinct texts: identical queries would share one run.
                text = f"{RUNAWAY} VALUES ?n0 {{ {number} }}"
                runaways.append(background.submit(_get_from, "127.0.0.2", live.port, text))
                places = min(number + 1, 8)
                assert _until(lambda: pool.load()["slow"] == places and pool.load()["idle"] == 1, 50)  # noqa: B023
            # The lane was full: its oldest runaway (that client holds every place) made room for the ninth.
            assert _until(lambda: any(future.done() for future in runaways), 50), "no runaway gave up its place"
            status, body = runaways[0].result()
            assert status == 503 and body["status"] == 503 and "slow queries is full" in body["error"]
            status, body = _get_from("127.0.0.1", live.port, "ASK { ?s ?p 5 }")
            assert status == 200 and body["boolean"] is True
            assert not any(future.done() for future in runaways[1:])
