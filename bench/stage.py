"""One step of the scale benchmark, run in a fresh interpreter so that its peak memory is its own.

``python -m bench.stage generate --incidents N --seed S --out FILE.trig``
    writes a synthetic dataset as TriG (the Turtle family the real data is written in).
``python -m bench.stage build --input FILE.trig --store DIR``
    does what ``inviolable build`` does to committed files: parse, then validate with the shapes,
    the new on-disk store being bulk-loaded beside the SHACL engine once the rules are done
    (``load_s`` lies within ``validate_s``); it prints one JSON line with each step's time and the
    peak resident memory reached by the end of each step. ``validate_steps`` splits the validation:
    ``prepare_s`` (the triples written as N-Triples for the engine), ``shacl_s`` (the SHACL engine,
    its reading of the data included), ``rules_store_s`` and ``rules_s`` (the whole-graph and
    closed-world rules, on a thread beside the engine: they overlap ``shacl_s``), ``beside_s`` (the
    load, after the rules, also beside the engine), ``results_s``, and one ``rule …`` entry per rule.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import BASE, PREFIXES
from graph.store import store_directory


def _peak_mb() -> float:
    # ru_maxrss is in KiB on Linux: the high-water mark of this process so far.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def generate_file(incidents: int, seed: int, out: Path) -> dict:
    """Write ``incidents`` synthetic incidents as TriG to ``out``; returns quads and seconds."""
    from bench.synthetic import generate

    began = time.perf_counter()
    quads = generate(incidents, seed)
    generated = time.perf_counter() - began
    out.parent.mkdir(parents=True, exist_ok=True)
    ox.serialize(quads, str(out), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return {"incidents": incidents, "seed": seed, "quads": len(quads), "generate_s": round(generated, 2),
            "write_s": round(time.perf_counter() - began - generated, 2), "bytes": out.stat().st_size}


def validation_steps(timings: dict[str, float]) -> dict[str, float]:
    """The split of a validation's seconds: the engine and the rules it overlaps, then each rule.

    >>> validation_steps({"prepare": 0.5, "shacl": 9.0, "rules store": 1.0, "rules": 2.0, "results": 0.1,
    ...                   "rule LabelShape": 0.5})
    {'prepare_s': 0.5, 'shacl_s': 9.0, 'rules_store_s': 1.0, 'rules_s': 2.0, 'results_s': 0.1, 'rule LabelShape': 0.5}
    """
    steps = {f"{name.replace(' ', '_')}_s": round(seconds, 2) for name, seconds in timings.items()
             if not name.startswith("rule ")}
    steps.update({name: round(seconds, 2) for name, seconds in timings.items() if name.startswith("rule ")})
    return steps


def _load(store: Path, quads: list[ox.Quad]) -> float:
    """Bulk-load ``quads`` into a new store at ``store`` with the build's own call; its seconds."""
    from graph.build import write_store

    began = time.perf_counter()
    write_store(store_directory(store), quads)
    return round(time.perf_counter() - began, 2)


def build_file(source: Path, store: Path, *, validate: bool = True) -> dict:
    """Parse ``source``, validate it and bulk-load it into a new store at ``store``, timing each step.

    :raises SyntaxError: when the file does not parse.
    """
    figures: dict = {}
    began = time.perf_counter()
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TRIG, base_iri=BASE + "id/"))
    figures.update(quads=len(quads), parse_s=round(time.perf_counter() - began, 2), parse_peak_mb=_peak_mb())
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    loaded: dict[str, float] = {}

    def load() -> None:
        loaded.update(load_s=_load(store, quads), load_peak_mb=_peak_mb())

    # As graph.build does: the new store is loaded beside the SHACL engine, once the rules are done.
    if validate:
        from graph.validation import validate_quads

        step = time.perf_counter()
        report = validate_quads(quads, beside=load)
        figures.update(validate_s=round(time.perf_counter() - step, 2), validate_peak_mb=_peak_mb(),
                       conforms=report.conforms, results=len(report.results),
                       validate_steps=validation_steps(report.timings))
    else:
        load()
    figures.update(loaded)
    figures.update(total_s=round(time.perf_counter() - began, 2), peak_mb=_peak_mb(),
                   store_bytes=sum(f.stat().st_size for f in store.rglob("*") if f.is_file()))
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run one step and print its figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    gen = steps.add_parser("generate")
    gen.add_argument("--incidents", type=int, required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, required=True)
    build = steps.add_parser("build")
    build.add_argument("--input", type=Path, required=True)
    build.add_argument("--store", type=Path, required=True)
    build.add_argument("--no-validate", action="store_true")
    args = parser.parse_args(argv)
    if args.step == "generate":
        figures = generate_file(args.incidents, args.seed, args.out)
    else:
        figures = build_file(args.input, args.store, validate=not args.no_validate)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
