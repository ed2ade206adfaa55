"""The query mix: the project's competency queries, sent with their prefixes declared.

The files in ``graph/queries`` use the project's prefixes undeclared (the command line and the
server's query page add them); a plain SPARQL client, and the other servers, need them declared.
"""

from __future__ import annotations

from pathlib import Path

from graph.config import PROJECT_ROOT
from graph.query import with_prefixes

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
