"""The runaway soak script runs end to end over a tiny store: its figures are not checked, their shape is."""

from __future__ import annotations

from pathlib import Path

from bench.soak import RUNAWAY_SOURCE, _smoke_store, compare, distinct_runaway, render, soak
from tests.conftest import require_executable


def test_soak_smoke_runs_with_runaways_from_another_client(tmp_path: Path) -> None:
    require_executable("wrk")
    store = _smoke_store(tmp_path / "store")
    logs = tmp_path / "logs"
    logs.mkdir()
    figures = soak(store, {"ask": "ASK { ?s ?p ?o }"}, logs=logs, seconds=3, clients=4, runaway=True,
                   deadline=1.0, warmup=1.0, log=lambda _: None)
    assert figures["server_alive_after"] and figures["load"]["requests"] > 0
    assert figures["load"]["errors"] == 0
    assert figures["runaways"]["sent"] >= 2 and set(figures["runaways"]["statuses"]) <= {"503", "429"}
    assert "target_met" in figures
    log = (logs / "inviolable.log").read_text()
    assert RUNAWAY_SOURCE in log and "127.0.0.1" in log


def test_soak_compare_prints_the_mix_alone_and_with_runaways_side_by_side(tmp_path: Path) -> None:
    require_executable("wrk")
    store = _smoke_store(tmp_path / "store")
    logs = tmp_path / "logs"
    logs.mkdir()
    compared = compare(store, {"ask": "ASK { ?s ?p ?o }"}, logs=logs, seconds=2, clients=2, deadline=1.0,
                       warmup=1.0, log=lambda _: None)
    alone, loaded = compared["runs"]["mix alone"], compared["runs"]["mix + runaways"]
    assert "runaways" not in alone and loaded["runaways"]["sent"] >= 1
    assert alone["primed"]["ask"]["status"] == 200
    # The statuses come from the server's access log, by client: the mix from 127.0.0.1 only.
    assert set(alone["statuses"]) == {"127.0.0.1"} and alone["statuses"]["127.0.0.1"]["200"] > 0
    assert RUNAWAY_SOURCE in loaded["statuses"]
    for run in (alone, loaded):
        memory = run["memory"]
        assert memory["pss_mb"]["peak"] >= memory["pss_mb"]["start"] > 0
        assert memory["rss_mb"]["peak"] >= memory["pss_mb"]["peak"]
    table = render(compared)
    assert "| | mix alone | mix + runaways |" in table and "p99 ms" in table
    assert compared["provenance"]["command"] in table and "load average" in table


def test_soak_runaways_are_distinct_texts() -> None:
    assert len({distinct_runaway(number) for number in range(60)}) == 60
