"""The wikitext layer of the extractor: offsets, balance checks, citations and their attachment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.extract import attach, citations, wikitext
from graph.extract.wikitext import ExtractionError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"


def parsed(name: str) -> tuple[str, list[wikitext.Located]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text, wikitext.parse(name, text)


def test_walk_offsets_match_the_text_of_every_node():
    text, nodes = parsed("mini.wiki")
    assert nodes
    assert all(text[n.start:n.end] == str(n.node) for n in nodes)


def test_walk_finds_refs_inside_gallery_captions():
    text, nodes = parsed("mini.wiki")
    in_gallery = [n for n in nodes if wikitext.is_tag(n, "ref")
                  and any(wikitext.is_tag(c, "gallery") for c in n.containers)]
    assert len(in_gallery) == 1
    assert "example.org/gallery" in text[in_gallery[0].start:in_gallery[0].end]


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("ok\nan {{open template", 2, 4, "never closed"),
    ("ok }} there", 1, 4, "closes no open template"),
    ("a [[link without end", 1, 3, "never closed"),
    ("text<ref>never closed", 1, 5, "<ref> is never closed"),
    ("text</ref>", 1, 5, "closes no open <ref>"),
])
def test_check_balance_names_document_line_and_column(text, line, column, words):
    with pytest.raises(ExtractionError) as caught:
        wikitext.check_balance("doc.wiki", text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value).startswith(f"doc.wiki, line {line}, column {column}")
    assert words in str(caught.value)


def test_parse_refuses_the_unbalanced_fixture():
    text = (FIXTURES / "unbalanced.wiki").read_text(encoding="utf-8")
    with pytest.raises(ExtractionError, match=r"unbalanced\.wiki, line 2, column 35"):
        wikitext.parse("unbalanced.wiki", text)


def test_parse_citation_reads_a_cite_template():
    body = ("{{cite web |url=https://example.org/a |title=Título |trans-title=Title |website=[[Example|Ex]] "
            "|date=6 April 2024 |access-date=2024-04-07 |language=es |last1=Pérez |first1=Ana "
            "|archive-url=https://web.archive.org/x |archive-date=8 April 2024}}")
    citation = citations.parse_citation(body, where=("doc", body, 0))
    assert citation.url == "https://example.org/a"
    assert (citation.title, citation.translated_title, citation.part_of) == ("Título", "Title", "Ex")
    assert citation.authors == ("Ana Pérez",)
    assert (citation.published, citation.accessed, citation.archived) == (
        date(2024, 4, 6), date(2024, 4, 7), date(2024, 4, 8))
    assert (citation.language, citation.archive_url) == ("es", "https://web.archive.org/x")


def test_parse_citation_reads_a_bare_link():
    body = "[https://example.org/b A bare title], Example Wire (8 April 2024)."
    citation = citations.parse_citation(body, where=("doc", body, 0))
    assert (citation.url, citation.title, citation.part_of, citation.published) == (
        "https://example.org/b", "A bare title", "Example Wire", date(2024, 4, 8))


def test_parse_citation_without_url_names_the_position():
    text, nodes = parsed("no-url.wiki")
    with pytest.raises(ExtractionError, match=r"no-url\.wiki, line 1, column 53.*no URL"):
        citations.ref_uses("no-url.wiki", text, nodes)


def test_ref_uses_reject_a_name_never_written_out():
    text = "A sentence.<ref name=\"ghost\"/>"
    nodes = wikitext.parse("doc", text)
    uses = citations.ref_uses("doc", text, nodes)
    with pytest.raises(ExtractionError, match="ghost"):
        citations.merge_references("doc", text, uses)


def test_merge_references_keeps_reused_names_as_one_reference():
    text, nodes = parsed("mini.wiki")
    uses = citations.ref_uses("mini.wiki", text, nodes)
    references = citations.merge_references("mini.wiki", text, uses)
    assert len(uses) == 6
    assert len(references) == 4
    assert references["first"].uses == [1, 2, 6]


def test_attach_gives_each_ref_the_text_it_follows():
    text, nodes = parsed("mini.wiki")
    uses = citations.ref_uses("mini.wiki", text, nodes)
    segments = attach.attach("mini.wiki", text, uses)
    backed = {use.ordinal: text[segments[use.ordinal].start:segments[use.ordinal].end] for use in uses}
    assert backed[1] == "A test sentence names [[Ecuador]] and [[Mexico]]."
    assert backed[2] == backed[3] == "A second sentence reuses it."
    assert backed[4] == "A caption with a reference."
    assert backed[5] == "{{flagdeco|Argentina}} Argentina: A short reaction."


def test_slugs_are_stable_and_readable():
    assert citations.slugify("Guardian20240408") == "guardian20240408"
    assert citations.url_slug("https://www.example.org/a") == citations.url_slug("https://www.example.org/a")
    assert citations.url_slug("https://www.example.org/a").startswith("example-org-")
