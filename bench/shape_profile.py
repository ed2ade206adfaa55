"""Which shapes cost the most: each node shape validated alone over a synthetic graph.

``.venv/bin/python -m bench.shape_profile [--size 100k] [--engine turbo] [--top 15]`` generates the
synthetic graph, then times the engine with a shapes graph that holds one named shape (and the
blank nodes it owns) at a time, minus the time of an empty shapes graph (parsing the data). It
also times each whole-graph rule, which Oxigraph runs. It prints a Markdown table, costliest first.
Each of the sixty or so shapes re-reads the data: about 2 minutes at 100k on two idle cores, and
ten times that at 1M.

``--split`` instead times only the engine with every core shape and with the empty shapes graph,
``--repeat`` times each (medians): how much of the engine's run is reading the data. At 1M that is
about two minutes with turbo.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from bench.scale import parse_size
from graph.namespaces import SH


def shape_subgraph(shapes: Graph, shape: URIRef) -> Graph:
    """The triples of ``shape`` and of every node of the shapes graph reachable from it.

    >>> g = Graph().parse(data="<urn:s> <urn:property> [ <urn:path> <urn:p> ] .", format="turtle")
    >>> len(shape_subgraph(g, URIRef("urn:s")))
    2
    """
    sub, pending, seen = Graph(), [shape], set()
    for prefix, namespace in shapes.namespaces():
        sub.bind(prefix, namespace)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in shapes.triples((node, None, None)):
            sub.add(triple)
            # Blank nodes it owns, and named shapes it points to (sh:property, sh:node ...).
            if isinstance(triple[2], BNode) or (triple[2], None, None) in shapes:
                pending.append(triple[2])
    return sub


def _time(run, *args: object) -> float:
    began = time.perf_counter()
    run(*args)
    return time.perf_counter() - began


def profile(size: int, *, engine: str, seed: int = 1, log=None) -> list[tuple[str, float]]:
    """Seconds spent by each named shape and each whole-graph rule on ``size`` synthetic triples.

    :param log: called with each shape's name and seconds as it is measured.
    """
    from bench.synthetic import generate, incidents_for
    from graph.validation.dataset_rules import core_shapes, dataset_rules, run_dataset_rules
    from graph.validation.shapes import load_shapes
    from graph.validation.turbo import run_shapes

    quads = list(generate(incidents_for(size), seed=seed))
    shapes = load_shapes()
    core = core_shapes(shapes)
    baseline = _time(lambda: run_shapes(quads, Graph(), engine=engine))
    named = sorted({s for s in core.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}, key=str)
    costs = []
    for shape in named:
        sub = shape_subgraph(core, shape)
        seconds = _time(lambda graph: run_shapes(quads, graph, engine=engine), sub)
        costs.append((str(shape), max(0.0, seconds - baseline)))
        if log:
            log(f"{costs[-1][0]}: {costs[-1][1]:.2f} s")
    for rule in dataset_rules(shapes):
        costs.append((f"{rule.shape} (Oxigraph rule)", _time(run_dataset_rules, quads, [rule])))
    costs.append(("(parsing the data: empty shapes graph)", baseline))
    return sorted(costs, key=lambda item: -item[1])


def engine_split(size: int, *, engine: str, repeat: int = 3, seed: int = 1) -> dict[str, float]:
    """Median seconds of the engine over ``size`` synthetic triples with every core shape and with none.

    Both include writing the triples as N-Triples for the engine (about a second at 1M), so their
    difference is the shapes' own cost and the empty run is the cost of the engine reading the data.
    """
    from bench.synthetic import generate, incidents_for
    from graph.validation.dataset_rules import core_shapes
    from graph.validation.shapes import load_shapes
    from graph.validation.turbo import run_shapes

    quads = list(generate(incidents_for(size), seed=seed))
    core = core_shapes(load_shapes())
    figures = {}
    for name, shapes in (("all core shapes", core), ("empty shapes graph", Graph())):
        runs = [_time(partial(run_shapes, quads, shapes, engine=engine)) for _ in range(repeat)]
        figures[name] = round(statistics.median(runs), 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the costliest shapes as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="synthetic triples, e.g. 100k or 1M")
    parser.add_argument("--engine", default="turbo", choices=["turbo", "pyshacl"])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--split", action="store_true", help="only the engine with all shapes and with none")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, with --split (median reported)")
    args = parser.parse_args(argv)
    if args.split:
        from bench.record import provenance, recorded

        with recorded("shape_profile", log=lambda m: print(m, file=sys.stderr)) as facts:
            figures = engine_split(parse_size(args.size), engine=args.engine, repeat=args.repeat)
        print(f"| {args.engine}, {args.size} triples | seconds |")
        print("| --- | ---: |")
        for name, seconds in figures.items():
            print(f"| {name} | {seconds:.2f} |")
        print("", *provenance(facts), sep="\n")
        return 0
    costs = profile(parse_size(args.size), engine=args.engine, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"| shape ({args.engine}, {args.size} triples) | seconds |")
    print("| --- | ---: |")
    for name, seconds in costs[:args.top]:
        print(f"| {name.rpartition('#')[2] or name} | {seconds:.2f} |")
    print(f"| all {len(costs)} measured | {sum(seconds for _, seconds in costs):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
