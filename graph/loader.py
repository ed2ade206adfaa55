"""Find the project's RDF files, decide the named graph of each, and parse them.

Graphs follow the folders: ``ontology/`` → ``graph/ontology``; a file of ``graph/data`` goes to the
graph :func:`graph.namespaces.graph_for_data_file` names (``reference/`` → ``graph/reference``;
``{slug}/`` and ``generated/{slug}/`` → ``graph/{slug}``; ``{slug}/inferred/`` → ``graph/{slug}/inferred``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.config import DATA_DIR, ONTOLOGY_DIR
from graph.namespaces import DATA_BASE, ONTOLOGY_GRAPH, MisplacedDataFile, graph_for_data_file


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
    try:
        return graph_for_data_file(path.relative_to(data_dir))
    except MisplacedDataFile as error:
        raise DataSyntaxError(path, None, None, str(error)) from error


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
        triples = ox.parse(path=str(data_file.path), format=ox.RdfFormat.TURTLE, base_iri=DATA_BASE)
        graph = ox.NamedNode(data_file.graph)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    except SyntaxError as error:
        message = error.msg if isinstance(error.msg, str) else str(error)
        raise DataSyntaxError(data_file.path, error.lineno, error.offset, message) from error
    except OSError as error:
        raise DataSyntaxError(data_file.path, None, None, f"cannot read: {error.strerror}") from error

