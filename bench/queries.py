"""The query mix: the project's competency queries, sent with their prefixes declared.

The files in ``graph/queries`` use the project's prefixes undeclared (the command line and the
server's query page add them); a plain SPARQL client, and the other servers, need them declared.
"""

from __future__ import annotations

from pathlib import Path

from graph.config import PROJECT_ROOT
from graph.namespaces import BREAK_RELATIONS, ID
from graph.query import with_prefixes
from graph.store import OxigraphStore

QUERY_DIR = PROJECT_ROOT / "graph" / "queries"

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "FILTER(STR(?a) != STR(?l)) }")
"""A query no deadline-less server finishes: a four-way cross product of every triple."""


def competency(directory: Path = QUERY_DIR) -> dict[str, str]:
    """The competency queries by name (``cq-01`` …), as written in their files."""
    return {path.stem: path.read_text() for path in sorted(directory.glob("cq-*.rq"))}


def question(text: str) -> str:
    """The question a competency query answers: its first line, a ``#`` comment."""
    first = text.splitlines()[0] if text else ""
    return first.lstrip("#").strip()


def declared(queries: dict[str, str]) -> dict[str, str]:
    """The same queries with the project's prefix declarations in front, ready for any SPARQL server."""
    return {name: with_prefixes(text) for name, text in queries.items()}


RAID = f"{ID}incident/2024-04-05-quito-mexican-embassy-raid"
ECUADOR = f"{ID}state/ecuador"
MEXICO = f"{ID}state/mexico"

_PROBE = f"""
SELECT ?incident ?date ?sender ?receiver WHERE {{
  ?incident a inv:Incident ; sem:hasTimeStamp ?date ; inv:actor ?receiver ; inv:targetMission/inv:sendingState ?sender .
  ?response inv:respondsTo ?incident ; sem:eventType <{BREAK_RELATIONS}> .
}} LIMIT 1
"""


NOT_IN_SYNTHETIC = {
    "cq-03": "the generator's claims invoke no convention",
    "cq-07": "the generator makes no court cases",
    "cq-08": "the generator makes no votes",
    "cq-12": "the generator makes no reactions of international organizations",
    "cq-13": "the generator makes no disputed claims",
    "cq-14": "the generator makes no cited references",
}
"""Competency queries with nothing to find in a synthetic graph, and why."""


class ProbeError(LookupError):
    """The synthetic graph has no incident to aim the rewritten queries at."""


def synthetic(store: OxigraphStore, queries: dict[str, str], *,
              skip: dict[str, str] | None = None) -> dict[str, str]:
    """The competency queries aimed at a synthetic graph: the real graph's entities replaced by synthetic ones.

    The Quito raid becomes an incident of the synthetic graph answered by a break of relations
    (so that every question about "the raid" has answers), Ecuador its acting state, Mexico the
    state whose mission it targeted; the timeline's window is set around that incident's date.

    :param store: an :class:`graph.store.OxigraphStore` holding the synthetic graph.
    :param skip: queries to leave out, by name, with the reason.
    :raises ProbeError: when the graph has no incident answered by a break of relations.
    """
    from datetime import date, timedelta

    rows = list(store.query(with_prefixes(_PROBE)))
    if not rows:
        raise ProbeError("no incident answered by a break of relations in the synthetic graph")
    row = rows[0]
    day = date.fromisoformat(row["date"].value)
    replacements = {
        f"<{RAID}>": str(row["incident"]), f"<{ECUADOR}>": str(row["receiver"]), f"<{MEXICO}>": str(row["sender"]),
        '"2023-12-01"^^xsd:date': f'"{(day - timedelta(days=120)).isoformat()}"^^xsd:date',
        '"2024-05-31"^^xsd:date': f'"{(day + timedelta(days=60)).isoformat()}"^^xsd:date',
        # Synthetic persons and the synthetic document are named by rdfs:label only.
        "?personNode foaf:name ?person .": '?personNode rdfs:label ?person . FILTER(LANG(?person) = "en")',
        "?source schema:name ?document .": '?source rdfs:label ?document . FILTER(LANG(?document) = "en")',
    }
    aimed = {}
    for name, text in queries.items():
        if skip and name in skip:
            continue
        for old, new in replacements.items():
            text = text.replace(old, new)
        aimed[name] = text
    return aimed
