"""From the write journal back to committed data: export the writes as Turtle, retire what the data covers.

The lifecycle of an endpoint write: the server journals it (:mod:`graph.journal`) and applies it;
every build replays the journal over the committed files, so it survives rebuilds; ``inviolable
writes export`` writes the journal's net additions as one Turtle file per graph, in the folder
that names that graph (``reference/``, ``{source-slug}/``, ``{source-slug}/inferred/``), and lists
the removals, with the files that still state them, for the contributor to delete by hand; once the
files are committed, ``inviolable writes retire`` moves the entries the data now covers to
``journal/retired/``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import journal
from graph.config import DATA_DIR, ONTOLOGY_DIR
from graph.loader import DataFile, data_files, parse_file
from graph.namespaces import PREFIXES, data_folder_for_graph


@dataclass
class Export:
    """What an export wrote and what it leaves to the contributor."""

    entries: list[int] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    removals: list[tuple[ox.Quad, list[Path]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def folder_for(graph: str, *, data_dir: Path = DATA_DIR) -> Path | None:
    """The data folder whose files go to ``graph``; None for the ontology, a graph outside the project or
    one whose name the folder rule (:func:`graph.namespaces.data_folder_for_graph`) maps to no folder."""
    folder = data_folder_for_graph(graph)
    return data_dir / folder if folder is not None else None


def _committed(data_dir: Path, ontology_dir: Path) -> dict[ox.Quad, list[Path]]:
    """Every committed quad with the files that state it."""
    where: dict[ox.Quad, list[Path]] = defaultdict(list)
    for data_file in data_files(data_dir=data_dir, ontology_dir=ontology_dir):
        for quad in parse_file(DataFile(data_file.path, data_file.graph)):
            where[quad].append(data_file.path)
    return where


def export(journal_dir: Path, *, data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR,
           out: Path | None = None) -> Export:
    """Write the journal's net additions as Turtle files in the data folders (or under ``out``).

    :raises journal.JournalError: when an entry does not parse.
    :raises DataSyntaxError: when a committed data file does not parse.
    """
    found = list(journal.entries(journal_dir))
    result = Export(entries=[entry.number for entry in found])
    if not found:
        return result
    removed, added = journal.net_change(found)
    committed = _committed(data_dir, ontology_dir)
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in added:
        if quad in committed:
            continue
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        by_graph[graph].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    name = f"journal-{found[0].number:08d}-{found[-1].number:08d}.ttl"
    for graph, triples in sorted(by_graph.items()):
        folder = folder_for(graph, data_dir=data_dir)
        if folder is None:
            result.skipped.append(graph or "the default graph")
            continue
        if out is not None:
            folder = out / folder.relative_to(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        body = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
        header = (f"# Writes accepted by the server, journal entries {found[0].number} to {found[-1].number},\n"
                  f"# exported by `inviolable writes export` for <{graph}>.\n\n")
        target.write_bytes(header.encode() + (body or b""))
        result.written.append(target)
    result.removals = [(quad, committed[quad]) for quad in removed if quad in committed]
    return result


def covered(journal_dir: Path, *, data_dir: Path = DATA_DIR,
            ontology_dir: Path = ONTOLOGY_DIR) -> list[journal.Entry]:
    """The leading journal entries whose net effect the committed data already holds.

    An entry is covered when the data states every quad it finally added and none it finally removed.
    """
    committed = _committed(data_dir, ontology_dir)
    done: list[journal.Entry] = []
    for entry in journal.entries(journal_dir):
        removed, added = journal.net_change([*done, entry])
        if any(quad not in committed for quad in added) or any(quad in committed for quad in removed):
            break
        done.append(entry)
    return done
