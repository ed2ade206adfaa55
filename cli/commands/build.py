"""``inviolable build``: build the store from the ontology and the committed facts."""

from __future__ import annotations

import argparse
import json
import sys

from cli.commands import CommandError, add_sources_option, add_store_option, resolve_sources, resolve_store
from graph.build import BuildError, build_store
from graph.loader import DataSyntaxError
from graph.remote_http import RemoteError
from graph.sources import SourceError
from graph.store import is_remote, open_store

NAME = "build"
HELP = "build the store (one named graph per document), swapping it in only when complete and valid"


def configure(parser: argparse.ArgumentParser) -> None:
    add_store_option(parser)
    add_sources_option(parser)
    parser.add_argument("--no-sources", action="store_true",
                        help="do not re-check evidence spans against the documents")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--quiet", action="store_true", help="do not show progress")


def run(args: argparse.Namespace) -> int:
    sources = None if args.no_sources else resolve_sources(args)
    if args.sources is not None and not args.sources.is_dir():
        raise CommandError(f"sources directory {args.sources} does not exist")

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)

    store = resolve_store(args)
    try:
        if is_remote(store):
            from graph.remote_build import build_remote

            result = build_remote(open_store(store), sources=sources, progress=progress)
        else:
            result = build_store(path=store, sources=sources, progress=progress)
    except (BuildError, DataSyntaxError, SourceError, RemoteError, TimeoutError) as error:
        raise CommandError(f"build failed, the previous store is unchanged.\n{error}") from error
    if args.json:
        print(json.dumps({**result.summary.to_json(), "store": str(store),
                          "seconds": round(result.seconds, 3), "evidence_checked": result.evidence_checked},
                         indent=2))
    else:
        checked = f"evidence checked against {sources}" if sources else "evidence not checked (no sources)"
        print(f"built {store} in {result.seconds:.2f} s; {checked}")
        print(result.summary.to_text())
    return 0
