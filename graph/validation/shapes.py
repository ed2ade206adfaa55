"""Load the SHACL shapes: mandatory rules and recommendations, as one shapes graph."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from graph.config import SHAPES_DIR

MANDATORY = "mandatory.ttl"
RECOMMENDED = "recommended.ttl"


def shape_files(shapes_dir: Path = SHAPES_DIR) -> list[Path]:
    """The shapes files, mandatory first.

    :raises FileNotFoundError: when the mandatory shapes are missing.
    """
    mandatory = shapes_dir / MANDATORY
    if not mandatory.is_file():
        raise FileNotFoundError(f"no shapes at {mandatory}")
    recommended = shapes_dir / RECOMMENDED
    return [mandatory, recommended] if recommended.is_file() else [mandatory]


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """Parse the shapes of ``shapes_dir`` into one rdflib Graph (cached per file contents).

    :raises FileNotFoundError: when the mandatory shapes are missing.
    :raises SyntaxError: when a shapes file does not parse.
    """
    files = shape_files(shapes_dir)
    return _parse(tuple((str(path), path.stat().st_mtime_ns) for path in files))


@cache
def _parse(files: tuple[tuple[str, int], ...]) -> Graph:
    shapes = Graph()
    for path, _ in files:
        try:
            shapes.parse(path, format="turtle")
        except (SyntaxError, ValueError) as error:
            raise SyntaxError(f"{path}: {error}") from error
    return shapes
