"""``inviolable query``: run a SPARQL query on the built store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.commands import CommandError, add_store_option, resolve_store
from graph.formats import RDF_FORMATS, RESULT_FORMATS
from graph.query import QueryFormatError, run_query, write_result
from graph.remote_http import RemoteError
from graph.store import open_store

NAME = "query"
HELP = "run a SPARQL query (argument, --file or stdin) over the document layer (--inferences: and the inference layers)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sparql", nargs="?", help="the query text; '-' or nothing reads it from stdin")
    parser.add_argument("--file", type=Path, help="read the query from a file")
    parser.add_argument("--format", default="table", choices=["table", *RESULT_FORMATS, *RDF_FORMATS],
                        help="output format (default: table; RDF formats for CONSTRUCT and DESCRIBE)")
    parser.add_argument("--inferences", action="store_true",
                        help="also read the curators' inference layers (graph/{slug}/inferred) into the default graph")
    add_store_option(parser)


def _query_text(args: argparse.Namespace) -> str:
    if args.file is not None:
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read query file {args.file}: {error.strerror}") from error
    if args.sparql in (None, "-"):
        return sys.stdin.read()
    return args.sparql


def run(args: argparse.Namespace) -> int:
    sparql = _query_text(args)
    try:
        store = open_store(resolve_store(args), read_only=True)
        result = run_query(store, sparql, inferences=args.inferences)
        write_result(result, sys.stdout.buffer, args.format)
    except (FileNotFoundError, RemoteError, TimeoutError) as error:
        raise CommandError(str(error)) from error
    except SyntaxError as error:
        raise CommandError(f"the query does not parse: {error}") from error
    except QueryFormatError as error:
        raise CommandError(str(error)) from error
    sys.stdout.flush()
    return 0
