"""``inviolable draft``: sentences as verifiable spans, entity links, resolved dates, event skeletons."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.config import PROJECT_ROOT
from graph.draft import Draft, article_index, draft_document
from graph.draft.gazetteer import load_gazetteer
from graph.draft.measure import compare, compare_files
from graph.draft.turtle import DRAFT, draft_triples, draft_turtle, write_draft
from graph.sources import SourceDocument, sha256_text
from tests.conftest import require_sources

FIXTURE = Path(__file__).parent / "fixtures" / "draft"
DOCUMENT = FIXTURE / "document.txt"
ID = "https://w3id.org/inviolable/id/"


@pytest.fixture(scope="module")
def draft() -> Draft:
    text = DOCUMENT.read_text(encoding="utf-8")
    document = SourceDocument(ID + "source/draft-fixture", "draft-fixture", DOCUMENT.name,
                              hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text))
    return draft_document(document, text, gazetteer=load_gazetteer(FIXTURE / "reference"),
                          articles=article_index(FIXTURE / "reference"), manifest=FIXTURE / "sources.ttl")


def _entities(draft: Draft) -> list[tuple[str, str]]:
    return [(m.name, m.entity.removeprefix(ID)) for m in draft.mentions]


def test_draft_sentences_are_spans_whose_hash_verifies(draft: Draft) -> None:
    assert len(draft.sentences) == 5
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in draft_triples(draft))
    selectors = list(graph.query("""
        PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX inv: <https://w3id.org/inviolable/ontology#>
        SELECT ?start ?end ?hash WHERE { ?e oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end ;
                                         inv:spanSha256 ?hash }"""))
    assert len(selectors) == 5
    text = DOCUMENT.read_text(encoding="utf-8")
    for row in selectors:
        start, end = int(row["start"].value), int(row["end"].value)
        assert sha256_text(text[start:end]) == row["hash"].value
    first = draft.sentences[0]
    assert text[first.start:first.end].startswith("Aland City, 12 March 2031")
    assert text[first.start:first.end].endswith("said.")


def test_draft_links_known_entities_by_label_and_spanish_label(draft: Draft) -> None:
    found = _entities(draft)
    for expected in [("Aland City", "place/aland-city"), ("Police of Aland", "organization/aland-police"),
                     ("Embassy of Borduria in Aland", "mission/borduria-embassy-aland"),
                     ("Borduria", "state/borduria"), ("Alandia", "state/aland"),
                     ("Fixture Convention", "convention/fixture-convention"),
                     ("Article 22", "article/fixture-convention-article-22")]:
        assert expected in found, found
    text = DOCUMENT.read_text(encoding="utf-8")
    assert all(text[m.start:m.end] == m.name for m in draft.mentions)
    # The longest name wins: "Aland" inside "Embassy of Borduria in Aland" is not a separate mention.
    embassy = next(m for m in draft.mentions if m.entity.endswith("mission/borduria-embassy-aland"))
    assert not any(m.start > embassy.start and m.end <= embassy.end for m in draft.mentions if m is not embassy)


def test_draft_lists_capitalised_unknown_names_as_candidates(draft: Draft) -> None:
    names = {candidate.name: candidate.occurrences for candidate in draft.candidates}
    assert names.get("Ana Petrova") == 2 and "Zenda Palace" in names and "Fixture News" in names
    assert "Protesters" not in names and "Yesterday" not in names and "Aland" not in names


def test_draft_resolves_dates_with_their_rule_and_anchor(draft: Draft) -> None:
    dates = {d.text: d for d in draft.dates}
    assert dates["12 March 2031"].value == "2031-03-12" and dates["12 March 2031"].rule == "as written"
    tuesday = dates["Tuesday"]
    assert (tuesday.value, tuesday.anchor) == ("2031-03-11", "2031-03-12")
    assert tuesday.rule == "the latest such weekday on or before the document's date"
    following = dates["The following day"]
    assert (following.value, following.anchor) == ("2031-03-12", "2031-03-11")
    assert following.rule == "1 day(s) after the day named last in the previous sentence"
    yesterday = dates["Yesterday"]
    assert (yesterday.value, yesterday.rule, yesterday.anchor) == (
        "2031-03-11", "relative to the document's date", "2031-03-12")


def test_draft_proposes_an_event_per_sentence_with_a_date_and_an_actor(draft: Draft) -> None:
    assert [(e.sentence.number, e.date.value) for e in draft.events] == [
        (1, "2031-03-12"), (2, "2031-03-12"), (3, "2031-03-11")]
    assert ID + "state/borduria" in draft.events[1].actors
    assert draft.events[2].actors == (ID + "state/aland", ID + "state/borduria")


def test_draft_turtle_parses_and_holds_evidence_and_skeletons(draft: Draft, tmp_path: Path) -> None:
    path = write_draft(draft, tmp_path / "drafts" / "draft-fixture.ttl")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Draft for draft-fixture")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(draft_triples(draft))
    events = [t.subject.value for t in triples if t.predicate.value.endswith("#type")
              and t.object.value == "https://w3id.org/inviolable/ontology#RelatedEvent"]
    assert ID + "event/2031-03-11-draft-draft-fixture-3" in events
    rules = [t.object.value for t in triples if t.predicate.value == DRAFT + "rule"]
    assert "relative to the document's date" in rules
    assert draft_turtle(draft) == text


def test_measure_compares_links_and_dates_with_curated_files(draft: Draft, tmp_path: Path) -> None:
    path = write_draft(draft, tmp_path / "draft.ttl")
    comparison = compare_files(path, [FIXTURE / "curated" / "facts.ttl"])
    entities, dates = comparison.entities, comparison.dates
    assert ID + "person/ana-petrova" in entities.curated - entities.proposed  # unknown to the gazetteer
    assert entities.recall == pytest.approx(6 / 7) and entities.precision == pytest.approx(6 / 7)
    assert dates.matched == {"2031-03-11", "2031-03-12"} and dates.recall == 1.0
    assert entities.as_dict()["missed"] == ["<person/ana-petrova>"]
    assert set(dates.as_dict()["extra"]) == dates.proposed - dates.curated  # dates are shown as they are
    assert compare(draft_triples(draft), []).as_dict()["entities"]["recall"] is None


def test_draft_command_writes_a_file_build_does_not_load(tmp_path: Path) -> None:
    sources = require_sources()
    output = tmp_path / "out.ttl"
    completed = subprocess.run([sys.executable, "-m", "cli.main", "draft", "minneapolis-consulate-news",
                                "--sources", str(sources), "--output", str(output)],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    triples = list(ox.parse(path=str(output), format=ox.RdfFormat.TURTLE))
    values = {t.object.value for t in triples if t.predicate.value == DRAFT + "value"}
    assert "2026-01-27" in values  # "yesterday", from the article's date 2026-01-28


def test_draft_command_rejects_an_unknown_document(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "cli.main", "draft", "no-such-document",
                                "--sources", str(tmp_path)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode != 0 and "Traceback" not in completed.stderr
    assert "no-such-document" in completed.stderr


def test_draft_dates_skip_years_that_qualify_a_name() -> None:
    from graph.draft.dates import find_dates
    from graph.draft.text import sentences

    text = "Under the 1961 Vienna Convention the premises are inviolable, as they were in 1970."
    found = find_dates(text, sentences(text), anchor=None)
    assert [(d.text, d.value) for d in found] == [("1970", "1970")]
