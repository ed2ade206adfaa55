"""The Virtuoso load benchmark at a smoke size: it runs, and both engines give the mix the same answers."""

from __future__ import annotations

from bench.synthetic import generate
from bench.virtuoso_load import measure_embedded, measure_virtuoso
from tests.virtuoso import VirtuosoServer


def test_store_bench_virtuoso_load_and_mix_match_the_embedded_engine(virtuoso_scratch: VirtuosoServer) -> None:
    quads = generate(20)
    remote = measure_virtuoso(quads, repeat=1, run_mix=True, buffers=10_000, server=virtuoso_scratch)
    embedded = measure_embedded(quads, repeat=1)
    assert remote["triples"] == embedded["triples"] == len(set(quads))
    assert remote["load_s"] > 0 and remote["disk_bytes"] > 0
    assert {name: f["rows"] for name, f in remote["mix"].items()} == {
        name: f["rows"] for name, f in embedded["mix"].items()}
    assert len(remote["mix"]) >= 5
