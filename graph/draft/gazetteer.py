"""Names of the graph's known entities, found in a document's text; capitalised names it does not know.

The gazetteer is every ``rdfs:label``, ``skos:altLabel``, ``foaf:name`` and ``schema:alternateName``
in English or Spanish (or without language) of the entities the reference graph declares:
states, organizations, people, missions, places, posts, conventions and articles. A name is
found where it occurs as whole words; the longest name wins where names overlap, and a name
shared by two entities links neither (it is left to the curator as a candidate).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.config import REFERENCE_DIR
from graph.namespaces import FOAF, ID, RDFS, SCHEMA, SKOS

NAME_PROPERTIES = frozenset({str(RDFS.label), str(SKOS.altLabel), str(FOAF.name), str(SCHEMA.alternateName)})
KINDS = ("state", "organization", "person", "mission", "place", "post", "convention", "article", "group")
ACTOR_KINDS = ("state", "organization", "person", "mission", "group")
LANGUAGES = ("en", "es", "")
# Words that start sentences or name no one: never candidates on their own.
_COMMON = frozenset("""
a an the this that these those it its he she they we i his her their our in on at of for by with from to
and but or as after before during since until while when where which who what why how there here if
not no yes also however meanwhile then thus later earlier according under over about against between
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december mr mrs ms dr
""".split())
_CAPITALISED = re.compile(r"\b[A-Z][\w’'.-]*[\w](?:\s+(?:(?:of|the|de|del|la|las|los|y|and|for|al|el|on)\s+)*"
                          r"[A-Z][\w’'.-]*[\w])*")


@dataclass(frozen=True)
class Mention:
    """A known entity named at ``start``–``end`` of the document, by the name ``name``."""

    start: int
    end: int
    entity: str
    name: str

    @property
    def kind(self) -> str:
        """The entity's kind (``state``, ``person``, …), from its IRI."""
        return self.entity.removeprefix(str(ID)).split("/", 1)[0]


@dataclass(frozen=True)
class Candidate:
    """A capitalised name the gazetteer does not know, at its first occurrence."""

    start: int
    end: int
    name: str
    occurrences: int


class Gazetteer:
    """Known names → entity IRIs, and a matcher over text.

    >>> g = Gazetteer({"Ecuador": {"https://w3id.org/inviolable/id/state/ecuador"}})
    >>> [(m.start, m.entity.rsplit("/", 1)[1]) for m in g.mentions("Police of Ecuador entered.")]
    [(10, 'ecuador')]
    """

    def __init__(self, names: dict[str, set[str]]) -> None:
        self.names = {name: frozenset(entities) for name, entities in names.items() if name.strip()}
        # A name of several words is found whatever its case ("police of Aland" at a sentence's
        # start); a single word only as written, so that "Chile" is not found in "chile".
        self._folded: dict[str, set[str]] = defaultdict(set)
        for name, entities in self.names.items():
            if " " in name:
                self._folded[name.casefold()] |= entities
        words = sorted((n for n in self.names if " " not in n), key=lambda n: (-len(n), n))
        phrases = sorted(self._folded, key=lambda n: (-len(n), n))
        self._phrases = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in phrases) + r")(?![\w])",
                                   re.IGNORECASE) if phrases else None
        self._words = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in words) + r")(?![\w])") \
            if words else None

    def mentions(self, text: str, spans: Iterable[tuple[int, int]] | None = None) -> list[Mention]:
        """Every unambiguous known name in ``text`` (within ``spans`` when given), longest first."""
        found: list[Mention] = []
        for start, end in spans or [(0, len(text))]:
            if self._phrases is not None:
                for match in self._phrases.finditer(text, start, end):
                    self._add(found, match, self._folded[match.group(0).casefold()])
            if self._words is not None:
                for match in self._words.finditer(text, start, end):
                    if not any(m.start <= match.start() < m.end for m in found):
                        self._add(found, match, self.names[match.group(0)])
        return sorted(found, key=lambda m: m.start)

    @staticmethod
    def _add(found: list[Mention], match: re.Match[str], entities: Iterable[str]) -> None:
        unique = set(entities)
        if len(unique) == 1:
            found.append(Mention(match.start(), match.end(), unique.pop(), match.group(0)))

    def candidates(self, text: str, spans: Iterable[tuple[int, int]], known: list[Mention]) -> list[Candidate]:
        """Capitalised names in ``spans`` of ``text`` that overlap no known mention, one per name."""
        taken = [(m.start, m.end) for m in known]
        first: dict[str, tuple[int, int]] = {}
        counts: dict[str, int] = defaultdict(int)
        for start, end in spans:
            first_word = re.match(r"\s*[\"“‘(]*", text[start:end])
            opening = start + (first_word.end() if first_word else 0)
            for match in _CAPITALISED.finditer(text, start, end):
                name = match.group(0).strip(" .’'")
                words = name.split()
                if all(word.casefold().strip(".") in _COMMON for word in words) or len(name) < 3:
                    continue
                if len(words) == 1 and match.start() == opening:
                    continue  # a sentence's first word is capitalised anyway
                if any(a < match.end() and match.start() < b for a, b in taken):
                    continue
                if name in self.names or name.casefold() in self._folded:
                    continue
                name = re.sub(r"\s+", " ", name)
                first.setdefault(name, (match.start(), match.start() + len(name)))
                counts[name] += 1
        return [Candidate(s, e, name, counts[name]) for name, (s, e) in sorted(first.items(), key=lambda i: i[1])]


def load_gazetteer(reference_dir: Path = REFERENCE_DIR) -> Gazetteer:
    """The names of every entity the reference graph's files declare."""
    names: dict[str, set[str]] = defaultdict(set)
    for path in sorted(reference_dir.glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            add_name(names, quad)
    return Gazetteer(names)


def add_name(names: dict[str, set[str]], quad: ox.Quad | ox.Triple) -> None:
    """Record ``quad``'s object as a name of its subject, when it is a name of a known kind of entity."""
    subject, value = quad.subject, quad.object
    if quad.predicate.value not in NAME_PROPERTIES or not isinstance(subject, ox.NamedNode):
        return
    if not isinstance(value, ox.Literal) or (value.language or "") not in LANGUAGES:
        return
    kind = subject.value.removeprefix(str(ID)).split("/", 1)[0]
    if subject.value.startswith(str(ID)) and kind in KINDS and "#" not in subject.value:
        names[value.value.strip()].add(subject.value)


__all__ = ["ACTOR_KINDS", "Candidate", "Gazetteer", "KINDS", "Mention", "add_name", "load_gazetteer"]
