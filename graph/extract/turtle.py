"""Write generated Turtle deterministically: same triples, same bytes.

Subjects and objects are sorted with numbers compared as numbers, predicates with ``a`` first;
entity IRIs are written relative to ``@base`` :data:`graph.namespaces.DATA_BASE`, as in the
hand-written data files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from graph.namespaces import DATA_BASE, evidence_iri
from graph.namespaces import PREFIXES as KNOWN_PREFIXES
from graph.sources import SourceDocument, sha256_text

#: The prefixes generated files declare, in this order.
PREFIXES = {name: KNOWN_PREFIXES[name]
            for name in ("rdf", "rdfs", "xsd", "inv", "vocab", "oa", "prov", "schema", "dct", "sem", "geo")}


def iri(value: str) -> str:
    """An IRI term, relative to the base when it is an entity IRI.

    >>> iri("https://w3id.org/inviolable/id/state/ecuador"), iri("https://example.org/a b")
    ('<state/ecuador>', '<https://example.org/a%20b>')
    """
    value = value.replace(" ", "%20").replace('"', "%22").replace("<", "%3C").replace(">", "%3E")
    return f"<{value.removeprefix(DATA_BASE)}>"


def literal(value: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A string literal, escaped, with an optional language tag or prefixed datatype."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    suffix = f"@{language}" if language else (f"^^{datatype}" if datatype else "")
    return f'"{escaped}"{suffix}'


def xsd_date(value: date) -> str:
    """An ``xsd:date`` literal."""
    return literal(value.isoformat(), datatype="xsd:date")


def _natural(value: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)]


class Turtle:
    """Triples collected by subject, rendered as sorted Turtle."""

    def __init__(self, comment: str) -> None:
        self.comment = comment
        self._triples: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one triple; ``subject`` and ``obj`` are terms already written as Turtle."""
        self._triples[subject][predicate].add(obj)

    def __len__(self) -> int:
        return sum(len(objects) for predicates in self._triples.values() for objects in predicates.values())

    def render(self) -> str:
        """The document: base, prefixes, comment, then one block per subject."""
        lines = [f"@base <{DATA_BASE}> ."]
        lines += [f"@prefix {name}: <{value}> ." for name, value in PREFIXES.items()]
        lines += ["", *(f"# {line}".rstrip() for line in self.comment.splitlines())]
        for subject in sorted(self._triples, key=lambda s: _natural(s.strip("<>"))):
            predicates = self._triples[subject]
            order = sorted(predicates, key=lambda p: (p != "a", _natural(p)))
            parts = [f"{p} {' , '.join(sorted(predicates[p], key=_natural))}" for p in order]
            lines += ["", f"{subject} " + " ;\n    ".join(parts) + " ."]
        return "\n".join(lines) + "\n"


def add_span(turtle: Turtle, document: SourceDocument, text: str, start: int, end: int) -> str:
    """Add an evidence node for ``text[start:end]`` (as ``inviolable locate`` prints it); return its term."""
    node = iri(evidence_iri(document.slug, start, end))
    selector = iri(evidence_iri(document.slug, start, end) + "#selector")
    turtle.add(node, "a", "oa:SpecificResource")
    turtle.add(node, "oa:hasSource", iri(document.iri))
    turtle.add(node, "oa:hasSelector", selector)
    turtle.add(selector, "a", "oa:TextPositionSelector")
    turtle.add(selector, "oa:start", str(start))
    turtle.add(selector, "oa:end", str(end))
    turtle.add(selector, "inv:spanSha256", literal(sha256_text(text[start:end])))
    return node
