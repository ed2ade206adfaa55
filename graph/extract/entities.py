"""Resolve what a document names (a wiki link title, a flag, a label) to the graph's entity IRIs.

The reference graph is the one place identity lives: an entity is found by the Wikipedia page
its ``schema:sameAs`` names, else by one of its labels. Link titles that name a subject rather
than an entity (``habeas corpus``, ``Ecuador–Mexico relations``) are listed in :data:`NOT_ENTITIES`,
so that coverage can tell a missing entity from a topic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from graph.config import REFERENCE_DIR
from graph.namespaces import BASE, ID, ORG, RDF, RDFS, SCHEMA, SKOS

_SAME_AS = str(SCHEMA.sameAs)
_LABELS = (str(RDFS.label), str(SKOS.altLabel))
_ABOUT = str(SCHEMA.about)
_ROLE = str(ORG.role)
_POST_IN = str(ORG.postIn)
_TYPE = str(RDF.type)

#: Entity kinds that coverage requires a node for, by the IRI's kind segment.
ENTITY_KINDS = ("person", "state", "organization", "convention", "place")

#: Wiki link titles that name no entity of those kinds, with what they name instead.
NOT_ENTITIES = {
    "2016 Ecuador earthquake": "event",
    "2023 Ecuadorian general election": "event",
    "Ecuador–Mexico relations": "topic",
    "Foreign relations of Nicaragua": "topic",
    "List of attacks on diplomatic missions": "topic",
    "Political asylum": "topic",
    "Provisional measure of protection": "topic",
    "Battering ram": "topic",
    "Diplomatic relations": "topic",
    "Habeas corpus": "topic",
    "Hunger strike": "topic",
    "International law": "topic",
    "Persona non grata": "topic",
}


def normalise_title(title: str) -> str:
    """A wiki page title as MediaWiki normalises it: spaces, first letter upper-cased.

    >>> normalise_title(" habeas_corpus")
    'Habeas corpus'
    """
    title = " ".join(unquote(title).replace("_", " ").split())
    return title[:1].upper() + title[1:]


def wiki_url(title: str, *, wiki: str = "https://en.wikipedia.org/wiki/") -> str:
    """The page IRI of a wiki title (spaces as underscores, Unicode kept as the IRI allows)."""
    return wiki + normalise_title(title).replace(" ", "_")


def kind_of(entity: str) -> str:
    """The kind segment of an entity IRI (``state``, ``person``, …), or ``""`` for other IRIs."""
    return entity.removeprefix(str(ID)).split("/", 1)[0] if entity.startswith(str(ID)) else ""


@dataclass
class Resolver:
    """Lookups over the reference graph."""

    by_page: dict[str, str] = field(default_factory=dict)
    by_label: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    about: dict[str, str] = field(default_factory=dict)
    post_role: dict[str, str] = field(default_factory=dict)
    post_in: dict[str, str] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)

    def by_title(self, title: str, *, wiki: str = "https://en.wikipedia.org/wiki/") -> str | None:
        """The entity a wiki link title names, by ``schema:sameAs`` page or else by label."""
        return self.by_page.get(wiki_url(title, wiki=wiki)) or self.by_name(normalise_title(title))

    def by_name(self, name: str) -> str | None:
        """The one entity with this label (case-insensitive), or None when none or several have it."""
        found = self.by_label.get(" ".join(name.split()).casefold(), set())
        return next(iter(found)) if len(found) == 1 else None


def load_resolver(reference_dir: Path = REFERENCE_DIR) -> Resolver:
    """Read every reference file into a resolver.

    :raises SyntaxError: when a reference file does not parse.
    """
    resolver = Resolver()
    for path in sorted(reference_dir.glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE + "id/"):
            subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
            if predicate == _TYPE:
                resolver.declared.add(subject)
            elif predicate == _SAME_AS and isinstance(obj, ox.NamedNode):
                resolver.by_page[unquote(obj.value)] = subject
            elif predicate in _LABELS and isinstance(obj, ox.Literal):
                resolver.by_label[" ".join(obj.value.split()).casefold()].add(subject)
            elif predicate == _ABOUT and isinstance(obj, ox.NamedNode):
                resolver.about[subject] = obj.value
            elif predicate == _ROLE and isinstance(obj, ox.NamedNode):
                resolver.post_role[subject] = obj.value
            elif predicate == _POST_IN and isinstance(obj, ox.NamedNode):
                resolver.post_in[subject] = obj.value
    return resolver
