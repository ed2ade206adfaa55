"""The source manifest and reading documents against it."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from graph.sources import SourceError, find_document, load_manifest, read_document
from tests.conftest import require_sources


def test_manifest_entries_have_hash_length_and_graph():
    manifest = load_manifest()
    assert manifest, "the manifest lists no document"
    for slug, document in manifest.items():
        assert document.slug == slug
        assert len(document.sha256) == 64 and int(document.sha256, 16) >= 0
        assert document.character_count > 0
        assert document.graph == f"https://w3id.org/inviolable/graph/{slug}"
    assert len({document.file_name for document in manifest.values()}) == len(manifest)


@pytest.mark.parametrize("slug", sorted(load_manifest()))
def test_manifest_matches_the_documents(slug):
    sources = require_sources()
    document = load_manifest()[slug]
    data = (sources / document.file_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert len(data.decode("utf-8")) == document.character_count


@pytest.mark.parametrize("reference", ["minneapolis-consulate-news", "002_ed08abd8c3dc3c05.txt",
                                       "https://w3id.org/inviolable/id/source/minneapolis-consulate-news",
                                       "/some/dir/002_ed08abd8c3dc3c05.txt"])
def test_find_document_accepts_slug_file_name_and_iri(reference):
    assert find_document(reference).slug == "minneapolis-consulate-news"


def test_read_document_rejects_changed_document(tmp_path):
    sources = require_sources()
    document = find_document("minneapolis-consulate-news")
    shutil.copy(sources / document.file_name, tmp_path / document.file_name)
    with (tmp_path / document.file_name).open("a", encoding="utf-8") as handle:
        handle.write("one more line\n")
    with pytest.raises(SourceError, match="the document changed"):
        read_document(document, tmp_path)


def test_read_document_rejects_missing_directory_and_file(tmp_path):
    document = find_document("minneapolis-consulate-news")
    with pytest.raises(SourceError, match="does not exist"):
        read_document(document, tmp_path / "nowhere")
    with pytest.raises(SourceError, match="cannot read document"):
        read_document(document, tmp_path)
