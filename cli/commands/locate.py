"""``inviolable locate DOC "passage"``: print a passage's span and hash, ready for evidence."""

from __future__ import annotations

import argparse
import sys

from cli.commands import CommandError, add_sources_option, resolve_sources
from graph.locate import PassageNotFound, evidence_turtle, locate
from graph.sources import SourceError, find_document, read_document

NAME = "locate"
HELP = "print the start, end and SHA-256 of a passage of a source document"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", help="document slug, IRI or file name from the source manifest")
    parser.add_argument("passage", help="the text to find (straight or curly quotes, any dashes and spacing)")
    parser.add_argument("--occurrence", type=int, default=None, metavar="N",
                        help="which occurrence to take when the passage occurs more than once")
    parser.add_argument("--turtle", action="store_true", help="print the evidence node as Turtle")
    add_sources_option(parser)


def run(args: argparse.Namespace) -> int:
    sources = resolve_sources(args)
    if sources is None:
        raise CommandError("no sources directory: pass --sources DIR or set INVIOLABLE_SOURCES")
    try:
        document = find_document(args.document)
        text = read_document(document, sources)
        span = locate(text, args.passage, occurrence=args.occurrence)
    except (SourceError, PassageNotFound) as error:
        raise CommandError(str(error)) from error
    if text[span.start:span.end] != args.passage:
        print("inviolable locate: note: matched after making quotes, dashes and whitespace uniform; "
              "the span and its hash are the document's own text", file=sys.stderr)
    if args.turtle:
        print(evidence_turtle(span, document), end="")
    else:
        print(f"{span.start}\t{span.end}\t{span.sha256}")
    return 0
