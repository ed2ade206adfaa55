"""``inviolable extract``: regenerate the generated data from the wikitext documents."""

from __future__ import annotations

import argparse

from cli.commands import CommandError, add_sources_option, required_sources
from graph.extract import GENERATED_DIR, ExtractionError, drift, extract_sources
from graph.sources import SourceError

NAME = "extract"
HELP = "regenerate graph/data/generated/ from the wikitext documents (citations, infobox, reactions, links)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_sources_option(parser)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the committed files differ from a fresh extraction")
    parser.add_argument("--document", action="append", default=None, metavar="SLUG",
                        help="extract only this document (repeatable)")


def run(args: argparse.Namespace) -> int:
    sources = required_sources(args)
    try:
        if args.check:
            problems = drift(sources)
            for problem in problems:
                print(problem)
            print(f"{len(problems)} generated file(s) out of date" if problems else "generated data is current")
            return 1 if problems else 0
        written = extract_sources(sources, only=args.document)
    except (SourceError, ExtractionError) as error:
        raise CommandError(f"{error} (nothing was written)") from error
    for path in written:
        print(path.relative_to(GENERATED_DIR.parent.parent.parent))
    return 0
