"""The Virtuoso load benchmark at a smoke size: it runs, both engines give the mix the same answers,
the dataset is generated once, and the protocol report is counted per engine."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.virtuoso_load
from bench.queries import RUNAWAY
from bench.synthetic import generate
from bench.virtuoso_load import (
    _runs,
    cached_dataset,
    count_junit,
    markdown,
    measure_embedded,
    measure_virtuoso,
    write_dataset,
)
from graph.store import OxigraphStore
from tests.virtuoso import VirtuosoServer


def test_store_bench_virtuoso_load_and_mix_match_the_embedded_engine(virtuoso_scratch: VirtuosoServer,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    quads = generate(20)
    monkeypatch.setattr(bench.virtuoso_load, "PART_QUADS", len(quads) // 3 + 1)
    dataset = write_dataset(quads, tmp_path / "20")
    assert len(dataset.parts) == 3  # loaded by parallel loaders on a machine with several cores
    remote = measure_virtuoso(dataset, repeat=1, run_mix=True, server=virtuoso_scratch)
    embedded = measure_embedded(dataset, repeat=1)
    assert remote["triples"] == embedded["triples"] == len(set(quads))
    assert remote["load_s"] > 0 and remote["db_bytes"] > 0 and remote["disk_bytes"] > 0
    assert {name: f.get("error") for name, f in [*remote["mix"].items(), *embedded["mix"].items()]
            if "error" in f} == {}
    assert {name: f["rows"] for name, f in remote["mix"].items()} == {
        name: f["rows"] for name, f in embedded["mix"].items()}
    assert len(remote["mix"]) >= 5
    table = markdown({"virtuoso": {"20": remote}, "oxigraph": {"20": embedded}})
    assert "| virtuoso | 20 |" in table and "| oxigraph | 20 |" in table


def test_store_bench_dataset_is_generated_once_per_size_and_seed(tmp_path: Path) -> None:
    first = cached_dataset(2000, 7, root=tmp_path)
    written = {part: part.stat().st_mtime_ns for part in first.parts}
    again = cached_dataset(2000, 7, root=tmp_path)
    assert again == first and {part: part.stat().st_mtime_ns for part in again.parts} == written
    assert cached_dataset(2000, 8, root=tmp_path).folder != first.folder
    assert first.quads == sum(len(part.read_bytes().splitlines()) for part in first.parts)


def test_store_bench_protocol_report_counted_per_engine(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="t" name="test_case[oxigraph-query_get]"/>'
        '<testcase classname="t" name="test_case[virtuoso-query_get]"><failure message="x"/></testcase>'
        '<testcase classname="t" name="test_case[virtuoso-query_post]"/>'
        '<testcase classname="t" name="test_manifest_counts"><skipped message="absent"/></testcase>'
        '</testsuite></testsuites>')
    counts = count_junit(report)
    assert counts["oxigraph"] == {"passed": 1, "failure": 0, "error": 0, "skipped": 0}
    assert counts["virtuoso"] == {"passed": 1, "failure": 1, "error": 0, "skipped": 0}
    assert counts["both"]["skipped"] == 1


def test_store_bench_embedded_run_past_the_deadline_is_an_error_not_a_hang() -> None:
    store = OxigraphStore()
    store.bulk_load(generate(2))
    with pytest.raises(TimeoutError):
        _runs(store, RUNAWAY, repeat=1, deadline=0.5)
    assert _runs(store, "ASK { ?s a inv:Incident }", repeat=2, deadline=60)[1] == 1
