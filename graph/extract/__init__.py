"""Extract what the structure of a wikitext document states into generated Turtle.

``extract_sources`` regenerates ``graph/data/generated/{source-slug}/`` for every wikitext
document of the manifest; ``drift`` compares a fresh extraction with what is committed.
Output is deterministic: the same documents and reference data give the same bytes.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from graph.config import DATA_DIR, REFERENCE_DIR
from graph.extract.document import DocumentInfo, extract_document
from graph.extract.entities import load_resolver
from graph.extract.wikitext import ExtractionError
from graph.namespaces import GENERATED_FOLDER
from graph.sources import MANIFEST, WIKITEXT, SourceDocument, SourceError, load_manifest, read_document

GENERATED_DIR = DATA_DIR / GENERATED_FOLDER

__all__ = ["ExtractionError", "SourceError", "Drift", "drift", "extract", "extract_sources", "write_generated"]


def wikitext_documents(manifest_path: Path = MANIFEST,
                       only: list[str] | None = None) -> list[tuple[SourceDocument, DocumentInfo]]:
    """The manifest's wikitext documents (or those among ``only``, by slug), sorted by slug."""
    chosen = []
    for slug, document in sorted(load_manifest(manifest_path).items()):
        if document.format == WIKITEXT and (only is None or slug in only):
            chosen.append((document, DocumentInfo.of(document)))
    return chosen


def extract(sources: Path, *, manifest_path: Path = MANIFEST, reference_dir: Path = REFERENCE_DIR,
            only: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Extract the wikitext documents in memory: ``{source-slug: {file name: Turtle}}``.

    :raises SourceError: when a document is missing or its hash no longer matches the manifest.
    :raises ExtractionError: when a document's markup cannot be read; names the document and position.
    """
    resolver = load_resolver(reference_dir)
    output = {}
    for document, info in wikitext_documents(manifest_path, only):
        output[document.slug] = extract_document(document, read_document(document, sources), info, resolver)
    return output


def write_generated(output: dict[str, dict[str, str]], out_dir: Path = GENERATED_DIR) -> list[Path]:
    """Replace each document's generated folder with the new files, one folder at a time.

    Each folder is written beside the old one and swapped in whole, so a failure leaves
    the previous files in place.
    """
    written = []
    for slug, files in sorted(output.items()):
        target = out_dir / slug
        staging = out_dir / f".{slug}.new-{os.getpid()}"
        retired = out_dir / f".{slug}.old-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, content in sorted(files.items()):
            (staging / name).write_text(content, encoding="utf-8")
            written.append(target / name)
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    return written


def extract_sources(sources: Path, *, out_dir: Path = GENERATED_DIR, manifest_path: Path = MANIFEST,
                    reference_dir: Path = REFERENCE_DIR, only: list[str] | None = None) -> list[Path]:
    """Extract every wikitext document and write the generated files; nothing is written on error.

    :raises SourceError: when a document is missing or its hash no longer matches the manifest.
    :raises ExtractionError: when a document's markup cannot be read.
    """
    output = extract(sources, manifest_path=manifest_path, reference_dir=reference_dir, only=only)
    return write_generated(output, out_dir)


@dataclass(frozen=True)
class Drift:
    """A generated file that differs from a fresh extraction, is missing, or is left over."""

    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def drift(sources: Path, *, out_dir: Path = GENERATED_DIR, manifest_path: Path = MANIFEST,
          reference_dir: Path = REFERENCE_DIR) -> list[Drift]:
    """Compare the committed generated files with a fresh extraction, byte for byte.

    :raises SourceError: when a document is missing or its hash no longer matches the manifest.
    :raises ExtractionError: when a document's markup cannot be read.
    """
    output = extract(sources, manifest_path=manifest_path, reference_dir=reference_dir)
    problems = []
    for slug, files in sorted(output.items()):
        for name, content in sorted(files.items()):
            path = out_dir / slug / name
            if not path.is_file():
                problems.append(Drift(path, "missing: run `inviolable extract`"))
            elif path.read_text(encoding="utf-8") != content:
                problems.append(Drift(path, "differs from a fresh extraction: run `inviolable extract`"))
        folder = out_dir / slug
        for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
            if path.name not in files:
                problems.append(Drift(path, "no longer produced by the extractor: run `inviolable extract`"))
    return problems
