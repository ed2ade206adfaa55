"""``inviolable validate [FILES…]``: check the data against the shapes and the documents.

Exit status: 0 when the data conforms, 1 on violations (and on warnings under ``--strict``),
2 when input cannot be read (a Turtle syntax error, a missing file or document).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.commands import add_sources_option, resolve_sources
from graph.loader import DataSyntaxError
from graph.sources import SourceError
from graph.validation import FORMATS, collect_files, validate_files
from graph.validation.engine import ShapesError
from graph.validation.locations import display_path
from graph.validation.report import ValidationReport

NAME = "validate"
HELP = "validate the data against the SHACL shapes and re-check evidence spans; exit 1 on violations"

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="Turtle files to validate together with the committed data (default: the committed data)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="report format: text (default), turtle (sh:ValidationReport), json, junit (XML), "
                             "github (Actions annotations)")
    parser.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--only", action="store_true",
                        help="validate only FILES with the ontology and reference data, not the other document files")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help="the data folder to validate (default: graph/data of the checkout)")
    add_sources_option(parser)
    parser.add_argument("--no-sources", action="store_true",
                        help="do not re-check evidence spans against the documents")


def run(args: argparse.Namespace) -> int:
    sources = None if args.no_sources else resolve_sources(args)
    try:
        missing = [path for path in args.files if not path.is_file()]
        if missing:
            raise FileNotFoundError(", ".join(str(path) for path in missing))
        if args.sources is not None and not args.sources.is_dir():
            raise SourceError(f"sources directory {args.sources} does not exist")
        files = collect_files(args.files, **({"data_dir": args.data_dir} if args.data_dir else {}))
        if args.only and args.files:
            given = {path.resolve() for path in args.files}
            files = [f for f in files if f.path.resolve() in given or not _is_document_file(f.graph)]
        report = validate_files(files, sources=sources)
    except DataSyntaxError as error:
        return _unreadable(args, str(error), error.path, error.line, error.column)
    except (SourceError, ShapesError) as error:
        return _unreadable(args, str(error))
    except SyntaxError as error:
        return _unreadable(args, f"the shapes do not parse: {error}")
    except FileNotFoundError as error:
        return _unreadable(args, f"no such file: {error.args[0] if error.args else error}")
    except ValueError as error:  # a malformed term list, or an unknown closed-world check in the shapes
        return _unreadable(args, str(error))
    _emit(args, report)
    return EXIT_CONFORMS if report.passes(strict=args.strict) else EXIT_VIOLATIONS


def render(report: ValidationReport, format: str, *, strict: bool = False) -> str:
    """The report in one of :data:`graph.validation.FORMATS`."""
    if format == "turtle":
        return report.to_turtle()
    return {"text": report.to_text, "json": report.to_json, "junit": report.to_junit,
            "github": report.to_github}[format](strict=strict)


def _emit(args: argparse.Namespace, report: ValidationReport) -> None:
    text = render(report, args.format, strict=args.strict)
    if args.output is not None:
        args.output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        print(report.summary(strict=args.strict), file=sys.stderr)
    else:
        print(text, end="" if text.endswith("\n") else "\n")


def _is_document_file(graph: str) -> bool:
    from graph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH

    return graph not in (str(ONTOLOGY_GRAPH), str(REFERENCE_GRAPH))


def _unreadable(args: argparse.Namespace, message: str, path: Path | None = None, line: int | None = None,
                column: int | None = None) -> int:
    print(f"inviolable validate: error: {message}", file=sys.stderr)
    if args.format == "github":
        where = []
        if path is not None:
            where.append(f"file={display_path(path)}")
            if line is not None:
                where.append(f"line={line}")
            if column is not None:
                where.append(f"col={column}")
        escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error {','.join(where + ['title=unreadable input'])}::{escaped}")
    return EXIT_UNREADABLE
