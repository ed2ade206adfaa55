"""Competency questions 11 and 14 over a store built from the generated data and one curated fact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.build import build_store
from graph.config import DATA_DIR
from graph.parameters import bind_parameters
from graph.query import run_query
from graph.store import open_built_store
from tests.conftest import require_sources

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
SLUG = "quito-embassy-raid-wikipedia"
ID = "https://w3id.org/inviolable/id/"


@pytest.fixture(scope="module")
def extracted_store(tmp_path_factory: pytest.TempPathFactory):
    """Reference data, the generated files and the fixture's fact about the raid's date, built and checked."""
    sources = require_sources()
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA_DIR / "reference", data / "reference")
    shutil.copytree(DATA_DIR / "generated", data / "generated")
    (data / SLUG).mkdir()
    shutil.copyfile(FIXTURES / "cq11-fact.ttl", data / SLUG / "cq11-fact.ttl")
    path = tmp_path_factory.mktemp("store") / "store"
    build_store(data, path=path, sources=sources)
    return open_built_store(path)


def answer(store, number: int, **values: str) -> list[dict[str, str]]:
    text = bind_parameters((QUERIES / f"cq-{number:02d}.rq").read_text(encoding="utf-8"), values)
    result = run_query(store, text)
    names = [variable.value for variable in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


@pytest.mark.parametrize("number", [11, 14])
def test_cq_query_files_start_with_their_question(number):
    first = (QUERIES / f"cq-{number:02d}.rq").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# {number}. ")


def test_cq11_date_of_the_raid_with_document_span_and_backing_reference(extracted_store):
    rows = answer(extracted_store, 11, subject=f"{ID}incident/2024-04-05-quito-mexican-embassy-raid",
                  property="http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp")
    spans = {(row["start"], row["end"]): row for row in rows}
    assert {row["document"] for row in rows} == {"2024 raid on the Mexican embassy in Ecuador"}
    assert {row["value"] for row in rows} == {"2024-04-05"}
    lead = [row for row in rows if (row["start"], row["end"]) == ("1571", "1677")]
    assert [row.get("reference") for row in lead] == [f"{ID}reference/guardian20240408"]
    assert lead[0]["publisher"] == "The Guardian"
    assert lead[0]["url"].startswith("https://www.theguardian.com/world/2024/apr/07/")
    infobox_date = spans[("421", "433")]
    assert "reference" not in infobox_date  # the infobox cites nothing


def test_cq14_spanish_references_and_most_cited_publishers(extracted_store):
    rows = answer(extracted_store, 14)
    first = rows[0]
    assert (first["publisher"], first["citations"], first["references"]) == ("Al Jazeera", "9", "5")
    assert sum(int(row["citations"]) for row in rows) == 67
    assert sum(int(row["references"]) for row in rows) == 50
    assert sum(int(row["inSpanish"]) for row in rows) == 22
    by_publisher = {row["publisher"]: row for row in rows}
    assert by_publisher["La Hora"]["inSpanish"] == "2"
    assert "https://www.bbc.com/mundo/articles/crg4gjnp22eo" in by_publisher["BBC News Mundo"]["spanishUrls"]
    assert by_publisher["The Guardian"]["inSpanish"] == "0"
