"""Synthetic graphs loaded into Virtuoso: the load's time and disk, and the competency mix's latency,
beside embedded Oxigraph.

Run (idle machine; Virtuoso Open Source installed):

    .venv/bin/python -m bench.virtuoso_load --sizes 1M 10M --embedded 1M --repeat 3 --output var/bench/virtuoso.json

Each size gets a fresh scratch Virtuoso (tests/virtuoso.py) loaded with Virtuoso's bulk loader
(``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint``); the disk figure is the database files' size
after the checkpoint (``disk_empty_bytes``: the same before the load). The mix is the competency
queries aimed at the synthetic graph (:func:`bench.queries.synthetic`), each run ``--repeat``
times through :class:`graph.remote_store.RemoteStore` (results fully read), the median kept.
``--embedded`` sizes are also loaded into an on-disk Oxigraph store and run through
:class:`graph.store.OxigraphStore`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.queries import NOT_IN_SYNTHETIC, competency, synthetic
from bench.scale import label, parse_size
from bench.synthetic import generate, incidents_for
from graph.namespaces import PREFIXES
from graph.remote_store import RemoteStore
from graph.store import GraphStore, OxigraphStore
from tests.virtuoso import VirtuosoServer


def _disk(directory: Path) -> int:
    return sum(path.stat().st_blocks * 512 for path in directory.rglob("*") if path.is_file())


def _consume(result: object) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)  # type: ignore[attr-defined]


def mix(store: GraphStore, *, repeat: int) -> dict[str, dict[str, float | int]]:
    """Median seconds and result rows of each competency query aimed at the synthetic graph in ``store``."""
    figures = {}
    for name, text in synthetic(store, competency(), skip=NOT_IN_SYNTHETIC).items():  # type: ignore[arg-type]
        times, rows = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            rows = _consume(store.query(text, prefixes=PREFIXES))
            times.append(time.perf_counter() - began)
        figures[name] = {"median_s": round(statistics.median(times), 4), "rows": rows}
    return figures


def remote_store(server: VirtuosoServer) -> RemoteStore:
    """A store over ``server`` with its bulk loader enabled."""
    return RemoteStore(server.query_url, user=server.user, password=server.password,
                       isql=f"127.0.0.1:{server.sql_port}", load_dir=str(server.directory / "load"), timeout=3600)


def measure_virtuoso(quads: list[ox.Quad], *, repeat: int, run_mix: bool, buffers: int,
                     server: VirtuosoServer | None = None) -> dict:
    """Load ``quads`` into a fresh scratch Virtuoso (or an emptied ``server``) and measure."""
    own = server is None
    server = server or VirtuosoServer(buffers=buffers, startup=120).start()
    try:
        store = remote_store(server)
        store.replace_all([])
        before = _disk(server.directory / "db")
        began = time.perf_counter()
        store.bulk_load(quads)
        figures: dict = {"load_s": round(time.perf_counter() - began, 2), "triples": len(store),
                         "disk_bytes": _disk(server.directory / "db"), "disk_empty_bytes": before}
        if run_mix:
            figures["mix"] = mix(store, repeat=repeat)
        return figures
    finally:
        if own:
            server.stop()


def measure_embedded(quads: list[ox.Quad], *, repeat: int) -> dict:
    """Load ``quads`` into an on-disk Oxigraph store and measure the same mix."""
    folder = Path(tempfile.mkdtemp(prefix="inviolable-embedded-"))
    try:
        store = OxigraphStore(folder / "oxigraph")
        began = time.perf_counter()
        store.bulk_load(quads)
        store.flush()
        figures: dict = {"load_s": round(time.perf_counter() - began, 2), "triples": len(store),
                         "disk_bytes": _disk(folder)}
        figures["mix"] = mix(store, repeat=repeat)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k"], help="graph sizes for Virtuoso (10k, 1M, 10M)")
    parser.add_argument("--embedded", nargs="*", default=[], help="sizes also measured on embedded Oxigraph")
    parser.add_argument("--no-mix", nargs="*", default=[], help="sizes measured for the load only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--buffers", type=int, default=400_000,
                        help="Virtuoso NumberOfBuffers (8 KiB each; 400000 is about 3 GiB)")
    parser.add_argument("--output", type=Path, default=None, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    if shutil.which("virtuoso-t") is None:
        print("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)", file=sys.stderr)
        return 2
    results: dict = {"virtuoso": {}, "oxigraph": {}}
    for text in args.sizes:
        size = parse_size(text)
        quads = generate(incidents_for(size))
        print(f"{label(size)}: {len(quads)} quads", file=sys.stderr, flush=True)
        results["virtuoso"][label(size)] = measure_virtuoso(quads, repeat=args.repeat, buffers=args.buffers,
                                                            run_mix=text not in args.no_mix)
        if text in args.embedded:
            results["oxigraph"][label(size)] = measure_embedded(quads, repeat=args.repeat)
        del quads
    text = json.dumps(results, indent=2)
    print(text)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
