"""The source manifest and the documents it names: the one module that knows where the
manifest is, what it holds and how it is read.

Documents are third-party text: the project never stores them, only their name, hash, length
and a description (format, page URL, date, subject). They are read from a sources directory
when evidence needs re-checking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from graph.config import DATA_DIR
from graph.namespaces import ID, INV, REFERENCE_FOLDER, SCHEMA, source_graph

MANIFEST_NAME = "sources.ttl"
MANIFEST = DATA_DIR / REFERENCE_FOLDER / MANIFEST_NAME
#: The ``dct:format`` of wikitext documents, and of plain text.
WIKITEXT = "text/x-wiki"
PLAIN_TEXT = "text/plain"


class SourceError(Exception):
    """A document is missing, unreadable, or no longer matches the manifest."""


@dataclass(frozen=True)
class SourceDocument:
    """One document of the manifest."""

    iri: str
    slug: str
    file_name: str
    sha256: str
    character_count: int
    #: ``dct:format`` (:data:`WIKITEXT`, :data:`PLAIN_TEXT`), ``schema:url``, ``schema:about`` and
    #: the date of ``schema:datePublished``, when the manifest gives them.
    format: str | None = None
    url: str | None = None
    about: str | None = None
    published: dt.date | None = None

    @property
    def graph(self) -> str:
        """The named graph holding this document's facts."""
        return source_graph(self.slug)


def sha256_text(text: str) -> str:
    """SHA-256 of a string's UTF-8 encoding, in hex.

    >>> sha256_text("")[:8]
    'e3b0c442'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_path(data_dir: Path = DATA_DIR) -> Path:
    """The source manifest of a data folder (its ``reference/sources.ttl``), else the committed one."""
    own = data_dir / REFERENCE_FOLDER / MANIFEST_NAME
    return own if own.is_file() else MANIFEST


def load_manifest(path: Path = MANIFEST) -> dict[str, SourceDocument]:
    """Read the manifest into documents keyed by slug (parsed once per version of the file).

    :raises SourceError: when a document entry lacks its file name, hash or length.
    :raises FileNotFoundError: when there is no manifest at ``path``.
    """
    stat = path.stat()
    return dict(_parsed_manifest(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _parsed_manifest(path: Path, mtime_ns: int, size: int) -> dict[str, SourceDocument]:
    # Pages quote every evidence span through the manifest: parsing it each time cost most of a page.
    manifest = Graph().parse(path, format="turtle")
    documents = {}
    for iri in sorted(manifest.subjects(RDF.type, INV.SourceDocument)):
        values = {name: manifest.value(iri, INV[name]) for name in ("fileName", "sha256", "characterCount")}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise SourceError(f"{path}: source {iri} lacks {', '.join('inv:' + m for m in missing)}")
        slug = str(iri).removeprefix(f"{ID}source/")
        described = [manifest.value(iri, predicate) for predicate in (DCTERMS.format, SCHEMA.url, SCHEMA.about)]
        documents[slug] = SourceDocument(str(iri), slug, str(values["fileName"]), str(values["sha256"]),
                                         int(values["characterCount"]),
                                         *(str(value) if value is not None else None for value in described),
                                         published=_date(manifest.value(iri, SCHEMA.datePublished)))
    return documents


def _date(value: object) -> dt.date | None:
    # A date-time counts by its day; a value that is no date at all is left out.
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value is not None else None
    except ValueError:
        return None


def described(document: SourceDocument, path: Path = MANIFEST) -> SourceDocument:
    """The manifest's entry for ``document`` (matched by IRI), with its format, URL, date and subject;
    ``document`` itself when the manifest at ``path`` does not list it."""
    for entry in load_manifest(path).values():
        if entry.iri == document.iri:
            return entry
    return document


@contextmanager
def staged_manifest(path: Path, entry: str) -> Iterator[Path]:
    """A copy of the manifest at ``path`` with the Turtle block ``entry`` appended, for the caller to
    try; it replaces the manifest (one atomic rename) only when the block ends without an error.

    :raises SourceError: when the manifest with the new entry does not parse.
    """
    candidate = path.with_name(f".{path.name}.new-{os.getpid()}")
    try:
        candidate.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + entry, encoding="utf-8")
        try:
            load_manifest(candidate)
        except SyntaxError as error:
            raise SourceError(f"the new manifest entry does not parse: {error}") from error
        yield candidate
        os.replace(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)


def find_document(reference: str, manifest: dict[str, SourceDocument] | None = None) -> SourceDocument:
    """Find a document by slug, IRI or file name.

    :raises SourceError: when no document of the manifest matches.
    """
    manifest = manifest if manifest is not None else load_manifest()
    for document in manifest.values():
        if reference in (document.slug, document.iri) or Path(reference).name == document.file_name:
            return document
    known = ", ".join(sorted(manifest))
    raise SourceError(f"no document {reference!r} in the source manifest (known: {known})")


def _read_verified(path: Path, sha256: str, iri: str) -> str:
    try:
        stat = path.stat()
    except OSError as error:
        raise SourceError(f"cannot read document {iri} at {path}: {error.strerror}") from error
    # Pages quote many spans of one document: its verified text is kept for as long as the file is
    # unchanged (the same inode, size, mtime and ctime), and an edited file is read and hashed again.
    return _verified_text(path, sha256, iri, (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))


@lru_cache(maxsize=16)
def _verified_text(path: Path, sha256: str, iri: str, version: tuple[int, int, int, int]) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read document {iri} at {path}: {error.strerror}") from error
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise SourceError(f"document {iri} at {path} has SHA-256 {actual}, "
                          f"but the manifest records {sha256}: the document changed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"document {iri} at {path} is not UTF-8 (byte {error.start})") from error


def read_document(document: SourceDocument, sources: Path) -> str:
    """Return a document's text after checking it against the manifest's hash.

    The check is made again whenever the file has changed since it was last read.

    :raises SourceError: when the sources directory or the file is missing, or the hash differs.
    """
    if not sources.is_dir():
        raise SourceError(f"sources directory {sources} does not exist")
    return _read_verified(sources / document.file_name, document.sha256, document.iri)
