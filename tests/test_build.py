"""``build``: the store, its named graphs, determinism, and failures that keep the previous store."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli.main import main
from graph.build import BuildError, build_store, is_current
from graph.config import DATA_DIR
from graph.export import export
from graph.loader import DataSyntaxError
from graph.namespaces import GRAPH
from graph.sources import SourceError, load_manifest
from graph.store import open_built_store
from tests.conftest import SOURCES, require_sources


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the committed data, to break without touching the real files."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _nquads(path: Path) -> bytes:
    output = io.BytesIO()
    export(open_built_store(path), output, format=ox.RdfFormat.N_QUADS)
    return output.getvalue()


def test_build_store_puts_each_document_in_its_own_graph(store):
    names = set(store.graph_names())
    assert {f"{GRAPH}ontology", f"{GRAPH}reference"} <= names
    for document in load_manifest().values():
        if (DATA_DIR / document.slug).is_dir():
            assert document.graph in names


def test_build_store_is_deterministic(tmp_path):
    first = build_store(path=tmp_path / "one")
    second = build_store(path=tmp_path / "two")
    assert first.summary == second.summary
    assert _nquads(tmp_path / "one") == _nquads(tmp_path / "two")
    assert b"_:" not in _nquads(tmp_path / "one"), "blank nodes would make builds differ"


def test_build_store_summary_counts_graphs_and_classes(built_store_path, store):
    summary = build_store(path=built_store_path.parent / "again").summary
    assert summary.total == len(store)
    assert summary.entities_per_class["https://w3id.org/inviolable/ontology#State"] >= 11
    assert "triples per graph" in summary.to_text()


def test_build_store_reports_syntax_error_with_file_and_line_and_keeps_previous_store(tmp_path, data_copy):
    target = tmp_path / "store"
    build_store(data_copy, path=target)
    before = len(open_built_store(target))
    broken = data_copy / "reference" / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n")
    with pytest.raises(DataSyntaxError) as caught:
        build_store(data_copy, path=target)
    assert str(caught.value).startswith(f"{broken}:3:")
    store = open_built_store(target)
    assert len(store) == before
    assert bool(store.query("ASK { ?s a <https://w3id.org/inviolable/ontology#State> }"))


def test_build_store_rejects_a_folder_with_no_document(tmp_path, data_copy):
    stray = data_copy / "unknown-document"
    stray.mkdir()
    (stray / "facts.ttl").write_text("<http://example.org/a> <http://example.org/b> 1 .\n")
    with pytest.raises(BuildError, match="unknown-document"):
        build_store(data_copy, path=tmp_path / "store")


def test_build_store_names_fact_and_document_when_a_span_does_not_match(tmp_path, data_copy):
    sources = require_sources()
    folder = data_copy / "minneapolis-consulate-news"
    folder.mkdir(exist_ok=True)
    (folder / "zz-bad-span.ttl").write_text(
        "@base <https://w3id.org/inviolable/id/> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix inv: <https://w3id.org/inviolable/ontology#> .\n"
        "<event/test-fact> prov:wasDerivedFrom <evidence/minneapolis-consulate-news-0-9> .\n"
        "<evidence/minneapolis-consulate-news-0-9> a oa:SpecificResource ;\n"
        "  oa:hasSource <source/minneapolis-consulate-news> ;\n"
        "  oa:hasSelector <evidence/minneapolis-consulate-news-0-9#selector> .\n"
        "<evidence/minneapolis-consulate-news-0-9#selector> a oa:TextPositionSelector ;\n"
        f"  oa:start 0 ; oa:end 9 ; inv:spanSha256 \"{'0' * 64}\" .\n")
    with pytest.raises(BuildError) as caught:
        build_store(data_copy, path=tmp_path / "store", sources=sources, validate=False)
    message = str(caught.value)
    assert "event/test-fact" in message and "source/minneapolis-consulate-news" in message
    assert "not the recorded" in message
    assert not (tmp_path / "store").exists()


def test_build_store_rejects_a_changed_document(tmp_path):
    sources = require_sources()
    changed = tmp_path / "sources"
    shutil.copytree(sources, changed)
    name = load_manifest()["minneapolis-consulate-news"].file_name
    (changed / name).write_text("not the same article\n", encoding="utf-8")
    with pytest.raises(SourceError, match="the document changed"):
        build_store(path=tmp_path / "store", sources=changed)


def test_is_current_tracks_input_changes(tmp_path, data_copy):
    target = tmp_path / "store"
    assert not is_current(target, data_dir=data_copy)
    build_store(data_copy, path=target)
    assert is_current(target, data_dir=data_copy)
    (data_copy / "reference" / "extra.ttl").write_text("<http://example.org/a> <http://example.org/b> 1 .\n")
    assert not is_current(target, data_dir=data_copy)


def test_build_command_prints_summary_json(tmp_path, capsys):
    arguments = ["build", "--store", str(tmp_path / "store"), "--json", "--quiet"]
    if not SOURCES.is_dir():
        arguments.append("--no-sources")
    assert main(arguments) == 0
    summary = json.loads(capsys.readouterr().out)
    built = open_built_store(tmp_path / "store")
    assert summary["total"] == len(built)
    assert set(summary["triples_per_graph"]) == {str(name) for name in built.graph_names()}


def test_build_command_rejects_unknown_sources_directory(tmp_path, capsys):
    assert main(["build", "--store", str(tmp_path / "store"), "--sources", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
