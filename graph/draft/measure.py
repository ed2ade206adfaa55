"""How much of a curated document the draft proposed: entity links and dates, precision and recall.

The curated side is what the document's files in ``graph/data/{slug}/`` refer to: every entity
IRI of a kind the assistant can link (states, organizations, people, missions, places, posts,
conventions, articles, groups), and every ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``
value. The draft side is its ``draft:entity`` links and ``draft:value`` dates. Precision is the
share of proposals the curated files contain; recall, the share of the curated items proposed.

    from graph.draft.measure import compare_files
    compare_files(Path("drafts/x.ttl"), sorted(Path("graph/data/x").glob("*.ttl"))).as_dict()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.config import DATA_DIR
from graph.draft.gazetteer import KINDS
from graph.namespaces import DRAFT, ID, XSD, short_iri

DATE_TYPES = {str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear)}


@dataclass(frozen=True)
class Score:
    """Proposed and curated sets, and what they share."""

    proposed: frozenset[str]
    curated: frozenset[str]

    @property
    def matched(self) -> frozenset[str]:
        """The proposals the curated files contain."""
        return self.proposed & self.curated

    @property
    def precision(self) -> float | None:
        """Matched / proposed (None when nothing was proposed)."""
        return len(self.matched) / len(self.proposed) if self.proposed else None

    @property
    def recall(self) -> float | None:
        """Matched / curated (None when the curated files hold none)."""
        return len(self.matched) / len(self.curated) if self.curated else None

    def as_dict(self) -> dict[str, object]:
        """Counts, ratios and the items missed or extra, for a report."""
        return {"proposed": len(self.proposed), "curated": len(self.curated), "matched": len(self.matched),
                "precision": _round(self.precision), "recall": _round(self.recall),
                "missed": sorted(_short(i) for i in self.curated - self.proposed),
                "extra": sorted(_short(i) for i in self.proposed - self.curated)}


@dataclass(frozen=True)
class Comparison:
    """Entity links and dates of one draft against the curated files."""

    entities: Score
    dates: Score

    def as_dict(self) -> dict[str, object]:
        """Both scores, and the combined precision and recall over links and dates together."""
        proposed = len(self.entities.proposed) + len(self.dates.proposed)
        curated = len(self.entities.curated) + len(self.dates.curated)
        matched = len(self.entities.matched) + len(self.dates.matched)
        return {"entities": self.entities.as_dict(), "dates": self.dates.as_dict(),
                "combined": {"precision": _round(matched / proposed if proposed else None),
                             "recall": _round(matched / curated if curated else None)}}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _short(item: str) -> str:
    # Items are entity IRIs or date values; only the IRIs have a short form.
    return short_iri(item) if item.startswith(str(ID)) else item


def _is_entity(term: object) -> bool:
    return (isinstance(term, ox.NamedNode) and term.value.startswith(str(ID)) and "#" not in term.value
            and term.value.removeprefix(str(ID)).split("/", 1)[0] in KINDS)


def curated_items(triples: Iterable[ox.Triple | ox.Quad]) -> tuple[set[str], set[str]]:
    """(entity IRIs, date values) that curated triples refer to."""
    entities, dates = set(), set()
    for triple in triples:
        for term in (triple.subject, triple.object):
            if _is_entity(term):
                entities.add(term.value)
        value = triple.object
        if isinstance(value, ox.Literal) and value.datatype.value in DATE_TYPES:
            dates.add(value.value)
    return entities, dates


def proposed_items(triples: Iterable[ox.Triple | ox.Quad]) -> tuple[set[str], set[str]]:
    """(entity IRIs, date values) a draft proposes."""
    entities, dates = set(), set()
    for triple in triples:
        if triple.predicate.value == str(DRAFT.entity) and isinstance(triple.object, ox.NamedNode):
            entities.add(triple.object.value)
        elif triple.predicate.value == str(DRAFT.value) and isinstance(triple.object, ox.Literal):
            dates.add(triple.object.value)
    return entities, dates


def compare(draft: Iterable[ox.Triple | ox.Quad], curated: Iterable[ox.Triple | ox.Quad]) -> Comparison:
    """Compare a draft's triples with curated triples."""
    proposed_entities, proposed_dates = proposed_items(draft)
    curated_entities, curated_dates = curated_items(curated)
    return Comparison(Score(frozenset(proposed_entities), frozenset(curated_entities)),
                      Score(frozenset(proposed_dates), frozenset(curated_dates)))


def _parse(paths: Iterable[Path]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in paths:
        quads.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return quads


def compare_files(draft: Path, curated: Iterable[Path]) -> Comparison:
    """Compare a draft Turtle file with curated Turtle files.

    :raises SyntaxError: when a file does not parse.
    """
    return compare(_parse([draft]), _parse(curated))


def curated_files(slug: str, data_dir: Path = DATA_DIR) -> list[Path]:
    """The hand-curated files of a document: its folder, without the inference layer or acknowledgements."""
    folder = data_dir / slug
    return sorted(p for p in folder.glob("*.ttl") if p.name != "acknowledgements.ttl")


def compare_with_curated(draft: object, data_dir: Path = DATA_DIR) -> Comparison:
    """Compare a :class:`graph.draft.Draft` with its document's curated files."""
    from graph.draft.turtle import draft_triples

    return compare(draft_triples(draft), _parse(curated_files(draft.document.slug, data_dir)))  # type: ignore[attr-defined]


__all__ = ["Comparison", "Score", "compare", "compare_files", "compare_with_curated", "curated_files",
           "curated_items", "proposed_items"]
