"""``inviolable writes``: the server's write journal: list it, export it as Turtle, retire what the data covers."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.commands import CommandError, add_store_option, resolve_store
from graph import journal
from graph.loader import DataSyntaxError
from graph.writes_export import covered, export

NAME = "writes"
HELP = "the endpoint's journalled writes: list, export as Turtle data files, retire once committed"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (("list", "list the journal's entries"),
                       ("export", "write the journal's additions as Turtle files in the data folders"),
                       ("retire", "move entries the committed data now covers to journal/retired/")):
        sub = actions.add_parser(name, help=text, description=text)
        add_store_option(sub)
        if name == "export":
            sub.add_argument("--out", type=Path, default=None, metavar="DIR",
                             help="write under DIR (same layout as graph/data) instead of graph/data")


def run(args: argparse.Namespace) -> int:
    directory = resolve_store(args) / "journal"
    try:
        if args.action == "list":
            for entry in journal.entries(directory):
                print(f"{entry.path.name}: -{len(entry.removed)} +{len(entry.added)}")
            return 0
        if args.action == "export":
            result = export(directory, out=args.out)
            if not result.entries:
                print(f"the journal {directory} holds no writes")
                return 0
            for path in result.written:
                print(f"wrote {path}")
            for quad, files in result.removals:
                shown = ", ".join(str(f) for f in files)
                print(f"remove by hand from {shown}: {quad.subject} {quad.predicate} {quad.object} .")
            for graph in result.skipped:
                print(f"not exported (no data folder names {graph}): edit its files by hand")
            print("commit the files, then run `inviolable writes retire`")
            return 0
        done = covered(directory)
        for path in journal.retire(directory, done) if done else []:
            print(f"retired {path.name}")
        left = len(list(journal.entries(directory)))
        print(f"{len(done)} entr{'y' if len(done) == 1 else 'ies'} retired; {left} still to commit as data")
        return 0
    except (journal.JournalError, DataSyntaxError, OSError) as error:
        raise CommandError(str(error)) from error
