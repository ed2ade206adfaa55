"""``inviolable draft SLUG``: propose a draft Turtle file for a registered document.

The draft goes to ``drafts/SLUG.ttl`` (``--output`` to choose), a folder ``build`` never loads.
With ``--compare``, print how the draft's entity links and dates compare with the curated files
already in ``graph/data/SLUG/`` (precision and recall, as JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from cli.commands import add_document_options, read_chosen_document
from graph.config import PROJECT_ROOT

NAME = "draft"
HELP = "propose a draft Turtle file (sentences, entity links, dates, event skeletons) for a registered document"
DRAFTS_DIR = PROJECT_ROOT / "drafts"


def configure(parser: argparse.ArgumentParser) -> None:
    add_document_options(parser)
    parser.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="where to write the draft (default: drafts/SLUG.ttl)")
    parser.add_argument("--anchor", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the document's date for relative dates (default: the manifest's schema:datePublished)")
    parser.add_argument("--compare", action="store_true",
                        help="also print precision and recall against the curated files of the document")


def run(args: argparse.Namespace) -> int:
    from graph.draft import draft_document
    from graph.draft.measure import compare_with_curated
    from graph.draft.turtle import write_draft

    document, text = read_chosen_document(args)
    draft = draft_document(document, text, anchor=args.anchor)
    path = write_draft(draft, args.output or DRAFTS_DIR / f"{document.slug}.ttl")
    print(f"{path}: {len(draft.sentences)} sentences, {len(draft.mentions)} entity mentions, "
          f"{len(draft.candidates)} candidate names, {len(draft.dates)} dates, {len(draft.events)} event skeletons")
    if args.compare:
        print(json.dumps(compare_with_curated(draft).as_dict(), indent=2))
    return 0
