"""Build the real graph several times and report the median build time and the dataset's counts.

Usage: .venv/bin/python -m bench.build_figures [--runs 7] [--sources ../shared/seeds]
Prints a Markdown table; the figures go in docs/build.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.record import provenance, recorded
from graph.build import build_store
from graph.config import settings
from graph.namespaces import GRAPH


def measure(runs: int, sources: Path | None) -> tuple[list[float], object]:
    """Build ``runs`` times into fresh directories; return each wall time and the last summary."""
    seconds, summary = [], None
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            began = time.perf_counter()
            summary = build_store(path=Path(scratch) / f"store-{run}", sources=sources).summary
            seconds.append(time.perf_counter() - began)
    return seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sources", type=Path, default=settings().sources)
    args = parser.parse_args()
    with recorded("build") as facts:
        seconds, summary = measure(args.runs, args.sources)
    print("\n".join(provenance(facts)) + "\n")
    print(f"build with evidence check: {args.sources is not None}; runs: {args.runs}")
    print(f"median {statistics.median(seconds):.3f} s, min {min(seconds):.3f} s, max {max(seconds):.3f} s\n")
    print("| graph | triples |\n| --- | ---: |")
    for graph, count in summary.triples_per_graph.items():
        print(f"| `{str(graph).removeprefix(str(GRAPH))}` | {count} |")
    print(f"| total | {summary.total} |\n\n| class | entities |\n| --- | ---: |")
    for cls, count in summary.entities_per_class.items():
        print(f"| `{cls}` | {count} |")


if __name__ == "__main__":
    main()
