"""Endpoint throughput: the servers side by side, in one run, on the same data and query mix.

Rounds interleave the servers (in a rotating order) at each client count, so that load from
anything else on the machine falls on all of them alike; medians are taken over rounds, and
ratios both of the medians and, round by round, of runs made minutes apart.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.loadgen import ask, run_wrk
from bench.procs import Server
from bench.servers import OXIGRAPH, PROJECT, PROJECT_NO_CACHE, RDFLIB, starters

Log = Callable[[str], None]


def check_answers(server: Server, queries: dict[str, str]) -> dict[str, dict]:
    """Send each query once: its status, row count and time, so that a fast error is not taken for speed."""
    answers = {}
    for name, text in queries.items():
        answer = ask(server.url, text)
        answers[name] = {"status": answer.status, "rows": answer.rows, "ms": round(answer.seconds * 1000, 2)}
    return answers


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator else None


def summarise(runs: list[dict], names: Sequence[str], clients: Sequence[int]) -> dict:
    """Medians per server and client count, and the project's ratios to the other two servers."""
    medians: dict[str, dict[str, dict]] = {}
    for name in names:
        medians[name] = {}
        for count in clients:
            mine = [run for run in runs if run["server"] == name and run["clients"] == count]
            if not mine:
                continue
            medians[name][str(count)] = {
                key: round(statistics.median(run[key] for run in mine), 2)
                for key in ("rps", "p50_ms", "p99_ms")} | {"errors": sum(run["errors"] for run in mine),
                                                           "requests": sum(run["requests"] for run in mine)}
    ratios: dict[str, dict] = {}
    for count in clients:
        key = str(count)
        entry: dict[str, float | None] = {}
        for ours_name in (PROJECT, PROJECT_NO_CACHE):
            ours = medians.get(ours_name, {}).get(key)
            if not ours:
                continue
            for other in (OXIGRAPH, RDFLIB):
                theirs = medians.get(other, {}).get(key)
                if theirs is None:
                    continue
                # A peer that completed no request gives no ratio: None, reported as not measured.
                entry[f"rps {ours_name}/{other}"] = _ratio(ours["rps"], theirs["rps"]) if theirs["requests"] else None
                per_round = [_ratio(a["rps"], b["rps"]) for a in runs for b in runs
                             if a["server"] == ours_name and b["server"] == other and a["clients"] == count
                             and b["clients"] == count and a["round"] == b["round"] and b["requests"]]
                per_round = [value for value in per_round if value is not None]
                entry[f"rps {ours_name}/{other} per round (median)"] = (round(statistics.median(per_round), 2)
                                                                        if per_round else None)
        if entry:
            ratios[key] = entry
    return {"medians": medians, "ratios": ratios}


def compare(store: Path, dump: Path, queries: dict[str, str], *, logs: Path, clients: Sequence[int] = (1, 8, 32),
            seconds: float = 10.0, slow_seconds: float = 40.0, rounds: int = 3,
            names: Sequence[str] = (PROJECT, PROJECT_NO_CACHE, OXIGRAPH, RDFLIB), log: Log = print) -> dict:
    """Run the comparison and return its figures (JSON-ready).

    :param store: a store built by ``inviolable build`` (read by the project's server and Oxigraph's).
    :param dump: the same dataset as N-Quads (loaded by rdflib-endpoint).
    :param queries: the query mix, prefixes declared, by name.
    :param slow_seconds: run length for rdflib-endpoint, which needs about 30 s for one pass of the mix.
    """
    start = starters(store, dump, logs)
    servers: dict[str, Server] = {}
    runs: list[dict] = []
    try:
        for name in names:
            log(f"throughput: starting {name}")
            servers[name] = start[name]()
        checks = {name: check_answers(server, queries) for name, server in servers.items()}
        mix = list(queries.values())
        for round_number in range(rounds):
            for count in clients:
                order = list(names[round_number % len(names):]) + list(names[:round_number % len(names)])
                for name in order:
                    length = slow_seconds if name == RDFLIB else seconds
                    result = run_wrk(servers[name].url, mix, clients=count, seconds=length,
                                     timeout=max(30.0, length)).as_dict()
                    restarted = not servers[name].wait_idle()
                    if restarted:
                        # Still answering requests whose clients left: restart it rather than let that
                        # work run into the next server's measurement.
                        servers[name].stop()
                        servers[name] = start[name]()
                        log(f"throughput: restarted {name}, still busy after its run")
                    runs.append({"server": name, "round": round_number, "restarted_after": restarted, **result})
                    log(f"throughput: round {round_number + 1}/{rounds} {name} c={count}: "
                        f"{result['rps']} req/s p50 {result['p50_ms']:.1f} ms p99 {result['p99_ms']:.1f} ms "
                        f"errors {result['errors']}")
    finally:
        for server in servers.values():
            server.stop()
    return {"settings": {"clients": list(clients), "seconds": seconds, "rdflib_seconds": slow_seconds,
                         "rounds": rounds,
                         "queries": list(queries)},
            "checks": checks, "runs": runs, **summarise(runs, names, clients)}
