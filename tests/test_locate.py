"""``locate``: spans of passages, and the command that prints them."""

from __future__ import annotations

import pytest

from cli.main import main
from graph.config import Settings
from graph.locate import PassageNotFound, find_spans, locate
from graph.sources import find_document, read_document, sha256_text
from tests.conftest import require_sources


@pytest.mark.parametrize(("text", "passage", "occurrence", "expected"), [
    ("abc abc", "abc", 1, (0, 3)),
    ("abc abc", "abc", 2, (4, 7)),
    ("ñandú y café", "café", None, (8, 12)),
    ("emoji 🇪🇨 flag", "flag", None, (9, 13)),
])
def test_locate_counts_code_points(text, passage, occurrence, expected):
    span = locate(text, passage, occurrence=occurrence)
    assert (span.start, span.end) == expected
    assert text[span.start:span.end] == passage
    assert span.sha256 == sha256_text(passage)


@pytest.mark.parametrize(("text", "passage", "occurrence", "message"), [
    ("abc", "xyz", None, "not found"),
    ("abc abc", "abc", None, "occurs 2 times"),
    ("abc", "abc", 2, "occurs 1 times"),
    ("abc", "", None, "empty"),
])
def test_locate_rejects_missing_or_ambiguous_passages(text, passage, occurrence, message):
    with pytest.raises(PassageNotFound, match=message):
        locate(text, passage, occurrence=occurrence)


def test_find_spans_finds_overlapping_occurrences():
    assert [s.start for s in find_spans("aaa", "aa")] == [0, 1]


def test_locate_command_prints_span_of_real_document(capsys):
    sources = require_sources()
    text = read_document(find_document("minneapolis-consulate-news"), sources)
    passage = "Consulate in Minneapolis"
    assert main(["locate", "minneapolis-consulate-news", passage, "--occurrence", "1",
                 "--sources", str(sources)]) == 0
    start, end, digest = capsys.readouterr().out.split()
    assert text[int(start):int(end)] == passage
    assert digest == sha256_text(passage)


def test_locate_command_prints_evidence_turtle_that_parses(capsys):
    import rdflib

    sources = require_sources()
    assert main(["locate", "quito-embassy-raid-wikipedia", "battering ram]]", "--turtle",
                 "--sources", str(sources)]) == 0
    block = capsys.readouterr().out
    graph = rdflib.Graph().parse(data="@base <https://w3id.org/inviolable/id/> .\n"
                                 "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
                                 "@prefix inv: <https://w3id.org/inviolable/ontology#> .\n" + block,
                                 format="turtle")
    starts = list(graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/oa#start")))
    assert len(starts) == 1


@pytest.mark.parametrize(("document", "passage", "message"), [
    ("no-such-document", "x", "no document 'no-such-document'"),
    ("quito-embassy-raid-wikipedia", "a passage that is not there at all", "not found"),
])
def test_locate_command_reports_clear_errors(document, passage, message, capsys):
    sources = require_sources()
    assert main(["locate", document, passage, "--sources", str(sources)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("text", "passage"), [
    ("He said “no” – twice.", 'He said "no" - twice.'),
    ("It’s the embassy’s wall.", "It's the embassy's wall"),
    ("a line\n   broken  here", "a line broken here"),
    ("non\u00a0breaking space", "non breaking space"),
])
def test_locate_normalises_quotes_dashes_and_whitespace(text, passage):
    span = locate(text, passage)
    original = text[span.start:span.end]
    assert original != passage and span.sha256 == sha256_text(original)
    assert " ".join(original.split()).replace("“", '"').replace("”", '"').replace("’", "'").replace(
        "–", "-") == passage


def test_locate_proposes_the_nearest_match_with_its_offsets():
    text = "Police entered the embassy of Mexico in Quito on the night of 5 April."
    with pytest.raises(PassageNotFound, match="nearest match") as caught:
        locate(text, "Police entred the embasy of Mexico")
    nearest = caught.value.nearest
    assert nearest is not None and caught.value.similarity > 0.9
    assert text[nearest.start:nearest.end].startswith("Police entered the embassy of Mexico")
    assert f"{nearest.start}-{nearest.end}" in str(caught.value)


def test_locate_gives_no_nearest_match_for_unrelated_text():
    with pytest.raises(PassageNotFound) as caught:
        locate("abc def ghi", "zzzzzzzzzzzzzzzzzzzzzzzz")
    assert caught.value.nearest is None and "nearest" not in str(caught.value)


def test_locate_command_accepts_straight_quotes_for_curly_ones(capsys):
    sources = require_sources()
    document = find_document("washington-venezuelan-embassy-canindia")
    text = read_document(document, sources)
    start = text.index("“I learn")
    passage = text[start:start + 40].replace("“", '"')
    assert main(["locate", document.slug, passage, "--sources", str(sources)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{start}\t{start + 40}\t")
    assert "matched after making quotes" in captured.err


def test_locate_command_prints_the_nearest_match(capsys):
    sources = require_sources()
    document = find_document("washington-venezuelan-embassy-canindia")
    text = read_document(document, sources)
    start = text.index("Venezuela had not authorized")
    typo = text[start:start + 50].replace("authorized", "authorised")
    assert main(["locate", document.slug, typo, "--sources", str(sources)]) == 2
    err = capsys.readouterr().err
    assert "nearest match" in err and f"{start}-" in err


@pytest.mark.parametrize("command", [["locate", "minneapolis-consulate-news", "consulate"],
                                     ["draft", "minneapolis-consulate-news"]])
def test_document_commands_report_a_missing_sources_folder_or_document_alike(command, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("cli.commands.settings", lambda: Settings(sources=None))
    assert main(command) == 2
    assert "no sources directory: pass --sources DIR" in capsys.readouterr().err
    assert main([*command, "--sources", str(tmp_path)]) == 2
    assert "cannot read document" in capsys.readouterr().err
