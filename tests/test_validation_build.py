"""Validation inside ``build``, on the committed data, and its building blocks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph.build import BuildError, build_store
from graph.namespaces import REFERENCE_GRAPH, inferred_graph, source_graph
from graph.validation import collect_files, validate_files
from graph.validation.convert import TermConverter, quads_to_graph
from graph.validation.locations import LocationIndex
from tests.conftest import require_sources
from tests.test_validation_support import CONFORMING, FIXTURES

DOCUMENT_FOLDER = "quito-embassy-raid-wikipedia"


def _data_dir(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "data" / DOCUMENT_FOLDER
    folder.mkdir(parents=True)
    (tmp_path / "data" / "reference").mkdir()
    for path in files:
        shutil.copy(path, folder / path.name)
    return tmp_path / "data"


def test_build_swaps_in_a_conforming_store(tmp_path: Path) -> None:
    result = build_store(_data_dir(tmp_path, CONFORMING), path=tmp_path / "store")
    assert result.validation is not None and result.validation.conforms
    assert (tmp_path / "store").is_dir()


def test_build_refuses_a_non_conforming_store_with_the_report(tmp_path: Path) -> None:
    broken = FIXTURES / "broken" / "claim-without-claimant.ttl"
    with pytest.raises(BuildError) as raised:
        build_store(_data_dir(tmp_path, CONFORMING, broken), path=tmp_path / "store")
    text = str(raised.value)
    assert "A claim must name its claimant" in text and "claim-without-claimant.ttl:" in text
    assert not (tmp_path / "store").exists()


def test_build_refused_leaves_the_serving_store_and_no_new_generation(tmp_path: Path) -> None:
    # A refused build must leave no generation of its own beside the serving one.
    from graph.layout import GENERATIONS, current_generation

    good = build_store(_data_dir(tmp_path / "good", CONFORMING), path=tmp_path / "store")
    serving = current_generation(tmp_path / "store")
    broken = _data_dir(tmp_path / "bad", CONFORMING, FIXTURES / "broken" / "claim-without-claimant.ttl")
    with pytest.raises(BuildError, match="does not conform"):
        build_store(broken, path=tmp_path / "store")
    assert current_generation(tmp_path / "store") == serving
    assert [p.name for p in (tmp_path / "store" / GENERATIONS).iterdir()] == [serving.name]
    from graph.store import open_built_store

    assert len(open_built_store(tmp_path / "store")) == good.summary.total


def test_committed_data_conforms() -> None:
    report = validate_files(collect_files())
    assert report.conforms, report.to_text()


def test_committed_evidence_resolves_against_documents() -> None:
    report = validate_files(collect_files(), sources=require_sources())
    assert report.conforms and report.evidence_checked, report.to_text()


def test_term_converter_keeps_datatypes_languages_and_identity() -> None:
    convert = TermConverter()
    date = ox.Literal("2024-04-05", datatype=ox.NamedNode(str(XSD.date)))
    assert convert(date) == Literal("2024-04-05", datatype=XSD.date)
    assert convert(ox.Literal("Quito", language="es")) == Literal("Quito", lang="es")
    assert convert(ox.Literal("plain")) == Literal("plain")
    node = ox.NamedNode("https://w3id.org/inviolable/id/state/ecuador")
    assert convert(node) is convert(node) and convert(node) == URIRef(node.value)


def test_quads_to_graph_drops_graph_names_and_keeps_triples() -> None:
    quad = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"), ox.NamedNode("http://e/g"))
    graph = quads_to_graph([quad, quad])
    assert len(graph) == 1


def test_location_index_prefers_subject_lines_and_resolves_base_and_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "a.ttl"
    path.write_text('@base <https://w3id.org/inviolable/id/> .\n'
                    '@prefix inv: <https://w3id.org/inviolable/ontology#> .\n'
                    '<claim/x> inv:about <event/y> ;  # <event/z> in a comment\n'
                    '    inv:note "<claim/w> in a string" .\n'
                    '<event/y> a inv:RelatedEvent .\ninv:Thing a inv:Class .\n', encoding="utf-8")
    index = LocationIndex([path])
    base = "https://w3id.org/inviolable/id/"
    assert index.find(base + "claim/x").line == 3
    assert index.find(base + "event/y").line == 5
    assert index.find("https://w3id.org/inviolable/ontology#Thing").line == 6
    assert index.find(base + "event/z") is None and index.find(base + "claim/w") is None


def test_collect_files_puts_an_extra_file_in_the_graph_its_folder_names(tmp_path):
    layers = {"quito/inferred/new.ttl": inferred_graph("quito"), "quito/new.ttl": source_graph("quito"),
              "generated/quito/new.ttl": source_graph("quito"), "reference/new.ttl": str(REFERENCE_GRAPH),
              "new.ttl": source_graph(tmp_path.name)}
    paths = {tmp_path / relative: graph for relative, graph in layers.items()}
    files = collect_files(paths, data_dir=tmp_path, committed=False)
    assert {data_file.path: data_file.graph for data_file in files} == paths


def test_validate_quads_does_the_work_beside_the_engine_once_and_raises_its_error() -> None:
    from graph.loader import DataFile, parse_file
    from graph.validation import validate_quads

    quads = list(parse_file(DataFile(CONFORMING, source_graph(DOCUMENT_FOLDER))))
    calls: list[int] = []
    report = validate_quads(quads, beside=lambda: calls.append(len(calls)))
    assert calls == [0] and "beside" in report.timings

    def full_disk() -> None:
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space left"):
        validate_quads(quads, beside=full_disk)
