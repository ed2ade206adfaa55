"""``graph.writes_export``: journalled writes go back to the data folder that names their graph, and no further."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import journal
from graph.config import ONTOLOGY_DIR
from graph.namespaces import GRAPH, REFERENCE_GRAPH, inferred_graph, source_graph
from graph.writes_export import export, folder_for

COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


def _note(graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode("https://example.org/s"), COMMENT, ox.Literal("kept"), ox.NamedNode(graph))


@pytest.mark.parametrize(("graph", "folder"), [
    (str(REFERENCE_GRAPH), "reference"),
    (source_graph("quito"), "quito"),
    (inferred_graph("quito"), "quito/inferred"),
])
def test_folder_for_follows_the_folder_rule(tmp_path: Path, graph: str, folder: str) -> None:
    assert folder_for(graph, data_dir=tmp_path) == tmp_path / folder


@pytest.mark.parametrize("graph", [f"{GRAPH}ontology", "http://example.org/notes", f"{GRAPH}..",
                                   f"{GRAPH}../inferred", f"{GRAPH}a/b/inferred", f"{GRAPH}generated"])
def test_folder_for_names_no_folder_for_the_ontology_foreign_or_non_slug_graphs(tmp_path: Path, graph: str) -> None:
    assert folder_for(graph, data_dir=tmp_path) is None


def test_writes_export_writes_nothing_outside_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "place" / "data"
    data.mkdir(parents=True)
    journal.append(tmp_path / "journal", [], [_note(f"{GRAPH}.."), _note(source_graph("quito"))])
    result = export(tmp_path / "journal", data_dir=data, ontology_dir=ONTOLOGY_DIR)
    assert result.skipped == [f"{GRAPH}.."]
    assert [path.relative_to(data).parent.as_posix() for path in result.written] == ["quito"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "place").rglob("*.ttl")) == [
        f"place/data/quito/{result.written[0].name}"]
