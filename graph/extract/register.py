"""Register a new document in the source manifest, and extract it when it is wikitext.

The manifest is rewritten whole into a new file beside it and swapped in only after the new
manifest parses and, for wikitext, the document extracts; a failure leaves it untouched.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from graph.config import REFERENCE_DIR
from graph.extract import GENERATED_DIR, extract, write_generated
from graph.extract.citations import slugify
from graph.extract.turtle import iri, literal
from graph.namespaces import SLUG_PATTERN
from graph.sources import MANIFEST, PLAIN_TEXT, WIKITEXT, SourceError, load_manifest, staged_manifest


@dataclass(frozen=True)
class NewDocument:
    """What is known of a document to register."""

    path: Path
    title: str
    slug: str | None = None
    language: str = "en"
    url: str | None = None
    published: date | None = None
    format: str | None = None
    about: str | None = None
    title_es: str | None = None


@dataclass(frozen=True)
class Registered:
    """The outcome: the document's slug, format, hash, and the generated files written."""

    slug: str
    format: str
    sha256: str
    generated: tuple[Path, ...]


def guess_format(text: str) -> str:
    """``text/x-wiki`` when the text carries wiki markup, else ``text/plain``.

    >>> guess_format("{{Infobox x}} [[Quito]]"), guess_format("Plain news.")
    ('text/x-wiki', 'text/plain')
    """
    return WIKITEXT if re.search(r"\{\{|\[\[|<ref[ >]", text) else PLAIN_TEXT


def manifest_entry(new: NewDocument, *, slug: str, fmt: str, sha256: str, characters: int) -> str:
    """The Turtle block of one manifest entry, relative to the manifest's ``@base``."""
    kinds = "inv:SourceDocument , schema:Article , prov:Entity" if fmt == WIKITEXT else \
        "inv:SourceDocument , schema:CreativeWork , prov:Entity"
    labels = [literal(new.title, language="en")]
    if new.title_es:
        labels.append(literal(new.title_es, language="es"))
    lines = [f"<source/{slug}> a {kinds} ;", f"    rdfs:label {' , '.join(labels)} ;",
             f"    schema:name {literal(new.title)} ;"]
    if new.url:
        lines.append(f"    schema:url {iri(new.url)} ;")
    lines.append(f"    schema:inLanguage {literal(new.language)} ;")
    if new.published:
        lines.append(f"    schema:datePublished {literal(new.published.isoformat(), datatype='xsd:date')} ;")
    if new.about:
        lines.append(f"    schema:about {iri(new.about)} ;")
    lines += [f"    dct:format {literal(fmt)} ;", f"    inv:fileName {literal(new.path.name)} ;",
              f"    inv:sha256 {literal(sha256)} ;", f"    inv:characterCount {characters} ."]
    return "\n".join(lines) + "\n"


def add_source(new: NewDocument, *, manifest_path: Path = MANIFEST, out_dir: Path = GENERATED_DIR,
               reference_dir: Path = REFERENCE_DIR) -> Registered:
    """Add ``new`` to the manifest and, for wikitext, write its generated files.

    :raises SourceError: when the file is unreadable or not UTF-8, or the slug or hash is already known.
    :raises ExtractionError: when a wikitext document's markup cannot be read (the manifest is unchanged).
    """
    try:
        data = new.path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read document {new.path}: {error.strerror}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"document {new.path} is not UTF-8 (byte {error.start})") from error
    sha256 = hashlib.sha256(data).hexdigest()
    slug = new.slug or slugify(new.title)
    if not SLUG_PATTERN.match(slug):
        raise SourceError(f"slug {slug!r} must be lowercase ASCII words joined by hyphens")
    for known in load_manifest(manifest_path).values():
        if known.slug == slug:
            raise SourceError(f"the manifest already has a document {slug!r} ({known.file_name})")
        if known.sha256 == sha256:
            raise SourceError(f"{new.path} is already in the manifest as {known.slug!r}")
        if known.file_name == new.path.name:
            raise SourceError(f"the manifest already has a document named {new.path.name} ({known.slug!r})")
    fmt = new.format or guess_format(text)
    entry = manifest_entry(new, slug=slug, fmt=fmt, sha256=sha256, characters=len(text))
    with staged_manifest(manifest_path, entry) as candidate:
        output = {}
        if fmt == WIKITEXT:
            output = extract(new.path.parent, manifest_path=candidate, reference_dir=reference_dir, only=[slug])
    written = write_generated(output, out_dir) if output else []
    return Registered(slug, fmt, sha256, tuple(written))
