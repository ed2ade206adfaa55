"""Write latency: a one-fact write, accepted, on on-disk stores of growing size.

For each size a conforming synthetic store is written (the flat layout every version of the
server reads), served in-process with writes enabled, and sent one-fact ``INSERT DATA`` /
``DELETE DATA`` writes in turn; the median and worst latency are printed as JSON lines.

    .venv/bin/python -m bench.write_latency --sizes 10000 100000 1000000 --writes 5
    .venv/bin/python -m bench.write_latency --full-validation     # whole-store validation, for comparison

The figure before the change comes from the same script run against the older code::

    git worktree add /tmp/inviolable-before 5d3c6ca
    PYTHONPATH=/tmp/inviolable-before .venv/bin/python bench/write_latency.py --sizes 10000 100000 1000000

Only pyoxigraph, the synthetic generator and ``server.app.create_app`` are used, so the script runs
on both versions. At 1M triples, allow about 3 minutes for the store and a few minutes per write
before the change; after it, a few seconds in all for the writes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.record import provenance, recorded

TOKEN = "latency-token"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def make_store(root: Path, triples: int) -> tuple[str, str]:
    """A conforming synthetic store of about ``triples`` triples at ``root``; an incident and its graph."""
    from bench.synthetic import generate, incidents_for

    quads = generate(incidents_for(triples))
    (root / "oxigraph").mkdir(parents=True)
    store = ox.Store(str(root / "oxigraph"))
    store.bulk_extend(quads)
    store.flush()
    del store
    (root / "build.json").write_text(json.dumps({"inputs": "synthetic", "quads": len(quads)}))
    incident = next(q for q in quads if q.object.value.endswith("#Incident"))
    return incident.subject.value, incident.graph_name.value


def measure(triples: int, writes: int, *, full: bool) -> dict[str, object]:
    """Median and worst seconds of ``writes`` one-fact writes on a store of ``triples`` triples."""
    from server.app import create_app

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "store"
        began = time.perf_counter()
        subject, graph = make_store(root, triples)
        prepared = time.perf_counter() - began
        config = {"STORE": root, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None,
                  "QUERY_TIMEOUT": 600, "UPDATE_TIMEOUT": 600, "INCREMENTAL_VALIDATION": not full}
        app = create_app(config)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        seconds = []
        try:
            for number in range(writes):
                verb = "INSERT" if number % 2 == 0 else "DELETE"
                text = f'{verb} DATA {{ GRAPH <{graph}> {{ <{subject}> <{COMMENT}> "latency" }} }}'
                start = time.perf_counter()
                response = client.post("/sparql", data=text, headers=headers)
                seconds.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"write refused ({response.status_code}): {response.get_data()[:300]!r}")
        finally:
            app.extensions["inviolable"].pool.close()
    return {"triples": triples, "writes": writes, "median_s": round(statistics.median(seconds), 4),
            "max_s": round(max(seconds), 4), "store_setup_s": round(prepared, 1),
            "validation": "whole store" if full else "incremental"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--full-validation", action="store_true",
                        help="validate the whole store on every write (the cost model before the change)")
    args = parser.parse_args()
    with recorded("writes", log=lambda line: print(line, file=sys.stderr)) as facts:
        for size in args.sizes:
            print(json.dumps(measure(size, args.writes, full=args.full_validation)), flush=True)
    print("\n".join(provenance(facts)), flush=True)


if __name__ == "__main__":
    main()
