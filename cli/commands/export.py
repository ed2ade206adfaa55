"""``inviolable export``: write the project graphs, or one graph, in an RDF format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.commands import CommandError, add_store_option, resolve_store
from graph.export import export
from graph.formats import RDF_FORMATS
from graph.namespaces import GRAPH
from graph.remote_http import RemoteError
from graph.store import open_store

NAME = "export"
HELP = ("export the project graphs or one graph (N-Quads, TriG, JSON-LD keep graph names; other formats get "
        "the union)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="nquads", choices=list(RDF_FORMATS), help="default: nquads")
    parser.add_argument("--graph", help="a graph IRI, or a short name such as 'reference' or a source slug")
    parser.add_argument("--user-graphs", action="store_true",
                        help="add the graphs users wrote through the Graph Store protocol, under their own names "
                             "(N-Quads, TriG or JSON-LD)")
    parser.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    add_store_option(parser)


def run(args: argparse.Namespace) -> int:
    try:
        store = open_store(resolve_store(args), read_only=True)
        names = store.graph_names()
    except (FileNotFoundError, RemoteError, TimeoutError) as error:
        raise CommandError(str(error)) from error
    graph = args.graph
    if graph is not None and ":" not in graph:
        graph = f"{GRAPH}{graph}"
    if graph is not None and graph not in names:
        raise CommandError(f"no graph {graph}; graphs: {', '.join(names)}")
    output = args.output.open("wb") if args.output else sys.stdout.buffer
    try:
        export(store, output, format=RDF_FORMATS[args.format], graph=graph, user_graphs=args.user_graphs)
    except ValueError as error:
        raise CommandError(str(error)) from error
    finally:
        if args.output:
            output.close()
    return 0
