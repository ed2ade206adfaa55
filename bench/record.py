"""Where a figure comes from: the exact command, the date, the load average, and how fast the host was.

Every section of the benchmark runs inside :func:`recorded`, which keeps these facts with the
figures and warns (on the log and in the Markdown) when the machine was not idle, so that a
figure measured on a busy machine is never pasted into the docs unmarked.

The load average only counts this machine's own work. On a shared virtual machine the host also
takes CPU away (steal time, in ``/proc/stat``), and the same command can run markedly slower on one
day than another. So each section also records the share of CPU time stolen while it ran, and the
time of a fixed calibration workload (:func:`calibration_ms`) just before it: a re-run whose
calibration is slower than the one beside a published figure is expected to give a slower figure.
"""

from __future__ import annotations

import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: One-minute load average per core above which a run is reported as not idle.
IDLE_LOAD_PER_CORE = 0.25
#: Share of CPU time (percent) taken by the host above which a run is reported as contended.
CONTENDED_STEAL_PERCENT = 5.0
_PROC_STAT = Path("/proc/stat")


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(value, 2) for value in os.getloadavg()]


def busy(load: list[float], *, cores: int | None = None) -> bool:
    """Whether a one-minute load average means the machine was doing something else.

    >>> busy([0.1, 0.2, 0.3], cores=2), busy([1.5, 0.2, 0.3], cores=2)
    (False, True)
    """
    return load[0] > IDLE_LOAD_PER_CORE * (cores or os.cpu_count() or 1)


def cpu_ticks(stat: str | None = None) -> tuple[int, int] | None:
    """All CPU ticks so far and the ticks stolen by the host, from ``/proc/stat`` (None where unreadable).

    >>> cpu_ticks("cpu  100 0 50 800 10 0 5 35 0 0\\ncpu0 1 2 3")
    (1000, 35)
    """
    try:
        text = _PROC_STAT.read_text() if stat is None else stat
        fields = [int(value) for value in text.splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    # guest time is already counted in user time: the first eight fields are the whole.
    return sum(fields[:8]), fields[7] if len(fields) > 7 else 0


def steal_percent(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time the host took between two :func:`cpu_ticks` readings, in percent.

    >>> steal_percent((1000, 35), (2000, 135)), steal_percent(None, (1, 1))
    (10.0, None)
    """
    if before is None or after is None or after[0] <= before[0]:
        return None
    return round(100 * (after[1] - before[1]) / (after[0] - before[0]), 1)


def calibration_ms(repeat: int = 5) -> float:
    """Median milliseconds of a fixed single-threaded workload: load and query 20,000 triples with
    pyoxigraph, then sort them in Python. It depends on nothing but the CPU the process gets."""
    import pyoxigraph as ox

    text = "".join(f"<urn:s:{n % 997}> <urn:p:{n % 13}> \"{n}\" .\n" for n in range(20_000)).encode()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        store = ox.Store()
        store.load(text, format=ox.RdfFormat.N_TRIPLES)
        rows = list(store.query("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n)"))
        sorted(str(quad) for quad in store)
        times.append(time.perf_counter() - began)
        assert len(rows) == 997
    return round(statistics.median(times) * 1000, 1)


def command_line(argv: list[str] | None = None) -> str:
    """The command that is running, as a user would type it from the project folder.

    >>> command_line(["/x/bench/validation.py", "--cases", "1M"]).endswith("-m bench.validation --cases 1M")
    True
    """
    argv = list(sys.argv if argv is None else argv)
    script = argv[0].replace("\\", "/")
    name = script.rpartition("/")[2].removesuffix(".py")
    module = "bench" if name == "__main__" else f"bench.{name}"
    return shlex.join([".venv/bin/python", "-m", module, *argv[1:]])


@contextmanager
def recorded(section: str, *, log: Callable[[str], None] = print) -> Iterator[dict]:
    """Record the command, the UTC start and end, and the load average around a benchmark section.

    The yielded dict is filled in on exit; keep it with the section's figures.
    """
    load_before = load_average()  # before the calibration, which adds to it
    facts: dict = {"section": section, "command": command_line(), "cores": os.cpu_count(),
                   "calibration_ms": calibration_ms(),
                   "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_before": load_before}
    if busy(facts["load_before"]):
        log(f"WARNING: the machine is not idle before {section} (load average {facts['load_before']}); "
            "these figures are not fit for the docs")
    ticks = cpu_ticks()
    try:
        yield facts
    finally:
        facts["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        facts["load_after"] = load_average()
        facts["steal_percent"] = steal_percent(ticks, cpu_ticks())
        facts["idle"] = not busy(facts["load_before"])
        if (facts["steal_percent"] or 0) > CONTENDED_STEAL_PERCENT:
            log(f"WARNING: the host took {facts['steal_percent']} % of the CPU time during {section}; "
                "these figures are slower than this machine's own")


def provenance(facts: dict | None) -> list[str]:
    """Markdown lines saying how, when and under what load a section was measured.

    >>> provenance({"command": "x", "started_at": "2026-12-02T01:00:00Z", "finished_at": "2026-12-02T01:03:00Z",
    ...             "load_before": [2.0, 1, 1], "load_after": [2.5, 1, 1], "idle": False})[0][:40]
    '*Measured 2026-12-02T01:00:00Z – 2026-12'
    """
    if not facts:
        return ["*No record of how these figures were measured: re-run them before quoting them.*"]
    lines = [f"*Measured {facts['started_at']} – {facts.get('finished_at', '?')} with `{facts['command']}`; "
             f"load average (1, 5, 15 min) {_load(facts['load_before'])} before, "
             f"{_load(facts.get('load_after'))} after; {host_speed(facts)}.*"]
    if not facts.get("idle", False):
        lines.append("**Warning: the machine was not idle when this run started; do not publish these figures.**")
    if (facts.get("steal_percent") or 0) > CONTENDED_STEAL_PERCENT:
        lines.append(f"**Warning: the host took {facts['steal_percent']} % of the CPU time during the run.**")
    return lines


def host_speed(facts: dict) -> str:
    """How fast the host was: the calibration workload and the CPU time it stole, as recorded.

    >>> host_speed({"calibration_ms": 101.5, "steal_percent": 0.4})
    'calibration 101.5 ms, CPU stolen by the host 0.4 %'
    >>> host_speed({})
    'calibration not measured, CPU stolen by the host not measured'
    """
    calibration = facts.get("calibration_ms")
    steal = facts.get("steal_percent")
    return (f"calibration {calibration} ms" if calibration is not None else "calibration not measured") + (
        f", CPU stolen by the host {steal} %" if steal is not None else ", CPU stolen by the host not measured")


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{value:.2f}" for value in values) if values else "?"


__all__ = ["CONTENDED_STEAL_PERCENT", "IDLE_LOAD_PER_CORE", "busy", "calibration_ms", "command_line", "cpu_ticks",
           "host_speed", "load_average", "provenance", "recorded", "steal_percent"]
