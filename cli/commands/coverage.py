"""``inviolable coverage``: list what the documents mention that the graph lacks."""

from __future__ import annotations

import argparse

from cli.commands import CommandError, add_sources_option, required_sources
from graph.coverage import coverage
from graph.extract import ExtractionError
from graph.sources import SourceError

NAME = "coverage"
HELP = "list wiki-linked entities with no node and plain-text sentences with no evidence"


def configure(parser: argparse.ArgumentParser) -> None:
    add_sources_option(parser)
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a wiki-linked person, state, organization, convention or place has no node")


def run(args: argparse.Namespace) -> int:
    sources = required_sources(args)
    try:
        report = coverage(sources)
    except (SourceError, ExtractionError) as error:
        raise CommandError(str(error)) from error
    print(report.to_text())
    return 1 if args.strict and report.entity_gaps else 0
