"""Find the project's RDF files, decide the named graph of each, and parse them.

Graphs follow the folders: ``ontology/`` → ``graph/ontology``; ``graph/data/reference/`` →
``graph/reference``; ``graph/data/{slug}/`` and ``graph/data/generated/{slug}/`` → ``graph/{slug}``;
``graph/data/{slug}/inferred/`` → ``graph/{slug}/inferred`` (the document's inference layer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.config import DATA_DIR, ONTOLOGY_DIR
from graph.namespaces import BASE, INFERRED, ONTOLOGY_GRAPH, REFERENCE_GRAPH, inferred_graph, source_graph

GENERATED = "generated"
REFERENCE = "reference"


@dataclass(frozen=True)
class DataFile:
    """One Turtle file and the named graph its triples go to."""

    path: Path
    graph: str


class DataSyntaxError(Exception):
    """A data file does not parse; the message names the file, line and column."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path, self.line, self.column = path, line, column
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


def _graph_for(data_dir: Path, path: Path) -> str:
    parts = path.relative_to(data_dir).parts
    if parts[0] == REFERENCE:
        return str(REFERENCE_GRAPH)
    if parts[0] == GENERATED:
        if len(parts) < 3:
            raise DataSyntaxError(path, None, None, "generated files belong in generated/{source-slug}/")
        return source_graph(parts[1])
    if len(parts) < 2:
        raise DataSyntaxError(path, None, None, "data files belong in reference/ or a {source-slug}/ folder")
    if len(parts) > 2 and parts[1] == INFERRED:
        return inferred_graph(parts[0])
    return source_graph(parts[0])


def data_files(*, data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> list[DataFile]:
    """Every Turtle file of the ontology and the data, in a stable order.

    :raises DataSyntaxError: when a data file lies outside the folders that name graphs.
    """
    files = [DataFile(path, str(ONTOLOGY_GRAPH)) for path in sorted(ontology_dir.glob("*.ttl"))]
    files += [DataFile(path, _graph_for(data_dir, path)) for path in sorted(data_dir.rglob("*.ttl"))]
    return files


def parse_file(data_file: DataFile) -> list[ox.Quad]:
    """Parse one Turtle file into quads of its graph.

    :raises DataSyntaxError: with the file, line and column of the first error.
    """
    try:
        triples = ox.parse(path=str(data_file.path), format=ox.RdfFormat.TURTLE, base_iri=BASE + "id/")
        graph = ox.NamedNode(data_file.graph)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    except SyntaxError as error:
        message = error.msg if isinstance(error.msg, str) else str(error)
        raise DataSyntaxError(data_file.path, error.lineno, error.offset, message) from error
    except OSError as error:
        raise DataSyntaxError(data_file.path, None, None, f"cannot read: {error.strerror}") from error


def parse_files(files: Iterable[DataFile]) -> Iterator[tuple[DataFile, list[ox.Quad]]]:
    """Parse each file in turn, yielding it with its quads."""
    for data_file in files:
        yield data_file, parse_file(data_file)
