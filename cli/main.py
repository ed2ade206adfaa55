"""The ``inviolable`` command: a thin shell over the project's plain functions.

Each subcommand is a module of :mod:`cli.commands` that defines ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``; they are discovered, not listed here.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from cli import commands
from cli.commands import CommandError
from graph.config import SettingsError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(prog="inviolable", description=(
        "A knowledge graph of incidents against diplomatic and consular missions."))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, SettingsError) as error:
        print(f"inviolable {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (``head``, a closed pager) went away; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
