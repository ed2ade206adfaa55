"""Subcommands of the ``inviolable`` command line, one module each."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from graph.config import StoreSpec, settings, store_spec

if TYPE_CHECKING:
    from graph.sources import SourceDocument


class CommandError(Exception):
    """A command failed for a reason the user can act on; its message says what and where."""


def add_sources_option(parser: argparse.ArgumentParser) -> None:
    """``--sources DIR``, defaulting to ``INVIOLABLE_SOURCES`` or ``../shared/seeds`` when present."""
    parser.add_argument("--sources", type=Path, default=None, metavar="DIR",
                        help="directory holding the source documents (env INVIOLABLE_SOURCES)")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store DIR|URL``, defaulting to ``INVIOLABLE_STORE`` or ``var/store`` in the checkout."""
    parser.add_argument("--store", type=store_spec, default=None, metavar="DIR|URL",
                        help="store directory, or a remote engine's SPARQL query URL (http://…/sparql) "
                             "(env INVIOLABLE_STORE; default var/store)")


def resolve_sources(args: argparse.Namespace) -> Path | None:
    """The sources directory the user chose, or the configured default."""
    return args.sources if args.sources is not None else settings().sources


def required_sources(args: argparse.Namespace) -> Path:
    """The sources directory, for commands that cannot work without the documents.

    :raises CommandError: when neither ``--sources`` nor the settings give one.
    """
    sources = resolve_sources(args)
    if sources is None:
        raise CommandError("no sources directory: pass --sources DIR or set INVIOLABLE_SOURCES")
    return sources


def resolve_store(args: argparse.Namespace) -> StoreSpec:
    """The store directory (or remote engine URL) the user chose, or the configured default."""
    return args.store if args.store is not None else settings().store


def add_document_options(parser: argparse.ArgumentParser) -> None:
    """The ``DOCUMENT`` argument (slug, IRI or file name of the manifest) and ``--sources DIR``."""
    parser.add_argument("document", help="document slug, IRI or file name from the source manifest")
    add_sources_option(parser)


def read_chosen_document(args: argparse.Namespace) -> tuple[SourceDocument, str]:
    """The document the user named (see :func:`add_document_options`) and its text, checked against
    the manifest's hash.

    :raises CommandError: when there is no sources directory, or the document is unknown, missing or changed.
    """
    from graph.sources import SourceError, find_document, read_document

    sources = required_sources(args)
    try:
        document = find_document(args.document)
        return document, read_document(document, sources)
    except SourceError as error:
        raise CommandError(str(error)) from error
