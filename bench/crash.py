"""Crash trials: kill the server (SIGKILL) at random moments during writes, then check the store.

Each trial starts a server process on a small on-disk store, checks that it accepts a write,
sends a write that rewrites many labels, and kills the process after a random delay. The store
is then opened directly: it must hold exactly the state before or after that write, conform to
the shapes, and agree with the journal replayed over the initial data.

    .venv/bin/python -m bench.crash --trials 100        # about 2 minutes on an idle 2-core machine
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from bench.record import provenance, recorded
from graph.namespaces import source_graph

TOKEN = "crash-trial-token"
GRAPH = source_graph("synthetic-document")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def make_store(root: Path, incidents: int = 12) -> list[ox.Quad]:
    """Write a conforming synthetic store at ``root`` (the layout ``inviolable build`` makes); returns its quads."""
    from bench.synthetic import generate
    from graph.store import OxigraphStore

    quads = generate(incidents)
    (root / "oxigraph").mkdir(parents=True)
    store = OxigraphStore(root / "oxigraph")
    store.bulk_load(quads)
    store.flush()
    del store
    (root / "build.json").write_text(json.dumps({"inputs": "synthetic", "quads": len(quads)}))
    return quads


def _app(store: Path):  # type: ignore[no-untyped-def]
    from server.app import create_app

    return create_app({"STORE": store, "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None,
                       "DESTRUCTIVE_SHARE": 0.95, "UPDATE_TIMEOUT": 30})


def serve(store: Path) -> None:
    """Serve ``store`` writably on a free loopback port; print the port, then serve until killed."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _app(store), threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


class Zygote:
    """A process that has imported the server once and forks a fresh server per trial.

    It never opens a store itself, so its forks start clean, in a fraction of a second.
    """

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.crash", "--zygote"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, cwd=Path(__file__).resolve().parent.parent)

    def start(self, store: Path) -> tuple[int, int]:
        """Fork a server on ``store``; its process id and port."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{store}\n")
        self.process.stdin.flush()
        pid, _, port = self.process.stdout.readline().strip().partition(" ")
        if not port.isdigit():
            raise RuntimeError("the crash-trial server did not start")
        return int(pid), int(port)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def zygote() -> None:
    """Import the server, then fork one server per store path read from stdin, printing ``pid port``."""
    from werkzeug.serving import make_server

    import graph.validation  # noqa: F401 - imported once, before any fork (nothing is opened here)
    import server.app  # noqa: F401
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            httpd = make_server("127.0.0.1", 0, _app(Path(line.strip())), threaded=True)
            os.write(write, str(httpd.server_port).encode())
            os.close(write)
            httpd.serve_forever()
            os._exit(0)
        os.close(write)
        port = os.read(read, 32).decode()
        os.close(read)
        print(f"{pid} {port or 'failed'}", flush=True)


def update(port: int, text: str, *, timeout: float = 60) -> int:
    """POST an update with the token; the status, or 0 when the connection broke."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/sparql", body=text.encode(), headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def relabel(quads: list[ox.Quad], trial: int) -> tuple[str, set[ox.Quad], set[ox.Quad]]:
    """An update rewriting every English label of the synthetic graph, and the quads it removes and adds."""
    old = {q for q in quads if q.predicate == LABEL and str(q.graph_name) == f"<{GRAPH}>"
           and isinstance(q.object, ox.Literal) and q.object.language == "en"}
    new = {ox.Quad(q.subject, LABEL, ox.Literal(f"{q.object.value.split(' #')[0]} #{trial}", language="en"),
                   q.graph_name) for q in old}
    lines = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in old)
    added = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in new)
    if trial % 2:
        text = f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {lines} }} }} ; INSERT DATA {{ GRAPH <{GRAPH}> {{ {added} }} }}"
    else:
        text = (f"DELETE {{ GRAPH <{GRAPH}> {{ ?s <{LABEL.value}> ?l }} }} INSERT {{ GRAPH <{GRAPH}> {{ {added} }} }} "
                f"WHERE {{ GRAPH <{GRAPH}> {{ ?s <{LABEL.value}> ?l FILTER(lang(?l) = 'en') }} }}")
    return text, old, new


def stored(root: Path) -> set[ox.Quad]:
    """Every quad of the store at ``root`` (opened directly, after the server is gone)."""
    from graph.store import open_built_store

    store = open_built_store(root, read_only=False)
    try:
        return set(store.quads())
    finally:
        del store


def trial(root: Path, initial: list[ox.Quad], number: int, *, window: float, servers: Zygote) -> str:
    """One trial: check the next write is accepted, then kill the server during a write.

    :return: ``"before"`` or ``"after"``, the state the store was found in.
    :raises AssertionError: when the store is in neither state, does not conform, or disagrees with the journal.
    """
    from graph import journal
    from server.validation import validate

    pid, port = servers.start(root)
    try:
        probe = update(port, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:trial:{number}> <urn:p> "probe" }} }}')
        assert probe == 200, f"trial {number}: the server refused the next write ({probe})"
        # The journal is the write-ahead log: the server, once started, holds exactly its replay.
        before = set(journal.replay(initial, journal.entries(root / "journal")))
        text, old, new = relabel(list(before), number)
        threading.Thread(target=update, args=(port, text), daemon=True).start()
        time.sleep(random.uniform(0, window))
    finally:
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid)
    after_state = (before - old) | new
    found = stored(root)
    assert found in (before, after_state), (
        f"trial {number}: the store holds a partial write ({len(found - before)} quads added, "
        f"{len(before - found)} removed)")
    report = validate(sorted(found, key=str))
    assert report.conforms, f"trial {number}: the store no longer conforms: {report.to_text()[:500]}"
    replayed = set(journal.replay(initial, journal.entries(root / "journal")))
    assert replayed in (found, after_state), f"trial {number}: the journal disagrees with the store"
    return "before" if found == before else "after"


def run(root: Path, trials: int, *, window: float = 1.5, seed: int = 0) -> Counter[str]:
    """Run ``trials`` crash trials on a fresh store under ``root``; counts of the states found."""
    random.seed(seed)
    initial = make_store(root)
    outcomes: Counter[str] = Counter()
    servers = Zygote()
    try:
        for number in range(1, trials + 1):
            outcomes[trial(root, initial, number, window=window, servers=servers)] += 1
        pid, port = servers.start(root)
        try:
            assert update(port, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:last> <urn:p> "x" }} }}') == 200
        finally:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)
    finally:
        servers.close()
    return outcomes


def _wait_gone(pid: int, *, timeout: float = 10) -> None:
    """Wait until the killed process (and so its hold on the store) is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--zygote", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--window", type=float, default=1.5, help="kill within this many seconds of the write")
    parser.add_argument("--dir", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    if args.zygote:
        zygote()
        return
    if args.serve:
        serve(args.serve)
        return
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        root = (args.dir or Path(scratch)) / "store"
        began = time.perf_counter()
        with recorded("crash", log=lambda line: print(line, file=sys.stderr)) as facts:
            outcomes = run(root, args.trials, window=args.window)
        print(json.dumps({"trials": args.trials, "before": outcomes["before"], "after": outcomes["after"],
                          "partial": 0, "seconds": round(time.perf_counter() - began, 1)}))
        print("\n".join(provenance(facts)))


if __name__ == "__main__":
    main()
