"""``inviolable coverage``: what the documents mention that the graph lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli.main import main
from graph.coverage import coverage, sentences
from graph.extract.register import NewDocument, add_source
from graph.sources import MANIFEST, load_manifest
from tests.conftest import require_sources

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"


def test_sentences_split_lines_and_sentence_ends():
    text = "A headline\nFirst one. “Quoted” second? Third (yes).\n\nLast"
    assert [text[s:e] for s, e in sentences(text)] == [
        "A headline", "First one.", "“Quoted” second?", "Third (yes).", "Last"]


def test_coverage_of_the_registered_documents_has_no_entity_gaps():
    """Entity gaps block a pull request; uncovered sentences are a to-do list and are not asserted."""
    report = coverage(require_sources())
    assert report.entity_gaps == []
    assert {"Habeas corpus", "2016 Ecuador earthquake"} <= set(report.explained)
    known = set(load_manifest())
    assert {gap.document for gap in report.sentences} <= known


def test_coverage_lists_uncovered_sentences_of_a_plain_text_document(tmp_path: Path):
    sources = require_sources()
    seeds = tmp_path / "seeds"
    shutil.copytree(sources, seeds)
    shutil.copyfile(FIXTURES / "plain.txt", seeds / "plain.txt")
    manifest = tmp_path / "sources.ttl"
    shutil.copyfile(MANIFEST, manifest)
    add_source(NewDocument(seeds / "plain.txt", "Plain"), manifest_path=manifest)
    report = coverage(seeds, manifest_path=manifest)
    plain = [(gap.start, gap.end, gap.preview) for gap in report.sentences if gap.document == "plain"]
    assert plain == [(0, 16, "A plain headline"), (17, 52, "The first sentence of a plain text."),
                     (53, 84, "The second sentence follows it.")]


def test_coverage_command_prints_the_report(capsys):
    sources = require_sources()
    assert main(["coverage", "--strict", "--sources", str(sources)]) == 0
    out = capsys.readouterr().out
    assert "with no node: 0" in out


@pytest.mark.parametrize("argv", [["coverage", "--sources", "/nonexistent/seeds"]])
def test_coverage_command_names_a_missing_sources_directory(argv, capsys):
    assert main(argv) == 2
    assert "/nonexistent/seeds" in capsys.readouterr().err
