"""``inviolable locate DOC "passage"``: print a passage's span and hash, ready for evidence."""

from __future__ import annotations

import argparse
import sys

from cli.commands import CommandError, add_document_options, read_chosen_document
from graph.locate import PassageNotFound, evidence_turtle, locate

NAME = "locate"
HELP = "print the start, end and SHA-256 of a passage of a source document"


def configure(parser: argparse.ArgumentParser) -> None:
    add_document_options(parser)
    parser.add_argument("passage", help="the text to find (straight or curly quotes, any dashes and spacing)")
    parser.add_argument("--occurrence", type=int, default=None, metavar="N",
                        help="which occurrence to take when the passage occurs more than once")
    parser.add_argument("--turtle", action="store_true", help="print the evidence node as Turtle")


def run(args: argparse.Namespace) -> int:
    document, text = read_chosen_document(args)
    try:
        span = locate(text, args.passage, occurrence=args.occurrence)
    except PassageNotFound as error:
        raise CommandError(str(error)) from error
    if text[span.start:span.end] != args.passage:
        print("inviolable locate: note: matched after making quotes, dashes and whitespace uniform; "
              "the span and its hash are the document's own text", file=sys.stderr)
    if args.turtle:
        print(evidence_turtle(span, document), end="")
    else:
        print(f"{span.start}\t{span.end}\t{span.sha256}")
    return 0
