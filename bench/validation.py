"""Benchmark of validation with each SHACL engine: the real graph, and builds of synthetic graphs.

    .venv/bin/python -m bench.validation                                  # real, 10k, 100k, 1M; both engines
    .venv/bin/python -m bench.validation --cases 1M 5M --engines turbo    # the big sizes, one engine
    .venv/bin/python -m bench.validation --repeat 5 --json out.json

Every run is a fresh child process, so its peak memory (``ru_maxrss``) is its own, and each
figure is the median of ``--repeat`` runs (3 by default). For the real graph a run is
``inviolable validate`` on the committed files (parse, shapes, whole-graph rules, evidence spans
when the documents are found). For a synthetic size a run is what ``inviolable build`` does
(``bench.stage build``): parse the TriG file, validate, bulk-load a new on-disk store; writing
the file is set-up and is not timed. ``INVIOLABLE_SHACL_ENGINE`` picks the engine in the child.
The output is a Markdown table followed by the command, the date and the load average; its
columns split each run into parsing, validation (of which the SHACL engine, and the whole-graph
and closed-world rules that run beside it), and the bulk load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.record import provenance, recorded
from bench.scale import incidents_for_size, parse_size
from graph.config import PROJECT_ROOT

CASES = ("real", "10k", "100k", "1M", "5M")
DEFAULT_CASES = ("real", "10k", "100k", "1M")
ENGINES = ("turbo", "pyshacl")


def run_real() -> dict[str, object]:
    """Validate the committed graph in this process and return its figures (what ``inviolable validate`` does)."""
    from bench.stage import validation_steps
    from graph.config import settings
    from graph.loader import parse_file
    from graph.validation import collect_files, validate_quads

    began = time.perf_counter()
    files = collect_files()
    quads = [quad for data_file in files for quad in parse_file(data_file)]
    parsed = time.perf_counter()
    report = validate_quads(quads, files=files, sources=settings().sources)
    seconds = round(time.perf_counter() - began, 2)
    return {"triples": report.triples, "parse_s": round(parsed - began, 2), "validate_s": seconds, "total_s": seconds,
            "conforms": report.conforms, "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "evidence_checked": report.evidence_checked, "validate_steps": validation_steps(report.timings)}


def _child(args: list[str], engine: str, *, timeout: float) -> dict:
    env = {**os.environ, "INVIOLABLE_SHACL_ENGINE": engine}
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(case: str, engine: str, *, repeat: int, work: Path, log=print) -> dict:
    """``repeat`` runs of one case with one engine: medians of the times, the largest peak."""
    runs = []
    for number in range(repeat):
        if case == "real":
            runs.append(_child(["bench.validation", "--child-real"], engine, timeout=3600))
        else:
            runs.append(_child(["bench.stage", "build", "--input", str(work / f"{case}.trig"), "--store",
                                str(work / "store")], engine, timeout=7200))
        log(f"validation {case} {engine} run {number + 1}/{repeat}: {runs[-1].get('total_s')} s")
    triples = runs[0].get("triples", runs[0].get("quads"))
    return {"case": case, "engine": engine, "triples": triples, "runs": runs,
            "validate_s": statistics.median(run["validate_s"] for run in runs),
            "total_s": statistics.median(run["total_s"] for run in runs),
            **{name: statistics.median(_step(run, name) for run in runs) for name in SPLIT},
            "peak_mb": max(run["peak_mb"] for run in runs), "conforms": all(run["conforms"] for run in runs)}


#: The split of a run: parsing, the SHACL engine, the rules beside it (their store included), the bulk load.
SPLIT = ("parse_s", "shacl_s", "rules_s", "load_s")


def _step(run: dict, name: str) -> float:
    steps = run.get("validate_steps", {})
    if name == "shacl_s":
        return steps.get("shacl_s", 0.0)
    if name == "rules_s":
        return round(steps.get("rules_store_s", 0.0) + steps.get("rules_s", 0.0), 2)
    return run.get(name, 0.0)


def table(rows: list[dict]) -> list[str]:
    """The Markdown table of :func:`measure` results.

    The SHACL engine and the rules run side by side, so ``shacl s`` and ``rules s`` overlap
    within ``validate s``.

    >>> table([{"case": "10k", "engine": "turbo", "triples": 9963, "validate_s": 0.2, "total_s": 0.4,
    ...         "parse_s": 0.05, "shacl_s": 0.15, "rules_s": 0.1, "load_s": 0.15,
    ...         "peak_mb": 90, "conforms": True, "runs": [{}, {}, {}]}])[2]
    '| 10k | turbo | 9,963 | 0.05 | 0.2 | 0.15 | 0.1 | 0.15 | 20.1 | 0.4 | 90 | True | 3 |'
    """
    lines = ["| case | engine | triples | parse s | validate s | SHACL engine s | rules s | load s | µs/triple "
             "| end to end s | peak MiB | conforms | runs |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for row in rows:
        per_triple = round(row["validate_s"] / max(row["triples"] or 1, 1) * 1e6, 1)
        split = " | ".join(str(row.get(name, "")) for name in ("parse_s", "validate_s", "shacl_s", "rules_s", "load_s"))
        lines.append(f"| {row['case']} | {row['engine']} | {row['triples']:,} | {split} | {per_triple} "
                     f"| {row['total_s']} | {row['peak_mb']:,.0f} | {row['conforms']} | {len(row['runs'])} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases with the chosen engines and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(DEFAULT_CASES), choices=CASES)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case and engine (median reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    parser.add_argument("--child-real", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_real:
        print(json.dumps(run_real()))
        return 0
    rows: list[dict] = []
    with recorded("validation", log=lambda m: print(m, file=sys.stderr)) as facts, \
            tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for case in args.cases:
            if case != "real":
                _child(["bench.stage", "generate", "--incidents", str(incidents_for_size(parse_size(case))),
                        "--seed", "0", "--out", str(work / f"{case}.trig")], "turbo", timeout=3600)
            for engine in args.engines:
                rows.append(measure(case, engine, repeat=args.repeat, work=work,
                                    log=lambda m: print(m, file=sys.stderr, flush=True)))
            (work / f"{case}.trig").unlink(missing_ok=True)
    print("\n".join([*table(rows), "", *provenance(facts)]))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "provenance": facts}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
