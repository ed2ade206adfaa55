"""Smoke run of the benchmark's synthetic generator and of the parts of the harness that need no server."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bench.synthetic import generate, incidents_for
from graph.validation import validate_quads


@pytest.fixture(scope="module")
def synthetic_10k() -> list[ox.Quad]:
    return generate(incidents_for(10_000), seed=0)


def test_generate_smoke_size_is_about_ten_thousand_triples(synthetic_10k: list[ox.Quad]) -> None:
    assert 9_000 <= len(synthetic_10k) <= 13_000
    assert len(set(synthetic_10k)) == len(synthetic_10k)


def test_generate_smoke_conforms_to_the_shapes(synthetic_10k: list[ox.Quad]) -> None:
    report = validate_quads(synthetic_10k)
    assert report.conforms, report.to_text()


def test_generate_same_seed_gives_same_dataset() -> None:
    assert generate(20, seed=7) == generate(20, seed=7)
    assert generate(20, seed=7) != generate(20, seed=8)
