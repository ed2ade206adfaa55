"""The write journal: every accepted write, kept beside the store so that rebuilds never lose it.

The journal is a folder (``STORE/journal`` for a built store) of files ``00000001.rdfp``,
``00000002.rdfp``…, one per accepted write, in RDF Patch form::

    H id <urn:uuid:…> .
    H created "2026-12-01T23:00:00Z" .
    TX .
    D <s> <p> <o> <g> .
    A <s> <p> <o> <g> .
    TC .

``D`` rows are quads removed, ``A`` rows quads added (N-Quads syntax after the letter; a row
without a graph is in the default graph). An entry is written to a temporary file, flushed to
disk (fsync), then renamed into place, *before* the write is applied to the store: the journal
is a write-ahead log. A file without its final ``TC .`` is never produced; one found anyway is
ignored. On start, the last entry is applied again (idempotently), so a crash between the
journal and the store leaves both agreeing. ``retired/`` holds entries already committed as data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

SUFFIX = ".rdfp"
RETIRED = "retired"


@dataclass(frozen=True)
class Entry:
    """One journalled write: its number, file, and the quads it removed and added."""

    number: int
    path: Path
    removed: list[ox.Quad]
    added: list[ox.Quad]


class JournalError(Exception):
    """A journal file cannot be read; the message names the file and line."""


def _row(letter: str, quad: ox.Quad) -> str:
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else f" {quad.graph_name}"
    return f"{letter} {quad.subject} {quad.predicate} {quad.object}{graph} .\n"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def entry_paths(directory: Path) -> list[Path]:
    """The journal's active entry files, in order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"*{SUFFIX}") if p.stem.isdigit())


def append(directory: Path, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> Path:
    """Write one entry durably (fsync of the file and of the folder) and return its path.

    :raises OSError: when the journal cannot be written; the write must then be refused.
    """
    directory.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.stem) for p in entry_paths(directory)]
    numbers += [int(p.stem) for p in entry_paths(directory / RETIRED)]
    number = max(numbers, default=0) + 1
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    lines = [f"H id <urn:uuid:{uuid.uuid4()}> .\n", f'H created "{created}" .\n', "TX .\n"]
    lines += [_row("D", quad) for quad in removed]
    lines += [_row("A", quad) for quad in added]
    lines.append("TC .\n")
    final = directory / f"{number:08d}{SUFFIX}"
    temporary = directory / f".{number:08d}{SUFFIX}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.writelines(lines)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    _fsync_directory(directory)
    return final


def read_entry(path: Path) -> Entry | None:
    """Read one entry; None when it is incomplete (no ``TC .``).

    :raises JournalError: when a row does not parse.
    """
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    complete = False
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "H ", "TX")):
            continue
        if stripped.startswith("TC"):
            complete = True
            continue
        letter, _, statement = stripped.partition(" ")
        if letter not in ("A", "D"):
            raise JournalError(f"{path}:{number}: a row must start with A, D, H, TX or TC")
        try:
            quads = list(ox.parse(statement.encode(), format=ox.RdfFormat.N_QUADS))
        except SyntaxError as error:
            raise JournalError(f"{path}:{number}: {error}") from error
        (added if letter == "A" else removed).extend(quads)
    if not complete:
        return None
    return Entry(int(path.stem), path, removed, added)


def entries(directory: Path) -> Iterator[Entry]:
    """The journal's complete active entries, in order.

    :raises JournalError: when an entry does not parse.
    """
    for path in entry_paths(directory):
        entry = read_entry(path)
        if entry is not None:
            yield entry


def replay(quads: Iterable[ox.Quad], journal: Iterable[Entry]) -> list[ox.Quad]:
    """The dataset ``quads`` with every entry applied in order (removals, then additions)."""
    dataset = dict.fromkeys(quads)
    for entry in journal:
        for quad in entry.removed:
            dataset.pop(quad, None)
        dataset.update(dict.fromkeys(entry.added))
    return list(dataset)


def net_change(journal: Iterable[Entry]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The net effect of several entries: quads finally removed, and quads finally added."""
    removed: dict[ox.Quad, None] = {}
    added: dict[ox.Quad, None] = {}
    for entry in journal:
        for quad in entry.removed:
            if quad in added:
                del added[quad]
            else:
                removed[quad] = None
        for quad in entry.added:
            removed.pop(quad, None)
            added[quad] = None
    return list(removed), list(added)


def retire(directory: Path, covered: Iterable[Entry]) -> list[Path]:
    """Move entries already committed as data into ``retired/``; returns their new paths."""
    target = directory / RETIRED
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for entry in covered:
        destination = target / entry.path.name
        os.replace(entry.path, destination)
        moved.append(destination)
    _fsync_directory(directory)
    return moved
