"""The runaway soak script runs end to end (a few seconds over a tiny store); its figures are not checked."""

from __future__ import annotations

from pathlib import Path

from bench.soak import RUNAWAY_SOURCE, _smoke_store, soak
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
