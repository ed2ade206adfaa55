"""``python -m bench``: run the benchmark and write results as JSON, a Markdown summary and a plot.

The default (sizes 10k and 100k; three rounds of 10 s per server and client count, the project's
server with its results cache on and off, Oxigraph's and rdflib-endpoint's; two soaks of 60 s)
takes about 20 minutes on two cores; ``--sizes 10k,100k,1M,5M`` adds the big sizes, and
``--sections throughput --clients 8 --servers inviolable,inviolable-no-cache,oxigraph`` is the
three-minute comparison. Each section records its command, dates and load average
(:mod:`bench.record`). Each run merges into ``bench/results/results.json``, so sections and sizes
may be run apart.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.env import RESULTS_DIR, WORK_DIR, bench_bin, ensure_bench_env, require_wrk
from bench.record import recorded
from bench.report import machine, markdown

SECTIONS = ("scale", "throughput", "soak")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _stop_on_term(signum: int, frame: Any) -> None:
    # Turn SIGTERM into an exception so that every server started is stopped on the way out.
    raise SystemExit(128 + signum)


def parser() -> argparse.ArgumentParser:
    """The command line of the benchmark."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    p.add_argument("--sizes", default="10k,100k", help="synthetic sizes in triples (default 10k,100k)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic generator")
    p.add_argument("--deadline", type=float, default=20.0, help="seconds before one query run is stopped")
    p.add_argument("--repeat", type=int, default=3, help="runs per query and size (median reported)")
    p.add_argument("--clients", default="1,8,32", help="concurrent clients for the throughput comparison")
    p.add_argument("--servers", default="inviolable,inviolable-no-cache,oxigraph,rdflib-endpoint",
                   help="servers compared for throughput (inviolable-no-cache: results cache switched off)")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds per throughput run")
    p.add_argument("--rdflib-seconds", type=float, default=40.0,
                   help="seconds per rdflib-endpoint run (one pass of the mix takes it about 30 s)")
    p.add_argument("--rounds", type=int, default=3, help="throughput rounds (medians over rounds)")
    p.add_argument("--soak-seconds", type=float, default=60.0)
    p.add_argument("--soak-clients", type=int, default=32)
    p.add_argument("--soak-deadlines", default="",
                   help="extra runaway soaks with these server deadlines in seconds (e.g. 1,2)")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default bench/results)")
    p.add_argument("--plot", type=Path, default=None, help="also copy the plot here (e.g. docs/img/bench-scale.png)")
    p.add_argument("--fresh", action="store_true", help="start a new results file instead of merging")
    return p


def run(args: argparse.Namespace) -> dict:
    """Run the chosen sections and return the merged results."""
    from bench.data import real_store
    from bench.queries import competency, declared
    from bench.scale import label, measure_size, parse_size

    sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")
    results_file = args.out / "results.json"
    results: dict = {} if args.fresh or not results_file.exists() else json.loads(results_file.read_text())
    results["machine"] = machine()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if "throughput" in sections or "soak" in sections:
        require_wrk()
        ensure_bench_env(log=_log)
        _log("building the real graph")
        store, dump = real_store(WORK_DIR)
        queries = declared(competency())
    if "scale" in sections:
        scale = results.setdefault("scale", {})
        for size in (parse_size(text) for text in args.sizes.split(",") if text.strip()):
            with recorded(f"scale {label(size)}", log=_log) as facts:
                scale[label(size)] = measure_size(size, WORK_DIR, seed=args.seed, repeat=args.repeat,
                                                  deadline=args.deadline, log=_log)
            scale[label(size)]["measured_at"] = facts["started_at"]
            scale[label(size)]["provenance"] = facts
            _save(results, args.out)
        results["scale"] = dict(sorted(scale.items(), key=lambda item: parse_size(item[0])))
    if "throughput" in sections:
        from bench.throughput import compare

        clients = [int(text) for text in args.clients.split(",")]
        names = [name.strip() for name in args.servers.split(",") if name.strip()]
        with recorded("throughput", log=_log) as facts:
            results["throughput"] = compare(store, dump, queries, logs=WORK_DIR / "logs", clients=clients,
                                            seconds=args.seconds, slow_seconds=args.rdflib_seconds,
                                            rounds=args.rounds, names=names, log=_log)
        results["throughput"]["measured_at"] = facts["started_at"]
        results["throughput"]["provenance"] = facts
        _save(results, args.out)
    if "soak" in sections:
        from bench.soak import soak

        variants: list[tuple[bool, float | None]] = [(False, None), (True, None)]
        variants += [(True, float(text)) for text in args.soak_deadlines.split(",") if text.strip()]
        with recorded("soak", log=_log) as facts:
            results["soak"] = [soak(store, queries, logs=WORK_DIR / "logs", seconds=args.soak_seconds,
                                    clients=args.soak_clients, runaway=runaway, deadline=deadline, log=_log)
                               for runaway, deadline in variants]
        results["soak_provenance"] = facts
        _save(results, args.out)
    return results


def _save(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "summary.md").write_text(markdown(results))


def _plot(out: Path, copy_to: Path | None) -> None:
    python = bench_bin("python")
    if not python.exists():
        ensure_bench_env(log=_log)
    png = out / "scale.png"
    done = subprocess.run([str(python), str(Path(__file__).with_name("plot.py")), str(out / "results.json"),
                           str(png)], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        _log(f"plot failed: {done.stderr.strip()[-1000:]}")
        return
    if copy_to is not None:
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        copy_to.write_bytes(png.read_bytes())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    args = parser().parse_args(argv)
    results = run(args)
    _save(results, args.out)
    if results.get("scale"):
        _plot(args.out, args.plot)
    _log(f"results in {args.out / 'results.json'}, summary in {args.out / 'summary.md'}")
    print((args.out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
