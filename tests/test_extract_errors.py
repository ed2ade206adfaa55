"""Bad input to the extractor: missing or changed documents, broken markup, drifted spans."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from cli.main import main
from graph.evidence import check_evidence
from graph.extract import ExtractionError, extract_sources
from graph.loader import DataFile, parse_file
from graph.sources import MANIFEST, SourceError, find_document, load_manifest
from tests.conftest import require_sources

SLUG = "quito-embassy-raid-wikipedia"
GENERATED = Path(__file__).resolve().parent.parent / "graph" / "data" / "generated" / SLUG


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """A copy of the manifest and of the article, and a generated folder holding earlier output."""
    sources = require_sources()
    document = find_document(SLUG)
    (tmp_path / "seeds").mkdir()
    shutil.copyfile(sources / document.file_name, tmp_path / "seeds" / document.file_name)
    shutil.copyfile(MANIFEST, tmp_path / "sources.ttl")
    earlier = tmp_path / "generated" / SLUG
    earlier.mkdir(parents=True)
    (earlier / "citations.ttl").write_text("# earlier output\n", encoding="utf-8")
    return {"sources": tmp_path / "seeds", "manifest": tmp_path / "sources.ttl", "out": tmp_path / "generated",
            "document": tmp_path / "seeds" / document.file_name}


def rewrite(workspace: dict[str, Path], old: str, new: str) -> None:
    """Change the article copy and record its new hash in the manifest copy."""
    path, manifest = workspace["document"], workspace["manifest"]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    after = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")


def unchanged(workspace: dict[str, Path]) -> bool:
    files = sorted(p.name for p in (workspace["out"] / SLUG).iterdir())
    return files == ["citations.ttl"] and (workspace["out"] / SLUG / "citations.ttl").read_text() == (
        "# earlier output\n")


def test_extract_missing_document_names_it_and_keeps_earlier_output(workspace):
    workspace["document"].unlink()
    with pytest.raises(SourceError, match=f"cannot read document .*{SLUG}"):
        extract_sources(workspace["sources"], out_dir=workspace["out"], manifest_path=workspace["manifest"])
    assert unchanged(workspace)


def test_extract_changed_document_reports_the_hash_mismatch(workspace):
    with workspace["document"].open("a", encoding="utf-8") as handle:
        handle.write("\nAn added line.\n")
    with pytest.raises(SourceError, match=f"{SLUG}.*has SHA-256 .* but the manifest records"):
        extract_sources(workspace["sources"], out_dir=workspace["out"], manifest_path=workspace["manifest"])
    assert unchanged(workspace)


def test_extract_unbalanced_template_names_position_and_keeps_earlier_output(workspace):
    rewrite(workspace, "{{coord|0|10|40|S|78|28|42|W|type:event_region:EC-P|display=inline,title}}",
            "{{coord|0|10|40|S|78|28|42|W|type:event_region:EC-P|display=inline,title}")
    with pytest.raises(ExtractionError, match=f"{SLUG} .*line 3, column 1 .*never closed"):
        extract_sources(workspace["sources"], out_dir=workspace["out"], manifest_path=workspace["manifest"])
    assert unchanged(workspace)


def test_extract_citation_without_url_names_position(workspace):
    rewrite(workspace, "|url=https://www.lahora.com.ec/pais/policia-jorge-glas-mexico-captura/ ", "")
    with pytest.raises(ExtractionError, match=f"{SLUG} .*line 41, column .*no URL"):
        extract_sources(workspace["sources"], out_dir=workspace["out"], manifest_path=workspace["manifest"])
    assert unchanged(workspace)


def test_generated_spans_that_no_longer_match_are_reported_with_their_offsets(workspace):
    require_sources()
    rewrite(workspace, "| date              = 5 April 2024", "| date              = 6 April 2024")
    quads = parse_file(DataFile(GENERATED / "infobox.ttl", f"https://w3id.org/inviolable/graph/{SLUG}"))
    problems = check_evidence(quads, sources=workspace["sources"], manifest=load_manifest(workspace["manifest"]))
    assert [p for p in problems if p.span.evidence.endswith(f"{SLUG}-421-433")]
    assert len(problems) == 1
    assert "span 421-433 of 000_b3540354df022e25.txt" in problems[0].message
    assert "the text at that place changed" in str(problems[0])


def test_extract_check_command_passes_on_the_committed_data(capsys):
    sources = require_sources()
    assert main(["extract", "--check", "--sources", str(sources)]) == 0
    assert "generated data is current" in capsys.readouterr().out
