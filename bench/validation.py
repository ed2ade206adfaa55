"""Benchmark of validation: time and peak memory, end to end, on the real and synthetic graphs.

Each case runs in a child process so its peak memory (``ru_maxrss``) is its own:

    .venv/bin/python -m bench.validation                 # real graph, 10k, 100k, 1M triples
    .venv/bin/python -m bench.validation --cases real 10k

End to end means: parse the Turtle (real graph) or the N-Quads file (synthetic graphs) with
Oxigraph, convert to an rdflib Graph, run the shapes with pyshacl and the whole-graph rules with
Oxigraph, re-check evidence spans (real graph, when the documents are found), and build the
report. Writing the synthetic file is set-up and is not timed.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def run_case(case: str, workdir: Path) -> dict[str, object]:
    """Run one case in this process and return its figures."""
    from graph.config import settings
    from graph.validation import collect_files, validate_files, validate_quads

    if case == "real":
        began = time.perf_counter()
        report = validate_files(collect_files(), sources=settings().sources)
        seconds = time.perf_counter() - began
    else:
        from bench.synthetic import generate, incidents_for

        path = workdir / f"synthetic-{case}.nq"
        ox.serialize(generate(incidents_for(SIZES[case]), seed=1), output=str(path), format=ox.RdfFormat.N_QUADS)
        began = time.perf_counter()
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        report = validate_quads(quads)
        seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"case": case, "triples": report.triples, "seconds": round(seconds, 2),
            "peak_mib": round(peak_kib / 1024), "conforms": report.conforms,
            "us_per_triple": round(seconds / max(report.triples, 1) * 1e6, 1),
            "evidence_checked": report.evidence_checked}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases, each in a child process, and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["real", *SIZES], choices=["real", *SIZES])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(run_case(args.child, Path(workdir))))
        return 0
    print("| case | triples | seconds | µs/triple | peak memory (MiB) | conforms |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for case in args.cases:
        done = subprocess.run([sys.executable, "-m", "bench.validation", "--child", case],
                              capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {row['case']} | {row['triples']} | {row['seconds']} | {row['us_per_triple']} | "
              f"{row['peak_mib']} | {row['conforms']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
