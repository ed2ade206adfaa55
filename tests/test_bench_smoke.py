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


def test_synthetic_queries_find_answers_in_the_synthetic_graph(synthetic_10k: list[ox.Quad]) -> None:
    from bench.queries import NOT_IN_SYNTHETIC, competency, synthetic
    from graph.query import with_prefixes
    from graph.store import OxigraphStore

    store = OxigraphStore()
    store.bulk_load_quads(synthetic_10k)
    aimed = synthetic(store, competency(), skip=NOT_IN_SYNTHETIC)
    assert aimed and not set(aimed) & set(NOT_IN_SYNTHETIC)
    empty = [name for name, text in aimed.items() if not list(store.query(with_prefixes(text)))]
    assert empty == []


@pytest.mark.parametrize(("text", "size", "label"), [("10k", 10_000, "10k"), ("1M", 1_000_000, "1M"),
                                                     ("5m", 5_000_000, "5M"), ("2500", 2_500, "2500")])
def test_parse_size_reads_k_and_m_suffixes(text: str, size: int, label: str) -> None:
    from bench.scale import label as size_label
    from bench.scale import parse_size

    assert parse_size(text) == size
    assert size_label(size) == label


def test_summarise_ratios_compare_medians_and_rounds() -> None:
    from bench.throughput import summarise

    def run(server: str, round_number: int, rps: float) -> dict:
        return {"server": server, "round": round_number, "clients": 8, "rps": rps, "p50_ms": 1.0, "p99_ms": 2.0,
                "errors": 0, "requests": int(rps * 10)}

    runs = [run("inviolable", 0, 100), run("oxigraph", 0, 400), run("rdflib-endpoint", 0, 1),
            run("inviolable", 1, 300), run("oxigraph", 1, 200), run("rdflib-endpoint", 1, 2)]
    figures = summarise(runs, ("inviolable", "oxigraph", "rdflib-endpoint"), (8,))
    assert figures["medians"]["inviolable"]["8"]["rps"] == 200
    ratios = figures["ratios"]["8"]
    assert ratios["rps inviolable/oxigraph"] == round(200 / 300, 2)
    assert ratios["rps inviolable/oxigraph per round (median)"] == round((0.25 + 1.5) / 2, 2)
    assert ratios["rps inviolable/rdflib-endpoint"] == round(200 / 1.5, 2)


def test_targets_say_by_how_much_a_target_is_missed() -> None:
    from bench.report import targets

    results = {"scale": {"1M": {"build": {"total_s": 90.0, "peak_mb": 2048.0}}}}
    verdicts = {row["target"]: row["verdict"] for row in targets(results)}
    assert verdicts["build + validate 1M synthetic triples < 20 s"] == "missed: 4 × the target"
    assert verdicts["peak memory of that build < 3072 MB"] == "met"


def test_targets_report_a_ratio_to_a_silent_peer_as_not_measured() -> None:
    from bench.report import targets
    from bench.throughput import summarise

    runs = [{"server": name, "clients": 8, "round": 0, "rps": rps, "p50_ms": 5.0, "p99_ms": 20.0, "errors": 0,
             "requests": requests} for name, rps, requests in
            (("inviolable", 300.0, 3000), ("inviolable-no-cache", 150.0, 1500), ("oxigraph", 0.0, 0))]
    verdicts = {row["target"]: row["verdict"] for row in targets({"throughput": summarise(
        runs, ["inviolable", "inviolable-no-cache", "oxigraph"], [8])})}
    assert verdicts["req/s at 8 clients, cache on, ≥ 3 × oxigraph"] == "not measured"
    assert verdicts["req/s at 8 clients, cache off, ≥ 0.8 × oxigraph"] == "not measured"
    assert verdicts["p99 < 50 ms, competency mix, real graph, 8 clients, cache on"] == "met"
    runs[1]["errors"] = 1500  # every answer of the cache-off server an error, as with a 429 for each
    runs[2].update(rps=100.0, requests=1000)
    verdicts = {row["target"]: row["verdict"] for row in targets({"throughput": summarise(
        runs, ["inviolable", "inviolable-no-cache", "oxigraph"], [8])})}
    assert verdicts["req/s at 8 clients, cache off, ≥ 0.8 × oxigraph"].startswith("not measured: inviolable-no-cache")
    assert verdicts["req/s at 8 clients, cache on, ≥ 3 × oxigraph"] == "met"


def test_shape_profile_split_times_the_engine_with_all_shapes_and_with_none() -> None:
    from bench.shape_profile import engine_split

    figures = engine_split(2_000, engine="turbo", repeat=1)
    assert set(figures) == {"all core shapes", "empty shapes graph"}
    assert all(seconds >= 0 for seconds in figures.values())


def test_record_keeps_the_hosts_speed_with_the_figures() -> None:
    import time

    from bench.record import cpu_ticks, provenance, recorded, steal_percent

    with recorded("smoke", log=lambda _: None) as facts:
        time.sleep(0.1)  # idle ticks count too: the clock of /proc/stat moves on
    assert facts["calibration_ms"] > 0
    assert (facts["steal_percent"] is None) == (cpu_ticks() is None)
    assert "calibration" in provenance(facts)[0] and "stolen by the host" in provenance(facts)[0]
    assert steal_percent((1000, 0), (1100, 20)) == 20.0
    contended = {**facts, "idle": True, "steal_percent": 20.0}
    assert any("host took 20.0 %" in line for line in provenance(contended))
