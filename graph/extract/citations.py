"""Read the ``<ref>`` citations of a wikitext document into references and their uses.

A citation is written out once (``{{cite web}}``, ``{{cite news}}`` or a bare ``[url title]``)
and may be reused by name (``<ref name="x"/>``). Citations of the same URL are one reference:
the same work cited twice with different field spellings is still one work.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

import mwparserfromhell as mw
from mwparserfromhell.nodes import Tag, Template

from graph.extract.wikitext import ExtractionError, Located, is_tag, template_name

#: Citation fields naming the periodical or site a work is part of (schema:isPartOf).
PART_OF_FIELDS = ("website", "work", "newspaper", "magazine", "journal", "periodical")
_BARE = re.compile(r"^\[(?P<url>https?://\S+)\s+(?P<title>[^\]]+)\]\s*,?\s*(?P<outlet>[^(]*?)\s*"
                   r"(?:\((?P<date>[^)]+)\))?\s*\.?\s*$", re.DOTALL)
_DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%Y-%m-%d", "%d %b %Y", "%b %d, %Y")


@dataclass
class Citation:
    """The fields of one written-out citation, plain text, wiki markup removed."""

    url: str
    title: str | None = None
    translated_title: str | None = None
    part_of: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    accessed: date | None = None
    language: str | None = None
    archive_url: str | None = None
    archived: date | None = None


@dataclass
class RefUse:
    """One ``<ref>`` tag: where it is, its name, and the citation it writes out (None for a reuse)."""

    ordinal: int
    start: int
    end: int
    name: str | None
    citation: Citation | None
    body: str
    located: Located = field(repr=False)


@dataclass
class Reference:
    """A cited work: its slug, its merged citation, and the ordinals of the tags that cite it."""

    slug: str
    citation: Citation
    uses: list[int] = field(default_factory=list)


def slugify(value: str) -> str:
    """Lower-case ASCII words joined by hyphens.

    >>> slugify("La Hora")
    'la-hora'
    >>> slugify("Guardian20240408")
    'guardian20240408'
    """
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def url_slug(url: str) -> str:
    """A stable slug for an unnamed citation: the site's name and a digest of its URL.

    >>> url_slug("https://www.cnn.com/2024/x.html")
    'cnn-com-c406847b4c'
    """
    host = urlsplit(url).hostname or "link"
    host = host.removeprefix("www.")
    return f"{slugify(host)}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def parse_date(value: str | None) -> date | None:
    """A citation date as a date, or None when it gives less than a day.

    >>> parse_date("6 April 2024"), parse_date("April 2024")
    (datetime.date(2024, 4, 6), None)
    """
    if not value:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _plain(value: object) -> str | None:
    text = mw.parse(str(value)).strip_code(normalize=True, collapse=True).strip()
    return " ".join(text.split()) or None


def _from_template(template: Template) -> dict[str, str]:
    values = {}
    for parameter in template.params:
        key = str(parameter.name).strip().lower()
        value = _plain(parameter.value)
        if value:
            values[key] = value
    return values


def _authors(values: dict[str, str]) -> tuple[str, ...]:
    authors = []
    for suffix in ("", *map(str, range(1, 10))):
        last, first = values.get(f"last{suffix}"), values.get(f"first{suffix}")
        name = values.get(f"author{suffix}")
        if last:
            authors.append(f"{first} {last}" if first else last)
        elif name:
            authors.append(name)
    return tuple(dict.fromkeys(authors))


def parse_citation(body: str, *, where: tuple[str, str, int]) -> Citation:
    """Read the written-out body of a ``<ref>`` into a citation.

    :param where: the document's name, its text and the body's offset, for error messages.
    :raises ExtractionError: when the body has no URL.
    """
    document, text, offset = where
    code = mw.parse(body)
    cites = [t for t in code.filter_templates(recursive=False) if template_name(t).startswith("cite")]
    if cites:
        values = _from_template(cites[0])
        if not values.get("url"):
            raise ExtractionError(document, text, offset, "citation has no URL (no url= in the template)")
        part_of = next((values[key] for key in PART_OF_FIELDS if values.get(key)), None)
        return Citation(
            url=values["url"], title=values.get("title"), translated_title=values.get("trans-title"),
            part_of=part_of, publisher=values.get("publisher") or values.get("agency"),
            authors=_authors(values), published=parse_date(values.get("date")),
            accessed=parse_date(values.get("access-date") or values.get("accessdate")),
            language=(values.get("language") or "").lower() or None, archive_url=values.get("archive-url"),
            archived=parse_date(values.get("archive-date")))
    match = _BARE.match(body.strip())
    if match:
        return Citation(url=match["url"], title=_plain(match["title"]), part_of=_plain(match["outlet"] or ""),
                        published=parse_date(match["date"]))
    bare = re.search(r"https?://[^\s\]|}<]+", body)
    if bare:
        return Citation(url=bare.group(0))
    raise ExtractionError(document, text, offset, "citation has no URL")


def ref_uses(document: str, text: str, nodes: list[Located]) -> list[RefUse]:
    """Every ``<ref>`` tag of the document, in order, with its citation when written out.

    :raises ExtractionError: on a citation without a URL or a reuse of a name never written out.
    """
    uses = []
    for located in nodes:
        if not is_tag(located, "ref"):
            continue
        tag = located.node
        assert isinstance(tag, Tag)
        name = str(tag.get("name").value).strip() if tag.has("name") else None
        body = "" if tag.self_closing or tag.contents is None else str(tag.contents)
        citation = None
        if body.strip():
            citation = parse_citation(body, where=(document, text, located.content_start))
        uses.append(RefUse(len(uses) + 1, located.start, located.end, name, citation, body.strip(), located))
    return uses


def merge_references(document: str, text: str, uses: list[RefUse]) -> dict[str, Reference]:
    """Group the tags into references: by name for reuses, by URL for written-out citations.

    :raises ExtractionError: when a name is reused but never written out.
    """
    by_url: dict[str, Reference] = {}
    url_of_name: dict[str, str] = {}
    for use in uses:
        if use.citation is None:
            continue
        reference = by_url.get(use.citation.url)
        if reference is None:
            slug = slugify(use.name) if use.name and slugify(use.name) else url_slug(use.citation.url)
            reference = by_url[use.citation.url] = Reference(slug, use.citation)
        else:
            _fill_gaps(reference.citation, use.citation)
        if use.name:
            url_of_name[use.name] = use.citation.url
    for use in uses:
        url = use.citation.url if use.citation else url_of_name.get(use.name or "")
        if url is None:
            raise ExtractionError(document, text, use.start,
                                  f"<ref name={use.name!r}/> reuses a name that no <ref> writes out")
        by_url[url].uses.append(use.ordinal)
    references = {reference.slug: reference for reference in by_url.values()}
    if len(references) != len(by_url):
        raise ExtractionError(document, text, 0, "two different URLs were given the same reference slug")
    return references


def _fill_gaps(kept: Citation, other: Citation) -> None:
    # The first writing wins; a later writing of the same work only adds what the first lacked.
    for name in kept.__dataclass_fields__:
        if not getattr(kept, name) and getattr(other, name):
            setattr(kept, name, getattr(other, name))
