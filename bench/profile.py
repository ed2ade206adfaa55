"""Where this project's server spends its time under load: py-spy samples it while wrk drives it.

``.venv/bin/python -m bench.profile [--seconds 20] [--clients 8]`` serves the real graph, sends the
competency mix from ``--clients`` connections and samples the gunicorn process and its query
workers with py-spy (from the bench environment); it prints the functions holding the most
samples, by process, and writes the collapsed stacks to ``bench/results/profile.txt``.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import threading
from pathlib import Path

from bench.env import RESULTS_DIR, WORK_DIR, bench_bin, ensure_bench_env
from bench.loadgen import run_wrk
from bench.queries import RUNAWAY, competency, declared
from bench.servers import start_project
from bench.soak import RunawaySender


def top_frames(collapsed: str, *, limit: int = 15) -> dict[str, list[tuple[str, int]]]:
    """The leaf frames with the most samples, and the share of samples that pass through each frame.

    >>> top_frames("a;b;c 3\\na;d 1")["self"]
    [('c', 3), ('d', 1)]
    """
    leaves: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        leaves[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    return {"self": leaves.most_common(limit), "inclusive": inclusive.most_common(limit)}


def profile(seconds: float, clients: int, *, runaway: bool, out: Path, gil: bool = False) -> dict:
    """Sample the server for ``seconds`` under load; returns the top frames and the load figures.

    With ``gil``, only the thread holding the interpreter lock is sampled: where the web process
    spends its one core, rather than where its threads wait.
    """
    ensure_bench_env(log=print)
    from bench.data import real_store

    store, _ = real_store(WORK_DIR)
    queries = list(declared(competency()).values())
    with start_project(store, WORK_DIR / "logs" / "profile") as server:
        run_wrk(server.url, queries, clients=clients, seconds=3)
        spy = subprocess.Popen([str(bench_bin("py-spy")), "record", "--pid", str(server.process.pid), "--subprocesses",
                                "--format", "raw", "--rate", "200", "--duration", str(int(seconds)), "--output",
                                str(out), "--nonblocking", *(["--gil"] if gil else [])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        result: dict = {}

        def load() -> None:
            if runaway:
                with RunawaySender(server.url, limit=int(seconds), timeout=60):
                    result["load"] = run_wrk(server.url, queries, clients=clients, seconds=seconds).as_dict()
            else:
                result["load"] = run_wrk(server.url, queries, clients=clients, seconds=seconds).as_dict()

        driver = threading.Thread(target=load)
        driver.start()
        _, errors = spy.communicate(timeout=seconds + 120)
        driver.join()
    if spy.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')[-1000:]}")
    return {**top_frames(out.read_text()), **result, "runaway_query": RUNAWAY if runaway else None}


def main(argv: list[str] | None = None) -> int:
    """Profile the server and print the busiest frames."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runaway", action="store_true", help="also send one runaway query per second")
    parser.add_argument("--gil", action="store_true", help="sample only the thread holding the interpreter lock")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "profile.txt")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figures = profile(args.seconds, args.clients, runaway=args.runaway, out=args.out, gil=args.gil)
    print(f"load: {figures['load']}")
    for kind in ("self", "inclusive"):
        print(f"\n{kind} samples (top frames):")
        for frame, count in figures[kind]:
            print(f"{count:8d}  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
