"""The statement inventory: every atomic statement of a document, the span that states it, and
the ASK query that retrieves it from the graph's structure alone.

Each document has a tab-separated file ``tests/data/statements/{slug}.tsv`` with the columns
``id, section, paragraph, start, end, span_sha256, retrieved, statement, sparql``. ``retrieved``
is ``yes`` when the query must answer true over the document layer, ``no`` when the statement is
listed but not yet structured (it is counted, never left out). Run ``python -m graph.statements``
for the counts per document and section.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from graph.config import DEFAULT_STORE, PROJECT_ROOT
from graph.namespaces import DATA_BASE, vocabulary_scheme
from graph.query import run_query
from graph.store import GraphStore

INVENTORY_DIR = PROJECT_ROOT / "tests" / "data" / "statements"
COLUMNS = ("id", "section", "paragraph", "start", "end", "span_sha256", "retrieved", "statement", "sparql")

# Short prefixes the inventory's queries use besides the project's own (graph.namespaces).
PROLOGUE = "\n".join([
    f"BASE <{DATA_BASE}>",
    *(f"PREFIX {name}: <{vocabulary_scheme(scheme)}>" for name, scheme in (
        ("dem", "demand"), ("sk", "statement-kind"), ("chan", "channel"), ("qual", "qualifier"),
        ("qty", "quantity"), ("chr", "characterisation"), ("et", "event-type"), ("rt", "response-type"),
        ("role", "role"), ("vp", "vote-position"), ("out", "decision-outcome"), ("it", "incident-type"),
        ("meth", "method"), ("cs", "completion-status"))),
]) + "\n"


class InventoryError(ValueError):
    """A row of an inventory file is malformed."""


@dataclass(frozen=True)
class Statement:
    """One atomic statement of a document and the query that retrieves it."""

    document: str
    id: str
    section: str
    paragraph: str
    start: int
    end: int
    span_sha256: str
    expected: bool
    statement: str
    sparql: str
    line: int


def load_inventory(path: Path) -> list[Statement]:
    """Read one inventory file.

    :raises InventoryError: naming the file and line of a row with missing or bad fields.
    """
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if tuple(header or ()) != COLUMNS:
            raise InventoryError(f"{path}:1: expected the columns {', '.join(COLUMNS)}")
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(COLUMNS):
                raise InventoryError(f"{path}:{line}: expected {len(COLUMNS)} tab-separated fields, got {len(fields)}")
            values = dict(zip(COLUMNS, fields, strict=True))
            if values["retrieved"] not in ("yes", "no"):
                raise InventoryError(f"{path}:{line}: retrieved must be yes or no, not {values['retrieved']!r}")
            try:
                start, end = int(values["start"]), int(values["end"])
            except ValueError:
                raise InventoryError(f"{path}:{line}: start and end must be integers") from None
            if not values["sparql"].lstrip().upper().startswith("ASK"):
                raise InventoryError(f"{path}:{line}: the query must be an ASK query")
            rows.append(Statement(path.stem, values["id"], values["section"], values["paragraph"], start, end,
                                  values["span_sha256"], values["retrieved"] == "yes", values["statement"],
                                  values["sparql"], line))
    return rows


def inventories(directory: Path = INVENTORY_DIR) -> dict[str, list[Statement]]:
    """Every inventory file of ``directory``, by document slug."""
    return {path.stem: load_inventory(path) for path in sorted(directory.glob("*.tsv"))}


def span_matches(statement: Statement, text: str) -> bool:
    """True when the statement's span lies in ``text`` and has the recorded SHA-256."""
    if not 0 <= statement.start < statement.end <= len(text):
        return False
    return hashlib.sha256(text[statement.start:statement.end].encode("utf-8")).hexdigest() == statement.span_sha256


def retrieved(store: GraphStore, statement: Statement) -> bool:
    """Whether the statement's ASK query answers true over the document layer (no inferences)."""
    return bool(run_query(store, PROLOGUE + statement.sparql))


def counts(store: GraphStore, statements: list[Statement]) -> dict[str, Counter]:
    """Retrieved and total statements per section (and ``*`` for the whole document)."""
    table: dict[str, Counter] = {}
    for statement in statements:
        hit = retrieved(store, statement)
        for key in (statement.section, "*"):
            table.setdefault(key, Counter()).update(total=1, retrieved=int(hit))
    return table


def markdown(store: GraphStore, directory: Path = INVENTORY_DIR) -> str:
    """The counts of every inventory as Markdown tables, one per document."""
    out = []
    for document, statements in inventories(directory).items():
        table = counts(store, statements)
        whole = table.pop("*")
        out += [f"### {document}: {whole['retrieved']} of {whole['total']} retrieved", "",
                "| section | statements | retrieved | not retrieved |", "| --- | ---: | ---: | ---: |"]
        for section, row in table.items():
            out.append(f"| {section} | {row['total']} | {row['retrieved']} | {row['total'] - row['retrieved']} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - a report for docs/coverage.md
    import sys

    from graph.store import open_built_store

    print(markdown(open_built_store(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_STORE,
                                    read_only=True)))
