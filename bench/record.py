"""Where a figure comes from: the exact command, the date, and the load average before and after.

Every section of the benchmark runs inside :func:`recorded`, which keeps these facts with the
figures and warns (on the log and in the Markdown) when the machine was not idle, so that a
figure measured on a busy machine is never pasted into the docs unmarked.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: One-minute load average per core above which a run is reported as not idle.
IDLE_LOAD_PER_CORE = 0.25


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(value, 2) for value in os.getloadavg()]


def busy(load: list[float], *, cores: int | None = None) -> bool:
    """Whether a one-minute load average means the machine was doing something else.

    >>> busy([0.1, 0.2, 0.3], cores=2), busy([1.5, 0.2, 0.3], cores=2)
    (False, True)
    """
    return load[0] > IDLE_LOAD_PER_CORE * (cores or os.cpu_count() or 1)


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
    facts: dict = {"section": section, "command": command_line(), "cores": os.cpu_count(),
                   "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_before": load_average()}
    if busy(facts["load_before"]):
        log(f"WARNING: the machine is not idle before {section} (load average {facts['load_before']}); "
            "these figures are not fit for the docs")
    try:
        yield facts
    finally:
        facts["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        facts["load_after"] = load_average()
        facts["idle"] = not busy(facts["load_before"])


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
             f"{_load(facts.get('load_after'))} after.*"]
    if not facts.get("idle", False):
        lines.append("**Warning: the machine was not idle when this run started; do not publish these figures.**")
    return lines


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{value:.2f}" for value in values) if values else "?"


__all__ = ["IDLE_LOAD_PER_CORE", "busy", "command_line", "load_average", "provenance", "recorded"]
