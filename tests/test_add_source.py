"""``inviolable add-source``: registering documents in a copy of the manifest, and extracting wikitext."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from graph.extract import ExtractionError
from graph.extract.register import NewDocument, add_source, guess_format
from graph.sources import MANIFEST, SourceError, load_manifest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """A copy of the manifest, a sources directory with the fixtures, an empty generated folder."""
    manifest = tmp_path / "sources.ttl"
    shutil.copyfile(MANIFEST, manifest)
    sources = tmp_path / "seeds"
    shutil.copytree(FIXTURES, sources)
    return {"manifest": manifest, "sources": sources, "out": tmp_path / "generated"}


def test_add_source_registers_a_plain_text_document(workspace):
    new = NewDocument(workspace["sources"] / "plain.txt", "A plain test", language="en",
                      url="https://example.org/plain", published=date(2026, 1, 2))
    result = add_source(new, manifest_path=workspace["manifest"], out_dir=workspace["out"])
    assert (result.slug, result.format, result.generated) == ("a-plain-test", "text/plain", ())
    document = load_manifest(workspace["manifest"])["a-plain-test"]
    text = (workspace["sources"] / "plain.txt").read_text(encoding="utf-8")
    assert (document.file_name, document.character_count) == ("plain.txt", len(text))
    assert document.sha256 == result.sha256
    assert 'schema:datePublished "2026-01-02"^^xsd:date' in workspace["manifest"].read_text(encoding="utf-8")
    assert set(load_manifest(workspace["manifest"])) == set(load_manifest()) | {"a-plain-test"}


def test_add_source_extracts_a_wikitext_document(workspace):
    new = NewDocument(workspace["sources"] / "mini.wiki", "Mini article", slug="mini-article",
                      url="https://en.wikipedia.org/wiki/Mini", about=(
                          "https://w3id.org/inviolable/id/incident/2024-04-05-quito-mexican-embassy-raid"))
    result = add_source(new, manifest_path=workspace["manifest"], out_dir=workspace["out"])
    assert result.format == "text/x-wiki"
    assert sorted(path.name for path in result.generated) == [
        "citations.ttl", "furniture.ttl", "infobox.ttl", "mentions.ttl", "reactions.ttl"]
    assert all(path.parent == workspace["out"] / "mini-article" for path in result.generated)


@pytest.mark.parametrize(("fixture", "slug", "error", "words"), [
    ("no-url.wiki", "no-url", ExtractionError, "no-url.wiki), line 1, column 53"),
    ("unbalanced.wiki", "unbalanced", ExtractionError, "line 2, column 35"),
    ("missing.wiki", "missing", SourceError, "cannot read document"),
    ("plain.txt", "quito-embassy-raid-wikipedia", SourceError, "already has a document"),
])
def test_add_source_refuses_bad_input_and_leaves_the_manifest_alone(workspace, fixture, slug, error, words):
    before = workspace["manifest"].read_bytes()
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        add_source(NewDocument(workspace["sources"] / fixture, "Bad", slug=slug),
                   manifest_path=workspace["manifest"], out_dir=workspace["out"])
    assert workspace["manifest"].read_bytes() == before
    assert not workspace["out"].exists()
    assert not list(workspace["manifest"].parent.glob(".sources.ttl.new-*"))


def test_add_source_refuses_a_document_already_registered(workspace):
    add_source(NewDocument(workspace["sources"] / "plain.txt", "Plain"), manifest_path=workspace["manifest"])
    with pytest.raises(SourceError, match="already in the manifest as 'plain'"):
        add_source(NewDocument(workspace["sources"] / "plain.txt", "Plain again"),
                   manifest_path=workspace["manifest"])


def test_guess_format_tells_wikitext_from_plain_text():
    assert guess_format((FIXTURES / "mini.wiki").read_text(encoding="utf-8")) == "text/x-wiki"
    assert guess_format((FIXTURES / "plain.txt").read_text(encoding="utf-8")) == "text/plain"


def test_add_source_command_reports_errors_with_exit_code_2(workspace, capsys):
    assert main(["add-source", str(workspace["sources"] / "missing.wiki"), "--title", "Missing"]) == 2
    assert "cannot read document" in capsys.readouterr().err
