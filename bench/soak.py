"""Soak: this project's server under steady load for a minute, memory sampled throughout.

Run once with the competency mix alone, and once with a runaway query sent each second beside
it, each against a fresh server, one after the other in the same invocation; ``wrk`` measures only
the competency queries, so the second run's p99 is the other clients' experience while the deadline
mechanism, the slow lane and the per-client limit deal with the runaways (the target is a p99 under
100 ms at 32 clients), and the first run's is what the mix costs by itself.

Before each measured run every query of the mix is sent once, one at a time (its status and time are
kept), then ``wrk`` warms the server up and the script waits for it to be idle. Each runaway is a
distinct text (the cross product with a different one-row ``VALUES``), so that the server cannot run
two of them as one. The statuses of the answers during the measured run are read from the server's
access log, by client: ``wrk`` counts only that an answer was not 2xx.

Memory is sampled each second: resident memory summed over the server's processes (it counts the
pages a forked worker shares with the web process once per process), the proportional set size
(shared pages counted once), the web process alone, and the number of processes.

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
import re
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import RESULTS_JSON, Answer, ask, run_wrk
from bench.procs import MemoryReading, MemorySampler
from bench.queries import RUNAWAY
from bench.record import host_speed, recorded
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


def distinct_runaway(number: int) -> str:
    """The runaway query, made distinct by a one-row ``VALUES`` that changes nothing in its cost.

    >>> distinct_runaway(1) != distinct_runaway(2) and distinct_runaway(1).startswith(RUNAWAY)
    True
    """
    return f"{RUNAWAY} VALUES ?runaway {{ {number} }}"


class RunawaySender:
    """Sends one runaway query per second (each on its own thread) until stopped; bounded in count."""

    def __init__(self, url: str, *, limit: int, timeout: float) -> None:
        self.url, self.limit, self.timeout = url, limit, timeout
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def _send(self, number: int) -> None:
        answer = ask_from(RUNAWAY_SOURCE, self.url, distinct_runaway(number), timeout=self.timeout)
        with self._lock:
            self.answers.append(answer)

    def _tick(self) -> None:
        while not self._stop.is_set() and len(self._threads) < self.limit:
            thread = threading.Thread(target=self._send, args=(len(self._threads),), daemon=True)
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


def _memory(samples: list[tuple[float, int]], readings: list[MemoryReading] | None = None) -> dict:
    figures: dict = {"samples": len(samples)}
    if readings:
        def spread(read: Callable[[MemoryReading], int], scale: float = 2**20) -> dict:
            return {"start": round(read(readings[0]) / scale, 1), "end": round(read(readings[-1]) / scale, 1),
                    "peak": round(max(read(r) for r in readings) / scale, 1)}
        figures.update({"rss_mb": spread(lambda r: r.rss), "pss_mb": spread(lambda r: r.pss),
                        "web_process_mb": spread(lambda r: r.main_rss),
                        "processes": spread(lambda r: r.processes, 1)})
    values = [rss for _, rss in samples]
    if len(values) < 4:
        return figures
    quarter = max(1, len(values) // 4)
    first, last = statistics.median(values[:quarter]), statistics.median(values[-quarter:])
    figures.update({"first_quarter_mb": round(first / 2**20, 1), "last_quarter_mb": round(last / 2**20, 1),
                    "max_mb": round(max(values) / 2**20, 1),
                    "growth_pct": round(100 * (last - first) / first, 1) if first else None,
                    "series_mb": [round(rss / 2**20, 1) for rss in values]})
    return figures


_ACCESS = re.compile(r'^(\S+) .*?"(?:GET|POST|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) ')
_QUESTION = re.compile(r"#\s*(\d+)\.")


def statuses(log_text: str) -> dict[str, dict[str, int]]:
    """Answers in a stretch of the server's access log, by client address and status.

    Each competency query is also counted under its number (``cq-11 503``) when it is not a 200.

    >>> statuses('127.0.0.1 - - [x] "GET /sparql?query=%23+11.+x HTTP/1.1" 503 149 "-" "-"\\n')
    {'127.0.0.1': {'503': 1, 'cq-11 503': 1}}
    """
    found: dict[str, dict[str, int]] = {}
    for line in log_text.splitlines():
        match = _ACCESS.match(line)
        if not match:
            continue
        client, target, status = match.groups()
        counts = found.setdefault(client, {})
        counts[status] = counts.get(status, 0) + 1
        if status != "200":
            question = _QUESTION.search(urllib.parse.unquote_plus(target))
            if question:
                name = f"cq-{int(question.group(1)):02d} {status}"
                counts[name] = counts.get(name, 0) + 1
    return found


def _prime(url: str, queries: dict[str, str], *, timeout: float) -> dict[str, dict]:
    """Send each query once, one at a time: status and seconds (the cache's first fill)."""
    primed = {}
    for name, query in queries.items():
        answer = ask(url, query, timeout=timeout)
        primed[name] = {"status": answer.status, "seconds": round(answer.seconds, 3)}
    return primed


def soak(store: Path, queries: dict[str, str], *, logs: Path, seconds: float = 60.0, clients: int = 32,
         runaway: bool = False, deadline: float | None = None, warmup: float = 5.0, log: Log = print) -> dict:
    """One soak run against a freshly started server; returns the load figures, memory and runaways.

    :param deadline: the server's query deadline (``INVIOLABLE_QUERY_TIMEOUT``); its default when None.
    """
    env = {"INVIOLABLE_QUERY_TIMEOUT": str(deadline)} if deadline else {}
    env["INVIOLABLE_CLIENT_QUERIES"] = str(max(4, 2 * clients))
    mix = list(queries.values())
    wait = (deadline or 10.0) + 30
    with start_project(store, logs, env=env) as server:
        primed = _prime(server.url, queries, timeout=wait)
        run_wrk(server.url, mix, clients=clients, seconds=warmup)
        idle = server.wait_idle(timeout=30.0)  # what the warm-up left running must not share the measured run
        log(f"soak: {seconds:.0f} s at {clients} clients{' with a runaway query each second' if runaway else ''}")
        runaways = None
        offset = server.log.stat().st_size
        with MemorySampler(server) as sampler:
            if runaway:
                with RunawaySender(server.url, limit=int(seconds) + 1, timeout=wait) as sender:
                    result = run_wrk(server.url, mix, clients=clients, seconds=seconds)
                runaways = sender.summary()
            else:
                result = run_wrk(server.url, mix, clients=clients, seconds=seconds)
        time.sleep(1.5)  # the access log is written in batches, at most a second late (server.access_log)
        with server.log.open("rb") as access:
            access.seek(offset)
            answered = statuses(access.read().decode("utf-8", "replace"))
        alive = server.process.poll() is None
    figures = {"clients": clients, "seconds": seconds, "runaway": runaway, "deadline_s": deadline,
               "primed": primed, "idle_before": idle, "load": result.as_dict(),
               "statuses": answered, "memory": _memory(sampler.samples, sampler.readings),
               "server_alive_after": alive}
    if runaways is not None:
        figures["runaways"] = runaways
        figures["target_p99_ms"] = TARGET_P99_MS
        figures["target_met"] = result.p99_ms < TARGET_P99_MS
    log(f"soak: {result.rps} req/s p99 {result.p99_ms:.1f} ms errors {result.errors}; "
        f"memory {figures['memory'].get('first_quarter_mb')} → {figures['memory'].get('last_quarter_mb')} MB")
    return figures


def compare(store: Path, queries: dict[str, str], *, logs: Path, seconds: float = 60.0, clients: int = 32,
            deadline: float | None = None, warmup: float = 5.0, log: Log = print) -> dict:
    """The mix alone, then the mix with runaways, each on a fresh server; both runs with their provenance."""
    with recorded("soak", log=log) as facts:
        runs = {"mix alone": soak(store, queries, logs=logs, seconds=seconds, clients=clients, runaway=False,
                                  deadline=deadline, warmup=warmup, log=log),
                "mix + runaways": soak(store, queries, logs=logs, seconds=seconds, clients=clients, runaway=True,
                                       deadline=deadline, warmup=warmup, log=log)}
    return {"provenance": facts, "runs": runs}


def _mb(figures: dict, kind: str) -> str:
    found = figures["memory"].get(kind)
    return f"{found['start']:,.0f} / {found['end']:,.0f} / {found['peak']:,.0f}" if found else "?"


def render(compared: dict) -> str:
    """The two runs side by side, as Markdown, with the command, the date and the load average."""
    facts, runs = compared["provenance"], compared["runs"]
    names = list(runs)
    rows = [("requests", lambda f: f"{f['load']['requests']:,}"),
            ("req/s", lambda f: f"{f['load']['rps']:.1f}"),
            ("p50 ms", lambda f: f"{f['load']['p50_ms']:.1f}"),
            ("p99 ms", lambda f: f"{f['load']['p99_ms']:.1f}"),
            ("max ms", lambda f: f"{f['load']['max_ms']:.1f}"),
            ("errors (wrk)", lambda f: f"{f['load']['errors']} {f['load']['error_kinds'] or ''}".strip()),
            ("mix answers by status", lambda f: _counts(f["statuses"].get("127.0.0.1", {}))),
            ("runaways by status", lambda f: _counts(f.get("runaways", {}).get("statuses", {})) or "none"),
            ("runaway median / max s", lambda f: (f"{f['runaways']['median_s']} / {f['runaways']['max_s']}"
                                                  if f.get("runaways") else "none")),
            ("memory RSS sum MB start / end / peak", lambda f: _mb(f, "rss_mb")),
            ("memory PSS sum MB start / end / peak", lambda f: _mb(f, "pss_mb")),
            ("web process RSS MB start / end / peak", lambda f: _mb(f, "web_process_mb")),
            ("processes start / end / peak", lambda f: _mb(f, "processes")),
            ("slowest first answer (priming)", lambda f: _slowest(f.get("primed", {})))]
    lines = [f"Runaway soak, {runs[names[0]]['clients']} clients, {runs[names[0]]['seconds']:.0f} s each",
             "", f"command: `{facts['command']}`",
             f"date: {facts['started_at']} – {facts.get('finished_at', '?')} (UTC)",
             f"load average (1, 5, 15 min): {facts['load_before']} before, {facts.get('load_after')} after",
             f"host: {host_speed(facts)}",
             *([] if facts.get("idle") else ["WARNING: the machine was not idle: figures for direction only"]),
             "", "| | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    lines += [f"| {label} | " + " | ".join(cell(runs[name]) for name in names) + " |" for label, cell in rows]
    target = runs.get("mix + runaways", {})
    if "target_met" in target:
        lines += ["", f"target p99 < {TARGET_P99_MS:g} ms with runaways: {'met' if target['target_met'] else 'missed'}"]
    return "\n".join(lines)


def _counts(counts: dict) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(counts.items())) if counts else ""


def _slowest(primed: dict) -> str:
    if not primed:
        return "?"
    name = max(primed, key=lambda key: primed[key]["seconds"])
    return f"{name} {primed[name]['seconds']:.2f} s ({primed[name]['status']})"


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
    """Run the mix alone and the mix with runaways (or only one of them); print both side by side, and JSON."""
    from bench.env import WORK_DIR

    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--deadline", type=float, default=None, help="the server's query deadline (default its own)")
    p.add_argument("--no-runaway", action="store_true", help="only the competency mix alone")
    p.add_argument("--store", type=Path, default=None, help="a built store (default: build the real graph)")
    p.add_argument("--logs", type=Path, default=None, help="where the server logs go (default var/bench/logs)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="a few seconds over a tiny store, to check the script")
    args = p.parse_args(argv)
    logs = args.logs or WORK_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if args.smoke:
        store = _smoke_store(WORK_DIR / "soak-smoke")
        queries = {"ask": "ASK { ?s ?p ?o }", "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    else:
        from bench.data import real_store
        from bench.queries import competency, declared

        store = args.store or real_store(WORK_DIR)[0]
        queries = declared(competency())
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
    options = {"logs": logs, "seconds": args.seconds, "clients": args.clients, "deadline": args.deadline,
               "warmup": 1.0 if args.smoke else 5.0, "log": say}
    if args.no_runaway:
        with recorded("soak", log=say) as facts:
            compared = {"provenance": facts, "runs": {"mix alone": soak(store, queries, runaway=False, **options)}}
    else:
        compared = compare(store, queries, **options)
    for figures in compared["runs"].values():
        figures["memory"].pop("series_mb", None)
    print(render(compared))
    print(json.dumps(compared, indent=1))
    if args.json:
        args.json.write_text(json.dumps(compared, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
