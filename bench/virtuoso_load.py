"""Synthetic graphs loaded into Virtuoso: the load's time and disk, and the competency mix's latency,
beside embedded Oxigraph; and the W3C protocol suite's results on each engine.

Run (idle machine; Virtuoso Open Source installed):

    .venv/bin/python -m bench.virtuoso_load --sizes 1M 10M --embedded 1M --repeat 3 --output var/bench/virtuoso.json

Method:

- **Data.** Each size's synthetic dataset (:mod:`bench.synthetic`) is generated once, in a child
  process (its memory is given back before anything is measured), and kept as N-Quads parts
  under ``var/bench/synthetic/<size>-seed<seed>/`` with a ``manifest.json`` written last; later
  runs reuse it. ``--seed`` picks another dataset.
- **Virtuoso.** Each size gets a fresh scratch server (tests/virtuoso.py) whose ini gives it
  ``--buffers`` pages of cache. The parts are hard-linked into its load directory and loaded by
  Virtuoso's bulk loader: ``ld_dir``, one ``rdf_loader_run()`` per core in parallel, ``checkpoint``.
  ``load_s`` is that whole step; ``db_bytes`` the database file after it, ``disk_bytes`` every
  file of the database directory (with the transaction log), ``disk_empty_bytes`` the same before.
- **Embedded.** ``--embedded`` sizes are bulk-loaded from the same files into an on-disk Oxigraph
  store, through :class:`graph.store.OxigraphStore`.
- **Mix.** The competency queries aimed at the synthetic graph (:func:`bench.queries.synthetic`),
  each run ``--repeat`` times through the store interface (every result read to its end), the
  median kept; a query that fails or whose run passes ``--deadline`` (600 s; embedded runs are
  made in a forked child killed at it) is reported as an error.
- **Protocol.** ``tests/test_protocol_w3c.py`` is run with pytest (both engines, through the
  test fixtures) and its JUnit report counted per engine; ``--no-protocol`` skips it.

The figures go to stdout as Markdown tables, headed by the command, the date and the load average,
and as JSON to ``--output``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from bench.queries import NOT_IN_SYNTHETIC, competency, synthetic
from bench.scale import label, parse_size
from graph.config import PROJECT_ROOT
from graph.namespaces import PREFIXES
from graph.remote_delta import DEFAULT_GRAPH, engine_graph, version_bump
from graph.remote_load import load_files
from graph.remote_store import RemoteStore
from graph.store import GraphStore, OxigraphStore
from tests.virtuoso import VirtuosoServer

CACHE = PROJECT_ROOT / "var" / "bench" / "synthetic"
PART_QUADS = 250_000  # several files per size, so that parallel loaders have one each
#: The package's own row for 16 GB of free memory (8 KiB pages): right for a 24 GB machine.
DEFAULT_BUFFERS = 1_360_000
ENGINES = ("oxigraph", "virtuoso")
#: Ini settings of the benchmark's server beside the harness's: a 10M-triple query may need more
#: memory and time than the tests' server allows, and the package's cost estimate (400 s) refuses the
#: evidence questions (cq-10, cq-11) at 10M before running them; the deadline bounds them instead.
BENCH_INI = {"Parameters": {"MaxQueryMem": "4G", "ThreadsPerQuery": str(os.cpu_count() or 2)},
             "SPARQL": {"MaxQueryExecutionTime": "600", "MaxQueryCostEstimationTime": "100000"}}


@dataclass(frozen=True)
class Dataset:
    """A synthetic dataset kept as N-Quads parts in ``folder``."""

    folder: Path
    quads: int
    graphs: list[str]

    @property
    def parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.nq"))


def write_dataset(quads: list[ox.Quad], folder: Path, **about: object) -> Dataset:
    """Write ``quads`` as N-Quads parts of at most :data:`PART_QUADS`, then the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, len(quads), PART_QUADS)):
        with (folder / f"part-{number:03d}.nq").open("wb") as handle:
            ox.serialize(quads[start:start + PART_QUADS], handle, format=ox.RdfFormat.N_QUADS)
    graphs = sorted({engine_graph(q.graph_name) for q in quads})
    manifest = {"quads": len(quads), "graphs": graphs, **about}
    (folder / "manifest.json.tmp").write_text(json.dumps(manifest, indent=1) + "\n")
    (folder / "manifest.json.tmp").replace(folder / "manifest.json")
    return Dataset(folder, len(quads), graphs)


def _generate_into(size: int, seed: int, folder: str) -> None:
    from bench.synthetic import generate, incidents_for

    incidents = incidents_for(size)
    write_dataset(generate(incidents, seed), Path(folder), size=size, seed=seed, incidents=incidents)


def cached_dataset(size: int, seed: int = 0, *, root: Path = CACHE) -> Dataset:
    """The dataset of ``size`` and ``seed``, generated (in a child process) unless already cached."""
    folder = root / f"{label(size)}-seed{seed}"
    if not (folder / "manifest.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        child = multiprocessing.get_context("spawn").Process(target=_generate_into, args=(size, seed, str(folder)))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"generating the {label(size)} dataset failed (exit {child.exitcode})")
    manifest = json.loads((folder / "manifest.json").read_text())
    return Dataset(folder, manifest["quads"], manifest["graphs"])


def _disk(directory: Path) -> int:
    return sum(path.stat().st_blocks * 512 for path in directory.rglob("*") if path.is_file())


def _consume(result: object) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)  # type: ignore[attr-defined]


def _embedded_runs(sender: Connection, store: OxigraphStore, text: str, repeat: int) -> None:
    reader = store.reopen()
    for _ in range(repeat):
        began = time.perf_counter()
        rows = _consume(reader.query(text, prefixes=PREFIXES))
        sender.send((time.perf_counter() - began, rows))


def _runs(store: GraphStore, text: str, *, repeat: int, deadline: float) -> tuple[list[float], int]:
    """Seconds of each run of ``text`` and its result rows, each run held to ``deadline``.

    The embedded engine cannot stop a query in its own process: its runs are made in a forked
    child that is killed at the deadline, as the server's query workers are.

    :raises TimeoutError: when a run passes the deadline.
    """
    if not isinstance(store, OxigraphStore):
        times, rows = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            rows = _consume(store.query(text, prefixes=PREFIXES, timeout=deadline))
            times.append(time.perf_counter() - began)
        return times, rows
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_embedded_runs, args=(sender, store, text, repeat),
                                                        daemon=True)
    child.start()
    sender.close()
    try:
        runs = []
        for _ in range(repeat):
            if not receiver.poll(deadline):
                raise TimeoutError(f"a run passed the {deadline:g} s deadline")
            runs.append(receiver.recv())
        return [seconds for seconds, _ in runs], runs[-1][1]
    except EOFError as error:
        raise RuntimeError("the query's process ended without an answer") from error
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def mix(store: GraphStore, *, repeat: int, deadline: float = 600.0) -> dict[str, dict[str, float | int | str]]:
    """Median seconds and result rows of each competency query aimed at the synthetic graph in
    ``store``; a query that fails or passes ``deadline`` (seconds, per run) is reported as an error."""
    figures: dict[str, dict[str, float | int | str]] = {}
    for name, text in synthetic(store, competency(), skip=NOT_IN_SYNTHETIC).items():  # type: ignore[arg-type]
        try:
            times, rows = _runs(store, text, repeat=repeat, deadline=deadline)
        except (OSError, RuntimeError, ValueError, SyntaxError) as error:  # TimeoutError, RemoteError: OSErrors
            figures[name] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
            continue
        figures[name] = {"median_s": round(statistics.median(times), 4), "rows": rows}
    return figures


def remote_store(server: VirtuosoServer) -> RemoteStore:
    """A store over ``server`` with its bulk loader enabled."""
    return RemoteStore(server.query_url, user=server.user, password=server.password,
                       isql=f"127.0.0.1:{server.sql_port}", load_dir=str(server.directory / "load"), timeout=3600)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def measure_virtuoso(dataset: Dataset, *, repeat: int, run_mix: bool, buffers: int = DEFAULT_BUFFERS,
                     server: VirtuosoServer | None = None, deadline: float = 600.0) -> dict:
    """Bulk-load ``dataset`` into a fresh scratch Virtuoso (or an emptied ``server``) and measure."""
    own = server is None
    server = server or VirtuosoServer(buffers=buffers, startup=300, overrides=BENCH_INI).start()
    try:
        store = remote_store(server)
        store.replace_all([])
        folder = server.directory / "load" / f"bench-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        for part in dataset.parts:
            _link_or_copy(part, folder / part.name)
        before = _disk(server.directory / "db")
        began = time.perf_counter()
        load_files(store, folder, "*.nq", loaders=min(len(dataset.parts), os.cpu_count() or 1),
                   default_graph=DEFAULT_GRAPH)
        load_s = time.perf_counter() - began
        shutil.rmtree(folder, ignore_errors=True)
        store._update(version_bump(uuid.uuid4().hex, register=dataset.graphs))
        database = server.directory / "db" / "virtuoso.db"
        figures: dict = {"load_s": round(load_s, 2), "triples": len(store), "db_bytes": database.stat().st_size,
                         "disk_bytes": _disk(server.directory / "db"), "disk_empty_bytes": before,
                         "buffers": server.buffers}
        if run_mix:
            figures["mix"] = mix(store, repeat=repeat, deadline=deadline)
        return figures
    finally:
        if own:
            server.stop()


def measure_embedded(dataset: Dataset, *, repeat: int, deadline: float = 600.0) -> dict:
    """Bulk-load ``dataset`` into an on-disk Oxigraph store and measure the same mix."""
    folder = Path(tempfile.mkdtemp(prefix="inviolable-embedded-"))
    try:
        store = OxigraphStore(folder / "oxigraph")
        began = time.perf_counter()
        for part in dataset.parts:
            store.bulk_load(ox.parse(path=str(part), format=ox.RdfFormat.N_QUADS))
        store.flush()
        figures: dict = {"load_s": round(time.perf_counter() - began, 2), "triples": len(store),
                         "disk_bytes": _disk(folder)}
        del store  # a writable store compacts in the background and deletes files its readers hold
        figures["mix"] = mix(OxigraphStore(folder / "oxigraph", read_only=True), repeat=repeat, deadline=deadline)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def count_junit(report: Path) -> dict[str, dict[str, int]]:
    """Passed, failed, error and skipped test cases per engine of a pytest JUnit report (the
    engine read from the test id's parameters; cases without one are counted under ``"both"``)."""
    counts: dict[str, dict[str, int]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name", "")
        parameters = name[name.find("[") + 1:-1].split("-") if "[" in name else []
        engine = next((p for p in parameters if p in ENGINES), "both")
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        per_engine = counts.setdefault(engine, {"passed": 0, "failure": 0, "error": 0, "skipped": 0})
        per_engine[outcome] += 1
    return counts


def protocol_results(*, timeout: float = 3600) -> dict:
    """Run the W3C protocol suite on both engines and count its results per engine."""
    with tempfile.TemporaryDirectory(prefix="inviolable-protocol-") as scratch:
        report = Path(scratch) / "junit.xml"
        done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_protocol_w3c.py", "-q", "-p",
                               "no:cacheprovider", f"--junitxml={report}"], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if not report.exists():
            return {"error": (done.stdout + done.stderr)[-1000:]}
        return {"exit": done.returncode, "engines": count_junit(report)}


def _megabytes(value: int | None) -> str:
    return "" if value is None else f"{value / 1e6:.0f}"


def markdown(results: dict) -> str:
    """The figures as Markdown tables: loads, the mix (median ms per query), the protocol suite."""
    runs = [(engine, size, figures) for engine in ("virtuoso", "oxigraph")
            for size, figures in results.get(engine, {}).items()]
    lines = ["| engine | size | triples | load s | database MB | disk MB |", "|---|---|---|---|---|---|"]
    lines += [f"| {engine} | {size} | {f['triples']} | {f['load_s']} | {_megabytes(f.get('db_bytes'))} "
              f"| {_megabytes(f['disk_bytes'])} |" for engine, size, f in runs]
    with_mix = [(engine, size, f["mix"]) for engine, size, f in runs if "mix" in f]
    if with_mix:
        names = sorted({name for _, _, figures in with_mix for name in figures})
        lines += ["", "| query | " + " | ".join(f"{e} {s} ms" for e, s, _ in with_mix) + " |",
                  "|---|" + "---|" * len(with_mix)]
        for name in names:
            cells = []
            for _, _, figures in with_mix:
                cell = figures.get(name, {})
                cells.append("error" if "error" in cell else f"{cell['median_s'] * 1000:.1f}" if cell else "")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    protocol = results.get("protocol", {}).get("engines")
    if protocol:
        lines += ["", "| protocol suite | passed | failed | errors | skipped |", "|---|---|---|---|---|"]
        lines += [f"| {engine} | {c['passed']} | {c['failure']} | {c['error']} | {c['skipped']} |"
                  for engine, c in sorted(protocol.items())]
    return "\n".join(lines)


def environment(argv: list[str]) -> dict:
    """What a reader needs to weigh the figures: the command, the date, the machine and its load."""
    return {"command": " ".join([".venv/bin/python -m bench.virtuoso_load", *argv]),
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "load_average": [round(load, 2) for load in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k"], help="graph sizes for Virtuoso (10k, 1M, 10M)")
    parser.add_argument("--embedded", nargs="*", default=[], help="sizes also measured on embedded Oxigraph")
    parser.add_argument("--no-mix", nargs="*", default=[], help="sizes measured for the load only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="the synthetic datasets' seed")
    parser.add_argument("--deadline", type=float, default=600.0,
                        help="seconds after which one run of a query is stopped and reported as an error")
    parser.add_argument("--buffers", type=int, default=DEFAULT_BUFFERS,
                        help="Virtuoso NumberOfBuffers (8 KiB each; the default is about 10.4 GiB)")
    parser.add_argument("--no-protocol", action="store_true", help="skip the W3C protocol suite")
    parser.add_argument("--output", type=Path, default=None, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    if shutil.which("virtuoso-t") is None:
        print("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)", file=sys.stderr)
        return 2
    results: dict = {"environment": environment(argv), "virtuoso": {}, "oxigraph": {}}
    print(f"command: {results['environment']['command']}\ndate: {results['environment']['date']}\n"
          f"load average at start: {results['environment']['load_average']}", file=sys.stderr, flush=True)
    for text in dict.fromkeys([*args.sizes, *args.embedded]):
        size = parse_size(text)
        dataset = cached_dataset(size, args.seed)
        print(f"{label(size)}: {dataset.quads} quads in {dataset.folder}", file=sys.stderr, flush=True)
        if text in args.sizes:
            results["virtuoso"][label(size)] = measure_virtuoso(dataset, repeat=args.repeat, buffers=args.buffers,
                                                                run_mix=text not in args.no_mix, deadline=args.deadline)
        if text in args.embedded:
            results["oxigraph"][label(size)] = measure_embedded(dataset, repeat=args.repeat, deadline=args.deadline)
    if not args.no_protocol:
        print("protocol suite on both engines", file=sys.stderr, flush=True)
        results["protocol"] = protocol_results()
    results["environment"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    environment_line = results["environment"]
    print(f"command: `{environment_line['command']}`  \ndate: {environment_line['date']}  \n"
          f"load average: {environment_line['load_average']} at start, {environment_line['load_average_at_end']} "
          f"at end ({environment_line['cpus']} CPUs)\n")
    print(markdown(results))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
