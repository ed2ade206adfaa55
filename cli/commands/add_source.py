"""``inviolable add-source PATH``: register a document in the manifest and extract it if wikitext."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from cli.commands import CommandError
from graph.extract import ExtractionError
from graph.extract.register import NewDocument, add_source
from graph.sources import PLAIN_TEXT, WIKITEXT, SourceError

NAME = "add-source"
HELP = "register a document (hash, title, language, URL, date) in the source manifest; extract wikitext"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the document, inside the sources directory")
    parser.add_argument("--title", required=True, help="the document's title")
    parser.add_argument("--title-es", default=None, help="the title in Spanish, for the Spanish label")
    parser.add_argument("--slug", default=None, help="the document's slug (default: from the title)")
    parser.add_argument("--language", default="en", help="BCP 47 language of the document (default en)")
    parser.add_argument("--url", default=None, help="where the document is published")
    parser.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="publication date")
    parser.add_argument("--format", choices=(WIKITEXT, PLAIN_TEXT), default=None,
                        help="the document's format (default: guessed from its markup)")
    parser.add_argument("--about", default=None, metavar="IRI",
                        help="the incident the document is about (its infobox and reactions describe it)")


def run(args: argparse.Namespace) -> int:
    new = NewDocument(args.path, args.title, slug=args.slug, language=args.language, url=args.url,
                      published=args.date, format=args.format, about=args.about, title_es=args.title_es)
    try:
        result = add_source(new)
    except (SourceError, ExtractionError) as error:
        raise CommandError(f"{error} (the manifest is unchanged)") from error
    print(f"registered <source/{result.slug}> ({result.format}, SHA-256 {result.sha256})")
    for path in result.generated:
        print(f"wrote {path}")
    return 0
