"""The SPARQL servers compared: this project's (gunicorn; with its results cache on, and off),
Oxigraph's own, and rdflib-endpoint.

Each is started on a free loopback port over the same data: the project's server and Oxigraph's
read the same built store (both read-only); rdflib-endpoint loads an N-Quads dump of it into
memory. All answer with the union of the named graphs as the default graph.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.env import bench_bin
from bench.procs import HOST, Server, free_port, start_server
from graph.config import PROJECT_ROOT
from graph.store import store_directory

PROJECT = "inviolable"
PROJECT_NO_CACHE = "inviolable-no-cache"
OXIGRAPH = "oxigraph"
RDFLIB = "rdflib-endpoint"
ALL = (PROJECT, PROJECT_NO_CACHE, OXIGRAPH, RDFLIB)
_PROBE = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})


def start_project(store: Path, logs: Path, *, env: dict[str, str] | None = None, name: str = PROJECT) -> Server:
    """This project's server as deployed: ``inviolable serve`` (gunicorn) over the built store at ``store``.

    :param env: extra ``INVIOLABLE_*`` settings, such as the query timeout.
    :param name: the name in logs and figures.
    """
    port = free_port()
    command = [str(PROJECT_ROOT / ".venv" / "bin" / "inviolable"), "serve", "--host", HOST, "--port", str(port)]
    url = f"http://{HOST}:{port}/sparql"
    return start_server(name, command, url=url, probe=f"{url}?{_PROBE}", log=logs / f"{name}.log",
                        env={"INVIOLABLE_STORE": str(store), **(env or {})})


def start_oxigraph(store: Path, logs: Path) -> Server:
    """Oxigraph's server (``oxigraph serve-read-only`` from PyPI) over the same store files."""
    port = free_port()
    command = [str(bench_bin("oxigraph")), "serve-read-only", "--location", str(store_directory(store)),
               "--bind", f"{HOST}:{port}", "--union-default-graph"]
    url = f"http://{HOST}:{port}/query"
    return start_server(OXIGRAPH, command, url=url, probe=f"{url}?{_PROBE}", log=logs / f"{OXIGRAPH}.log")


def start_rdflib(dump: Path, logs: Path) -> Server:
    """rdflib-endpoint (uvicorn, rdflib's in-memory store) over an N-Quads dump of the same store."""
    port = free_port()
    command = [str(bench_bin("rdflib-endpoint")), "serve", str(dump), "--host", HOST, "--port", str(port)]
    url = f"http://{HOST}:{port}/"
    return start_server(RDFLIB, command, url=url, probe=f"{url}?{_PROBE}", log=logs / f"{RDFLIB}.log",
                        timeout=600)


def starters(store: Path, dump: Path, logs: Path) -> dict[str, Callable[[], Server]]:
    """A function per compared server that starts it over the given data."""
    # Every connection of the load generator comes from 127.0.0.1: lift the per-client limit on
    # running queries (INVIOLABLE_CLIENT_QUERIES), or the server would refuse most of them with 429.
    load = {"INVIOLABLE_CLIENT_QUERIES": "1024"}
    return {PROJECT: lambda: start_project(store, logs, env={**load, "INVIOLABLE_RESULT_CACHE": "1"}),
            PROJECT_NO_CACHE: lambda: start_project(store, logs, env={**load, "INVIOLABLE_RESULT_CACHE": "0"},
                                                    name=PROJECT_NO_CACHE),
            OXIGRAPH: lambda: start_oxigraph(store, logs), RDFLIB: lambda: start_rdflib(dump, logs)}
