"""Builds that cannot destroy: foreign paths refused, one atomic swap, journalled writes replayed."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli.main import main
from graph import journal
from graph.build import BuildError, build_store, built_digest
from graph.layout import CURRENT, MARKER, current_generation
from graph.namespaces import REFERENCE_GRAPH
from graph.store import open_built_store, store_directory

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_build_refuses_a_path_that_is_not_a_store(tmp_path: Path, kind: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "target"
    if kind == "file":
        target.write_text("precious")
    else:
        target.mkdir()
        (target / "thesis.tex").write_text("precious")
    assert main(["build", "--store", str(target), "--no-sources", "--quiet"]) == 2
    assert "did not make" in capsys.readouterr().err or kind == "file"
    if kind == "file":
        assert target.read_text() == "precious"
    else:
        assert (target / "thesis.tex").read_text() == "precious"
        assert sorted(p.name for p in target.iterdir()) == ["thesis.tex"]


def test_build_swaps_generations_with_one_symlink(built_store_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(path=store)
    first = current_generation(store)
    assert (store / MARKER).is_file() and (store / CURRENT).is_symlink()
    reader = open_built_store(store)
    build_store(path=store)
    second = current_generation(store)
    assert second != first and store_directory(store) == second / "oxigraph"
    # The generation a running server has open stays until the build after next.
    assert first.is_dir() and len(list(reader.quads())) > 0
    build_store(path=store)
    assert not first.exists() and built_digest(store) is not None


def test_build_replays_the_journal_and_refuses_a_write_that_no_longer_conforms(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(path=store)
    quads = list(open_built_store(store).quads(str(REFERENCE_GRAPH)))
    subject = next(q.subject for q in quads if q.predicate == LABEL)
    added = ox.Quad(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                    ox.Literal("journalled"), ox.NamedNode(str(REFERENCE_GRAPH)))
    journal.append(store / "journal", [], [added])
    build_store(path=store)
    assert added in set(open_built_store(store).quads(str(REFERENCE_GRAPH)))
    labels = [q for q in quads if q.subject == subject and q.predicate == LABEL]
    journal.append(store / "journal", labels, [])
    before = current_generation(store)
    with pytest.raises(BuildError, match="journalled write"):
        build_store(path=store)
    assert current_generation(store) == before


def test_build_recovers_from_a_crash_before_the_swap(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(path=store)
    (store / "generations" / "half-written").mkdir()
    stale = store / f".{CURRENT}.new-{os.getpid()}"
    stale.symlink_to("generations/half-written")
    assert (store_directory(store)).is_dir()
    build_store(path=store)
    assert not (store / "generations" / "half-written").exists() or current_generation(store).name != "half-written"


def test_writes_export_then_retire_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from graph.config import DATA_DIR, ONTOLOGY_DIR
    from graph.writes_export import covered, export

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    store = tmp_path / "store"
    build_store(data, path=store)
    quads = list(open_built_store(store).quads(str(REFERENCE_GRAPH)))
    subject = next(q.subject for q in quads if q.predicate == LABEL)
    note = ox.Quad(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("kept"),
                   ox.NamedNode(str(REFERENCE_GRAPH)))
    journal.append(store / "journal", [], [note])
    assert covered(store / "journal", data_dir=data, ontology_dir=ONTOLOGY_DIR) == []
    result = export(store / "journal", data_dir=data, ontology_dir=ONTOLOGY_DIR)
    (written,) = result.written
    assert written.parent == data / "reference" and written.suffix == ".ttl"
    parsed = list(ox.parse(path=str(written), format=ox.RdfFormat.TURTLE))
    assert [(q.subject, q.predicate, q.object) for q in parsed] == [(note.subject, note.predicate, note.object)]
    (entry,) = covered(store / "journal", data_dir=data, ontology_dir=ONTOLOGY_DIR)
    journal.retire(store / "journal", [entry])
    assert list(journal.entries(store / "journal")) == []
    build_store(data, path=store)
    assert note in set(open_built_store(store).quads(str(REFERENCE_GRAPH)))


def test_build_serve_build_if_needed_keeps_journalled_writes(tmp_path: Path) -> None:
    import json

    from cli.commands.serve import ensure_built

    store = tmp_path / "store"
    build_store(path=store)
    subject = next(q.subject for q in open_built_store(store).quads(str(REFERENCE_GRAPH)) if q.predicate == LABEL)
    note = ox.Quad(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("endpoint"),
                   ox.NamedNode(str(REFERENCE_GRAPH)))
    journal.append(store / "journal", [], [note])
    info = current_generation(store) / "build.json"
    info.write_text(json.dumps({**json.loads(info.read_text()), "inputs": "older data"}))
    assert ensure_built(store, None, log=lambda line: None) is True
    assert note in set(open_built_store(store).quads(str(REFERENCE_GRAPH)))
