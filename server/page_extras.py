"""What an entity page shows above its statement table, by kind: the dossier of an incident, summaries.

Also the statement table's clean-up: rows from an entity's ``#`` parts shown as the entity that owns
them (once), and evidence rows in document order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from server.dossier import dossier
from server.entities import Description, Documents
from server.state import ServerState
from server.summaries import person_summary, state_summary

_SPAN = re.compile(r"-(\d+)-(\d+)$")
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def evidence_order(term: ox.Term) -> tuple[str, int, int]:
    """Sort key of an evidence IRI (``…/evidence/doc-399-433``): the document, then the position."""
    match = _SPAN.search(term.value)
    if match is None:
        return term.value, 0, 0
    return term.value[:match.start()], int(match.group(1)), int(match.group(2))


def tidy(description: Description) -> dict[str, Any]:
    """Statement rows without duplicates, evidence in document order, incoming links by owner."""
    outgoing, seen = [], set()
    for row in description.outgoing:
        key = (row[0].value, str(row[2]))
        if key not in seen:
            seen.add(key)
            outgoing.append(row)
    derived = sorted((r for r in outgoing if r[0].value == _DERIVED), key=lambda r: evidence_order(r[2]))
    outgoing = [r for r in outgoing if r[0].value != _DERIVED] + derived
    incoming, owners = [], set()
    for subject, subject_label, predicate, predicate_label in description.incoming:
        owner = ox.NamedNode(subject.value.split("#", 1)[0]) if isinstance(subject, ox.NamedNode) else subject
        key = (str(owner), predicate.value)
        if key in owners:
            continue
        owners.add(key)
        shown = subject_label if owner == subject else None
        incoming.append((owner, shown, predicate, predicate_label))
    return {"outgoing": outgoing, "incoming": incoming}


def page_extras(server: ServerState, iri: str, kind: str | None, *, sources: Path | Documents | None = None,
                description: Description | None = None) -> dict[str, Any]:
    """Template values for the top of the page of ``iri``: a dossier, a summary, the tidied tables."""
    extras: dict[str, Any] = tidy(description) if description is not None else {}
    if kind == "incident":
        extras["dossier"] = dossier(server, iri, sources=sources)
    elif kind == "person":
        extras["summary"] = person_summary(server, iri)
    elif kind == "state":
        extras["summary"] = state_summary(server, iri)
    return extras
