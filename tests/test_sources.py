"""The source manifest and reading documents against it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil

import pytest

from graph import sources
from graph.sources import (
    MANIFEST,
    PLAIN_TEXT,
    WIKITEXT,
    SourceError,
    described,
    find_document,
    load_manifest,
    manifest_path,
    read_document,
    staged_manifest,
)
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


def test_manifest_describes_format_url_date_and_subject():
    wiki = find_document("quito-embassy-raid-wikipedia")
    news = find_document("minneapolis-consulate-news")
    assert (wiki.format, wiki.url, news.format) == (
        WIKITEXT, "https://en.wikipedia.org/wiki/2024_raid_on_the_Mexican_embassy_in_Ecuador", PLAIN_TEXT)
    assert wiki.about == "https://w3id.org/inviolable/id/incident/2024-04-05-quito-mexican-embassy-raid"
    assert news.published == dt.date(2026, 1, 28) and news.url is None


def test_described_finds_the_manifest_entry_of_a_bare_document():
    news = find_document("minneapolis-consulate-news")
    bare = sources.SourceDocument(news.iri, news.slug, news.file_name, news.sha256, news.character_count)
    assert described(bare) == news
    stranger = sources.SourceDocument("http://example.org/doc", "doc", "doc.txt", "0" * 64, 1)
    assert described(stranger) is stranger


def _entry(slug: str) -> str:
    return (f"<source/{slug}> a inv:SourceDocument ;\n    dct:format \"text/plain\" ;\n"
            f"    inv:fileName \"{slug}.txt\" ;\n    inv:sha256 \"{'0' * 64}\" ;\n    inv:characterCount 3 .\n")


def test_load_manifest_parses_once_and_again_when_the_file_changes(tmp_path):
    manifest = tmp_path / "sources.ttl"
    shutil.copyfile(MANIFEST, manifest)
    first = load_manifest(manifest)
    before = sources._parsed_manifest.cache_info()
    assert load_manifest(manifest) == first
    assert sources._parsed_manifest.cache_info().misses == before.misses
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n" + _entry("later"), encoding="utf-8")
    assert set(load_manifest(manifest)) == set(first) | {"later"}


def test_staged_manifest_replaces_the_manifest_only_when_the_block_succeeds(tmp_path):
    manifest = tmp_path / "sources.ttl"
    shutil.copyfile(MANIFEST, manifest)
    original = manifest.read_bytes()
    with pytest.raises(RuntimeError), staged_manifest(manifest, _entry("tried")) as candidate:
        assert "tried" in load_manifest(candidate)
        raise RuntimeError("the extraction failed")
    with pytest.raises(SourceError, match="does not parse"), staged_manifest(manifest, "<source/x> a ;\n"):
        pass
    assert manifest.read_bytes() == original and os.listdir(tmp_path) == ["sources.ttl"]
    with staged_manifest(manifest, _entry("kept")):
        pass
    assert "kept" in load_manifest(manifest)


def test_manifest_path_prefers_a_data_folders_own_manifest(tmp_path):
    assert manifest_path(tmp_path) == MANIFEST
    own = tmp_path / "reference" / "sources.ttl"
    own.parent.mkdir()
    own.write_text("", encoding="utf-8")
    assert manifest_path(tmp_path) == own


def _document(tmp_path, text: str) -> sources.SourceDocument:
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    return sources.SourceDocument("http://example.org/doc", "doc", "doc.txt", hashlib.sha256(text.encode()).hexdigest(),
                                  len(text))


def test_read_document_checks_a_document_again_once_its_file_changes(tmp_path):
    document = _document(tmp_path, "the first text\n")
    assert read_document(document, tmp_path) == "the first text\n"
    (tmp_path / "doc.txt").write_text("a later text, longer\n", encoding="utf-8")
    with pytest.raises(SourceError, match="the document changed"):
        read_document(document, tmp_path)


def test_read_document_sees_an_edit_of_the_same_length(tmp_path):
    document = _document(tmp_path, "the first text\n")
    assert read_document(document, tmp_path) == "the first text\n"
    path = tmp_path / "doc.txt"
    before = path.stat()
    path.write_text("the other text\n", encoding="utf-8")
    # Within one tick of the file system's clock the times may not move; an editor's save does.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    with pytest.raises(SourceError, match="the document changed"):
        read_document(document, tmp_path)
    path.write_text("the first text\n", encoding="utf-8")
    assert read_document(document, tmp_path) == "the first text\n"


def test_read_document_reads_an_unchanged_file_once(tmp_path):
    document = _document(tmp_path, "the first text\n")
    read_document(document, tmp_path)
    before = sources._verified_text.cache_info()
    assert read_document(document, tmp_path) == "the first text\n"
    assert sources._verified_text.cache_info().hits == before.hits + 1
