"""The source manifest and the documents it names.

Documents are third-party text: the project never stores them, only their name, hash and
length. They are read from a sources directory when evidence needs re-checking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from graph.config import DATA_DIR
from graph.namespaces import ID, INV, source_graph

MANIFEST = DATA_DIR / "reference" / "sources.ttl"


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
        documents[slug] = SourceDocument(str(iri), slug, str(values["fileName"]), str(values["sha256"]),
                                         int(values["characterCount"]))
    return documents


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


@cache
def _read_verified(path: Path, sha256: str, iri: str) -> str:
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

    :raises SourceError: when the sources directory or the file is missing, or the hash differs.
    """
    if not sources.is_dir():
        raise SourceError(f"sources directory {sources} does not exist")
    return _read_verified(sources / document.file_name, document.sha256, document.iri)

