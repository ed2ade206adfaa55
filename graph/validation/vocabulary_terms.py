"""Closed-world check of vocabulary terms: every class or property of a checked namespace exists.

A term in the project's own namespace (``inv:``) is defined when the ontology declares it (a
subject typed ``owl:Class``, ``owl:ObjectProperty``, …, in ``ontology/`` or in the data being
validated). A term of a reused vocabulary (SEM, ORG, OWL-Time, PROV, OA, ELI, schema.org,
GeoSPARQL, DCTERMS, SKOS, FOAF) is defined when its vocabulary's term list in
``graph/validation/terms/`` names it. Every other IRI in those namespaces, in any position of
any triple, is a misspelling or an invention, and is reported on each triple that uses it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from graph.config import ONTOLOGY_DIR
from graph.namespaces import INV
from graph.validation.convert import TermConverter
from graph.validation.report import VIOLATION, ValidationResult, short_iri

TERMS_DIR = Path(__file__).parent / "terms"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DEFINED_BY = "http://www.w3.org/2000/01/rdf-schema#isDefinedBy"
DECLARATIONS = frozenset(
    "http://www.w3.org/2002/07/owl#" + name for name in (
        "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "FunctionalProperty",
        "InverseFunctionalProperty", "TransitiveProperty", "SymmetricProperty", "NamedIndividual")
) | {"http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2000/01/rdf-schema#Datatype",
     "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}
MAX_USES_REPORTED = 20


@dataclass(frozen=True)
class Vocabulary:
    """The terms of one namespace, and the file or ontology that lists them."""

    prefix: str
    namespace: str
    terms: frozenset[str]
    source: str


def read_term_list(path: Path) -> Vocabulary:
    """Read a term list: ``#`` comments, a ``namespace IRI`` line, then one local name per line.

    :raises ValueError: when the file has no namespace line.
    """
    namespace, terms = None, set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("namespace "):
            namespace = line.split(None, 1)[1]
        else:
            terms.add(line)
    if namespace is None:
        raise ValueError(f"{path}: no 'namespace IRI' line")
    return Vocabulary(path.stem, namespace, frozenset(terms), f"graph/validation/terms/{path.name}")


@cache
def _term_lists(folder: str, stamp: tuple[int, ...]) -> tuple[Vocabulary, ...]:
    return tuple(read_term_list(path) for path in sorted(Path(folder).glob("*.txt")))


def reused_vocabularies(folder: Path = TERMS_DIR) -> tuple[Vocabulary, ...]:
    """Every term list of ``folder`` (read once per file contents)."""
    paths = sorted(folder.glob("*.txt"))
    return _term_lists(str(folder), tuple(path.stat().st_mtime_ns for path in paths))


def declared_terms(quads: Iterable[ox.Quad], namespace: str = str(INV)) -> set[str]:
    """Local names of ``namespace`` declared by ``quads``.

    A term is declared when it is typed as a class, property or individual, or when it has an
    ``rdfs:isDefinedBy`` (as every ontology term does, including individuals such as motivations).
    """
    return {q.subject.value[len(namespace):] for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace)
            and ((q.predicate.value == RDF_TYPE and q.object.value in DECLARATIONS)
                 or q.predicate.value == DEFINED_BY)}


@cache
def _ontology_terms(files: tuple[tuple[str, int], ...]) -> frozenset[str]:
    terms: set[str] = set()
    for path, _ in files:
        try:
            terms |= declared_terms(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
        except (OSError, SyntaxError):
            continue  # an unreadable ontology file is reported by the loader, not here
    return frozenset(terms)


def ontology_terms(ontology_dir: Path = ONTOLOGY_DIR) -> frozenset[str]:
    """The ``inv:`` terms the committed ontology declares."""
    paths = sorted(ontology_dir.glob("*.ttl"))
    return _ontology_terms(tuple((str(p), p.stat().st_mtime_ns) for p in paths))


def project_vocabulary(quads: Sequence[ox.Quad], ontology_dir: Path = ONTOLOGY_DIR) -> Vocabulary:
    """The ``inv:`` vocabulary: what the ontology and the validated data declare."""
    terms = ontology_terms(ontology_dir) | declared_terms(quads)
    return Vocabulary("inv", str(INV), frozenset(terms), "ontology/")


def _store_terms(store: ox.Store, namespaces: Sequence[str]) -> list[ox.NamedNode]:
    """Every distinct IRI of ``namespaces`` in any position of a triple of ``store``."""
    tests = " || ".join(f'STRSTARTS(STR(?term), "{namespace}")' for namespace in namespaces)
    query = ("SELECT DISTINCT ?term WHERE { { ?term ?p ?o } UNION { ?s ?term ?o } UNION { ?s ?p ?term } "
             f"FILTER (isIRI(?term) && ({tests})) }}")
    return [solution["term"] for solution in store.query(query)]


def _text_terms(text: str, namespaces: Sequence[str]) -> set[str]:
    """Every IRI of ``namespaces`` written between angle brackets in the N-Triples ``text``.

    N-Triples writes each IRI whole between ``<`` and ``>``, so this holds every such term of the
    triples; an IRI quoted inside a literal adds a name that no triple uses, which costs only the
    pass over the quads that confirms it.
    """
    alternatives = "|".join(re.escape(namespace) for namespace in sorted(namespaces, key=len, reverse=True))
    return set(re.findall(f"<((?:{alternatives})[^<>\\s]*)>", text))


def _declared_in_store(store: ox.Store, namespace: str = str(INV)) -> set[str]:
    """:func:`declared_terms` of the triples of ``store``."""
    kinds = " ".join(f"<{kind}>" for kind in sorted(DECLARATIONS))
    query = (f"SELECT DISTINCT ?term WHERE {{ {{ ?term a ?kind VALUES ?kind {{ {kinds} }} }} "
             f"UNION {{ ?term <{DEFINED_BY}> ?any }} "
             f"FILTER (isIRI(?term) && STRSTARTS(STR(?term), \"{namespace}\")) }}")
    return {solution["term"].value[len(namespace):] for solution in store.query(query)}


def undefined_term_results(quads: Sequence[ox.Quad], *, message: str, shape: str, component: str,
                           vocabularies: Sequence[Vocabulary] | None = None, store: ox.Store | None = None,
                           triples_text: str | None = None,
                           ontology_dir: Path = ONTOLOGY_DIR) -> list[ValidationResult]:
    """One violation per triple that uses an undefined term of a checked namespace.

    :param message: template with ``{term}``, ``{vocabulary}`` and ``{hint}`` placeholders.
    :param store: a store holding the triples of ``quads``: the distinct terms are then found by one
        query, and the quads are read only when one of them is undefined.
    :param triples_text: with ``store``, the triples as N-Triples: the terms are then found by a
        scan of the text, much cheaper than the query over every position of every triple.
    """
    if store is not None:
        project = Vocabulary("inv", str(INV), ontology_terms(ontology_dir) | _declared_in_store(store), "ontology/")
    else:
        project = project_vocabulary(quads, ontology_dir)
    checked = [project, *(vocabularies or reused_vocabularies())]
    # Longest namespace first, so that a namespace nested in another is matched precisely.
    checked.sort(key=lambda v: -len(v.namespace))
    verdicts: dict[ox.NamedNode, Vocabulary | None] = {}

    def judge(iri: str) -> Vocabulary | None:
        for vocabulary in checked:
            if iri.startswith(vocabulary.namespace):
                local = iri[len(vocabulary.namespace):]
                return vocabulary if local and local not in vocabulary.terms else None
        return None

    suspects: set[str] | None = None
    if store is not None:
        namespaces = [v.namespace for v in checked]
        found = (_text_terms(triples_text, namespaces) if triples_text is not None
                 else {term.value for term in _store_terms(store, namespaces)})
        suspects = {iri for iri in found if judge(iri) is not None}
        if not suspects:
            return []

    def undefined(term: object) -> Vocabulary | None:
        if not isinstance(term, ox.NamedNode):
            return None
        if term in verdicts:
            return verdicts[term]
        verdict = judge(term.value) if suspects is None or term.value in suspects else None
        verdicts[term] = verdict
        return verdict

    uses: dict[ox.NamedNode, list[ox.Quad]] = {}
    described: set[ox.NamedNode] = set()
    for quad in quads:
        for term in (quad.predicate, quad.object, quad.subject):
            if undefined(term) is None:
                continue
            if term is quad.subject or term == quad.subject:
                # An undefined subject is reported once, not on each of its statements.
                if term in described:
                    break
                described.add(term)
            found = uses.setdefault(term, [])
            if len(found) < MAX_USES_REPORTED:
                found.append(quad)
            break
    convert = TermConverter()
    results = []
    for term, found in uses.items():
        vocabulary = verdicts[term]
        assert vocabulary is not None
        text = message.format(term=short_iri(term.value),
                              vocabulary=f"{vocabulary.prefix}: vocabulary ({vocabulary.source})",
                              hint=_hint(term.value[len(vocabulary.namespace):], vocabulary))
        for quad in found:
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            results.append(ValidationResult(
                severity=VIOLATION, focus=quad.subject.value, message=text, path=quad.predicate.value,
                value=convert(quad.object), shape=shape, component=component))
    return results


def _hint(local: str, vocabulary: Vocabulary) -> str:
    close = difflib.get_close_matches(local, sorted(vocabulary.terms), n=1, cutoff=0.75)
    return f" (did you mean {short_iri(vocabulary.namespace + close[0])}?)" if close else ""


__all__ = ["TERMS_DIR", "Vocabulary", "declared_terms", "ontology_terms", "project_vocabulary", "read_term_list",
           "reused_vocabularies", "undefined_term_results"]
