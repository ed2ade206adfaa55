"""Cost against graph size: generate, build and validate, then time the queries, at each size.

Generation and build each run in a fresh interpreter (``bench.stage``) so that the peak memory
reported is the build's own; the query times are taken on the built store, in-process and
through this project's server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.floor import time_in_process, time_through_server
from bench.queries import NOT_IN_SYNTHETIC, competency, synthetic
from bench.servers import start_project
from bench.synthetic import generate
from graph.config import PROJECT_ROOT
from graph.store import open_built_store

Log = Callable[[str], None]
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([km]?)$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """A size in triples from ``10k``, ``1M``, ``250000``.

    :raises ValueError: when the text is not a number with an optional k or M.

    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    match = _SIZE.match(text.strip())
    if not match:
        raise ValueError(f"not a size: {text!r} (write 10k, 100k, 1M …)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])


def label(size: int) -> str:
    """The short name of a size: ``10k``, ``1M``.

    >>> label(10_000), label(5_000_000), label(2500)
    ('10k', '5M', '2500')
    """
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def incidents_for_size(size: int, *, seed: int = 0) -> int:
    """How many synthetic incidents give a dataset of ``size`` quads, measured on a small sample.

    The fixed part (ontology, states, cities) and the quads per incident are taken from the
    generator's own output, so the sizes stay right when it changes.
    """
    base = len(generate(0, seed))
    per_incident = (len(generate(200, seed)) - base) / 200
    return max(1, round((size - base) / per_incident))


def _stage(*args: str, timeout: float) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.stage", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.stage {args[0]} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_size(size: int, work: Path, *, seed: int = 0, repeat: int = 3, deadline: float = 20.0,
                 through_server: bool = True, log: Log = print) -> dict:
    """Every figure for one size: generation, build with validation, and per-query times.

    :param deadline: seconds after which one query run is stopped and reported as timed out.
    """
    name = label(size)
    folder = work / "synthetic" / name
    folder.mkdir(parents=True, exist_ok=True)
    log(f"scale {name}: generate")
    generated = _stage("generate", "--incidents", str(incidents_for_size(size, seed=seed)), "--seed", str(seed),
                       "--out", str(folder / "dataset.trig"), timeout=3600)
    log(f"scale {name}: build and validate {generated['quads']} quads")
    built = _stage("build", "--input", str(folder / "dataset.trig"), "--store", str(folder / "store"), timeout=7200)
    (folder / "dataset.trig").unlink(missing_ok=True)
    built["load_tps"] = round(built["quads"] / built["load_s"]) if built["load_s"] else None
    built["end_to_end_tps"] = round(built["quads"] / built["total_s"]) if built["total_s"] else None
    store = open_built_store(folder / "store")
    queries = synthetic(store, competency(), skip=NOT_IN_SYNTHETIC)
    del store
    timings: dict[str, dict] = {}
    for query_name, text in queries.items():
        timings[query_name] = {"in_process": time_in_process(folder / "store", text, repeat=repeat,
                                                             deadline=deadline)}
        log(f"scale {name}: {query_name} in-process {timings[query_name]['in_process']['ms']} ms")
    if through_server:
        server = start_project(folder / "store", work / "logs" / name,
                               env={"INVIOLABLE_QUERY_TIMEOUT": str(deadline)})
        with server:
            for query_name, text in queries.items():
                timings[query_name]["server"] = time_through_server(server.url, text, repeat=repeat,
                                                                    deadline=deadline)
                log(f"scale {name}: {query_name} server {timings[query_name]['server']['ms']} ms")
    return {"size": name, "target_triples": size, "generate": generated, "build": built, "queries": timings,
            "not_applicable": NOT_IN_SYNTHETIC}
