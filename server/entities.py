"""What a page says about an entity, gathered by queries that run under the deadline like any other."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import sparql_prefixes
from graph.sources import SourceDocument, SourceError, load_manifest, read_document
from server.state import ServerState

PREFIXES = sparql_prefixes() + "\n"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Evidence:
    """One evidence span: the document, the offsets, and the quoted text when the document is at hand."""

    iri: str
    document: str
    title: str | None
    start: int
    end: int
    text: str | None


@dataclass
class Description:
    """Labels, types, statements and evidence of one entity, as pyoxigraph terms."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    types: list[tuple[ox.Term, str | None]] = field(default_factory=list)
    outgoing: list[tuple[ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    parts: list[tuple[ox.Term, ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    incoming: list[tuple[ox.Term, str | None, ox.Term, str | None]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """True when the dataset says anything about the entity."""
        return bool(self.labels or self.types or self.outgoing or self.incoming or self.parts)


def _label(variable: str, of: str) -> str:
    return (f'OPTIONAL {{ {of} rdfs:label {variable}_en FILTER(langMatches(lang({variable}_en), "en")) }} '
            f'OPTIONAL {{ {of} rdfs:label {variable}_any }} ')


def _text(term: ox.Term | None) -> str | None:
    return term.value if term is not None else None


# Every subject, once per data version: a page asks for an entity's ``#`` parts by name from it, since
# no index of the engine answers "subjects starting with …". Filtering here is faster than a FILTER there.
_FRAGMENT_SUBJECTS = "SELECT DISTINCT ?x WHERE { ?x ?p ?o }"
_FRAGMENT_INDEX = "fragment_index"
_fragment_lock = threading.Lock()


def data_version(server: ServerState) -> str:
    """The token that changes with every write: the server's generation and the store's version."""
    return f"{server.generation}:{server.store.version()}"


def fragments_of(server: ServerState, iri: str) -> list[str]:
    """The IRIs ``{iri}#…`` that are subjects in the data, sorted.

    The list of all fragment subjects is read once per data version and kept on the server's state.
    """
    version = data_version(server)  # read before the query: a write during it makes the next call re-read
    cached = getattr(server, _FRAGMENT_INDEX, None)
    if cached is None or cached[0] != version:
        with _fragment_lock:
            cached = getattr(server, _FRAGMENT_INDEX, None)
            if cached is None or cached[0] != version:
                index: dict[str, list[str]] = {}
                for (subject,) in server.rows(_FRAGMENT_SUBJECTS):
                    if not isinstance(subject, ox.NamedNode) or "#" not in subject.value:
                        continue
                    index.setdefault(subject.value.split("#", 1)[0], []).append(subject.value)
                cached = (version, {owner: sorted(parts) for owner, parts in index.items()})
                setattr(server, _FRAGMENT_INDEX, cached)
    return cached[1].get(iri, [])


def _values(iris: list[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


class Documents:
    """The source documents as one page reads them: the manifest looked up once, each text read once."""

    def __init__(self, sources: Path | None) -> None:
        self.sources = sources
        self._names: dict[str, SourceDocument] | None = None
        self._files: dict[str, SourceDocument] = {}
        self._texts: dict[str, str | None] = {}

    def _document(self, reference: str) -> SourceDocument | None:
        # The rule of graph.sources.find_document, with the manifest read once for the page.
        if self._names is None:
            try:
                manifest = load_manifest()
            except (SourceError, OSError):
                manifest = {}
            self._names = {}
            for document in manifest.values():
                self._names.setdefault(document.slug, document)
                self._names.setdefault(document.iri, document)
                self._files.setdefault(document.file_name, document)
        return self._names.get(reference) or self._files.get(Path(reference).name)

    def text(self, reference: str) -> str | None:
        """The whole text of a document (by IRI, slug or file name), or None when it is not at hand."""
        if self.sources is None:
            return None
        if reference not in self._texts:
            document = self._document(reference)
            try:
                self._texts[reference] = read_document(document, self.sources) if document else None
            except SourceError:
                self._texts[reference] = None
        return self._texts[reference]

    def quote(self, reference: str, start: int, end: int) -> str | None:
        """The text of a span of a document, or None when the document is not available."""
        text = self.text(reference)
        return text[start:end] if text is not None else None


def documents_for(sources: Path | Documents | None) -> Documents:
    """``sources`` as a :class:`Documents` (a directory is opened; one already open is kept)."""
    return sources if isinstance(sources, Documents) else Documents(sources)


def quote(document: str, start: int, end: int, sources: Path | None) -> str | None:
    """The text of a span of a source document, or None when the document is not available."""
    return Documents(sources).quote(document, start, end)


# One query for a page: the statements (1), the parts' (2), the links to the entity (3), each row with
# the labels of the term it shows (OPTIONAL inside the branch, where that term is bound: after the
# union it would be free in some rows and pair them with every label); the labels of the predicates
# (P); the evidence spans with their document's name (E). The prefixes are predeclared for both
# parsers, so none are spelled here: a shorter text costs the worker's syntax check less.
_PAGE = """SELECT DISTINCT ?section ?x ?p ?o ?l ?start ?end WHERE {
  { <%(iri)s> ?p ?o BIND("1" AS ?section) OPTIONAL { ?o rdfs:label ?l } }
  %(parts)s
  UNION { ?o ?p <%(iri)s> FILTER(?p != prov:wasDerivedFrom) BIND("3" AS ?section) OPTIONAL { ?o rdfs:label ?l } }
  UNION { { SELECT DISTINCT ?x WHERE { { <%(iri)s> ?x ?any } UNION { ?any ?x <%(iri)s> } %(part_predicates)s } }
          ?x rdfs:label ?l BIND("P" AS ?section) }
  UNION { <%(iri)s> prov:wasDerivedFrom ?x . ?x oa:hasSource ?o ; oa:hasSelector ?selector .
          ?selector oa:start ?start ; oa:end ?end BIND("E" AS ?section) OPTIONAL { ?o schema:name ?l } }
}"""
_PARTS = 'UNION { VALUES ?x { %s } ?x ?p ?o BIND("2" AS ?section) OPTIONAL { ?o rdfs:label ?l } }'
_PART_PREDICATES = "UNION { VALUES ?part { %s } ?part ?x ?any }"
_LABELS = "SELECT ?t ?l WHERE { VALUES ?t { %s } ?t rdfs:label ?l }"
#: The most rows of parts, and of links to the entity, that a page lists.
MOST_ROWS = 2000


_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def term_order(term: ox.Term | None) -> tuple:
    """A sort key in SPARQL's ``ORDER BY`` order: unbound, blank nodes, IRIs, then literals.

    Sorting here rather than in the query: the engine's ``ORDER BY`` cost more than the query itself.
    Numeric literals compare by value, others by their text.
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if term.datatype.value in _NUMERIC:
        try:
            return (3, 0, float(term.value), term.value)
        except ValueError:
            pass
    return (3, 1, term.value, term.datatype.value, term.language or "")


def _english(literal: ox.Literal) -> bool:
    language = (literal.language or "").lower()
    return language == "en" or language.startswith("en-")


def labels_of(server: ServerState, terms: list[ox.Term]) -> dict[str, tuple[str | None, str | None]]:
    """The English label and the first label of any language of each IRI among ``terms``, in one query.

    Asked by name (``VALUES``), not by an OPTIONAL per row, which the engine answers by reading every label.
    """
    iris = sorted({term.value for term in terms if isinstance(term, ox.NamedNode)})
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(iris), 500):
        batch = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        for term, literal in server.rows(PREFIXES + _LABELS % batch):
            english, first = found.get(term.value, (None, None))
            if english is None and isinstance(literal, ox.Literal) and _english(literal):
                english = literal.value
            found[term.value] = (english, first if first is not None else literal.value)
    return found


class Names:
    """The labels a page's rows carried, by IRI: the English one, else the first in sort order."""

    def __init__(self) -> None:
        self._labels: dict[str, list[ox.Literal]] = {}

    def add(self, term: ox.Term | None, label: ox.Term | None) -> None:
        """Remember ``label`` for ``term`` (nothing when either is missing or the term is no IRI)."""
        if isinstance(term, ox.NamedNode) and isinstance(label, ox.Literal):
            found = self._labels.setdefault(term.value, [])
            if label not in found:
                found.append(label)

    def english(self, term: ox.Term | None) -> str | None:
        """The English label of ``term``, or None."""
        labels = self._labels.get(term.value, ()) if isinstance(term, ox.NamedNode) else ()
        return min((label.value for label in labels if _english(label)), default=None)

    def shown(self, term: ox.Term | None) -> str | None:
        """The label a page shows for ``term``: English, else any, else None."""
        labels = self._labels.get(term.value, ()) if isinstance(term, ox.NamedNode) else ()
        return self.english(term) or min((label.value for label in labels), default=None)


def describe(server: ServerState, iri: str, *, sources: Path | Documents | None = None) -> Description:
    """Gather everything a page shows about ``iri`` in one query: its statements, its parts' and the
    links to it, with the labels of every term named there, and its evidence spans, quoted from
    ``sources`` when given."""
    description = Description(iri)
    fragments = fragments_of(server, iri)
    values = _values(fragments)
    query = _PAGE % {"iri": iri, "parts": _PARTS % values if fragments else "",
                     "part_predicates": _PART_PREDICATES % values if fragments else ""}
    names = Names()
    statements: dict[tuple, None] = {}
    spans: dict[str, tuple] = {}
    for section, x, p, o, label, start, end in server.rows(query):
        kind = section.value
        if kind == "P":
            names.add(x, label)
        elif kind == "E":
            # A span whose document has two names (or two sources) is listed once, by its first reading.
            candidate = (o, label, start, end)
            if x.value not in spans or _span_order(candidate) < _span_order(spans[x.value]):
                spans[x.value] = candidate
        else:
            names.add(o, label)
            statements[(kind, x, p, o)] = None
    for kind, x, p, o in sorted(statements, key=lambda row: (row[0], *map(term_order, row[1:]))):
        if kind == "1":
            if p.value == RDF_TYPE:
                description.types.append((o, names.shown(o)))
            elif p.value == RDFS_LABEL:
                if isinstance(o, ox.Literal):
                    description.labels.setdefault(o.language or "", o.value)
            else:
                description.outgoing.append((p, names.english(p), o, names.shown(o)))
        elif kind == "2" and len(description.parts) < MOST_ROWS:
            description.parts.append((x, p, names.english(p), o, names.shown(o)))
        elif kind == "3" and len(description.incoming) < MOST_ROWS:
            description.incoming.append((o, names.shown(o), p, names.english(p)))
    description.evidence = _evidence(spans, documents_for(sources))
    return description


def _span_order(span: tuple) -> tuple:
    document, title, start, end = span
    return term_order(document), term_order(start), term_order(end), term_order(title)


def _evidence(spans: dict[str, tuple], documents: Documents) -> list[Evidence]:
    """Evidence spans in document order (document, start, end, IRI), quoted when the document is at hand."""
    ordered = sorted(spans.items(), key=lambda item: (_span_order(item[1]), item[0]))
    found = []
    for ev, (doc, title, start, end) in ordered:
        begin, finish = int(start.value), int(end.value)
        found.append(Evidence(ev, doc.value, _text(title), begin, finish, documents.quote(doc.value, begin, finish)))
    return found


def rdf_query(iri: str, fragments: list[str]) -> str:
    """A CONSTRUCT giving an entity's statements, its ``#`` parts' statements and the links to it.

    :param fragments: the entity's parts, from :func:`fragments_of`.
    """
    parts = f"UNION {{ VALUES ?x {{ {_values(fragments)} }} ?x ?xp ?xo }}" if fragments else ""
    return f"""CONSTRUCT {{ <{iri}> ?p ?o . ?x ?xp ?xo . ?s ?sp <{iri}> }} WHERE {{
        {{ <{iri}> ?p ?o }} {parts} UNION {{ ?s ?sp <{iri}> }} }}"""
