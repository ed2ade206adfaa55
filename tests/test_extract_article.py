"""Extraction of the wikitext article, checked against the article itself."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pyoxigraph as ox
import pytest

from graph.extract import GENERATED_DIR, attach, citations, drift, extract, wikitext
from graph.namespaces import BASE
from graph.sources import find_document, read_document
from tests.conftest import require_sources

SLUG = "quito-embassy-raid-wikipedia"
INCIDENT = f"{BASE}id/incident/2024-04-05-quito-mexican-embassy-raid"


@pytest.fixture(scope="module")
def article() -> tuple[str, list, list, dict]:
    sources = require_sources()
    text = read_document(find_document(SLUG), sources)
    nodes = wikitext.parse(SLUG, text)
    uses = citations.ref_uses(SLUG, text, nodes)
    return text, nodes, uses, citations.merge_references(SLUG, text, uses)


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return extract(require_sources())[SLUG]


def triples(turtle: str) -> list[ox.Triple]:
    return list(ox.parse(turtle, format=ox.RdfFormat.TURTLE, base_iri=BASE + "id/"))


def test_article_has_67_ref_tags_each_attached_to_text(article):
    text, _, uses, _ = article
    assert len(uses) == 67 == len(re.findall(r"<ref[ >]", text))
    segments = attach.attach(SLUG, text, uses)
    assert len(segments) == 67
    for use in uses:
        segment = segments[use.ordinal]
        assert segment.end <= use.start and text[segment.start:segment.end].strip()
        assert "<ref" not in text[segment.start:segment.end]


def test_article_has_52_written_citations_51_distinct_and_15_reuses(article):
    _, _, uses, references = article
    written = [use for use in uses if use.citation is not None]
    assert len(written) == 52
    assert len({" ".join(use.body.split()) for use in written}) == 51
    assert sum(use.citation is None for use in uses) == 15
    # El País's article of 1 March 2024 is written out twice with different fields: one work, one node.
    assert len(references) == 50
    assert sum(len(reference.uses) for reference in references.values()) == 67


def test_article_references_languages_urls_and_dates(article):
    *_, references = article
    languages = Counter(reference.citation.language for reference in references.values())
    assert languages["es"] == 22 and languages["en"] == 6 and languages["no"] == 1
    cnn = references["cnn"].citation
    assert cnn.url == ("https://www.cnn.com/2024/04/06/americas/ecuador-vice-president-arrest-mexico-embassy-"
                       "diplomatic-tensions-intl-hnk/index.html")
    assert (cnn.published, cnn.accessed, cnn.archived) == (date(2024, 4, 6), date(2024, 4, 6), date(2024, 4, 7))
    assert cnn.authors == ("Fidel Gutiérrez", "Heather Chen", "David Shortell")
    assert references["la-hora"].citation.url == "https://www.lahora.com.ec/pais/policia-jorge-glas-mexico-captura/"
    assert references["la-hora"].citation.language == "es"
    assert references["guardian20240408"].citation.published == date(2024, 4, 8)
    assert references["ap"].uses == sorted(references["ap"].uses) and len(references["ap"].uses) == 5
    bare = references["reutersmay23"].citation
    assert (bare.part_of, bare.published) == ("Reuters", date(2024, 5, 23))


def test_article_gallery_caption_ref_is_a_reference(article):
    text, _, uses, references = article
    gallery = [u for u in uses if any(wikitext.is_tag(c, "gallery") for c in u.located.containers)]
    assert len(gallery) == 1
    assert any(r.citation.url.startswith("https://www.infobae.com/mexico/2024/04/06/")
               and gallery[0].ordinal in r.uses for r in references.values())


def test_generated_citations_annotate_every_ref_tag(generated):
    graph = triples(generated["citations.ttl"])
    motivated = {t.subject for t in graph if t.predicate.value.endswith("#motivatedBy")
                 and t.object.value.endswith("ontology#citing")}
    assert len(motivated) == 67
    referenced = {t.subject for t in graph if t.object == ox.NamedNode(
        "https://w3id.org/inviolable/ontology#CitedReference")}
    assert len(referenced) == 50


def test_generated_infobox_states_the_point_date_place_and_officials(generated):
    graph = triples(generated["infobox.ttl"])
    values = {(t.subject.value, t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]): t.object for t in graph}
    assert values[(INCIDENT + "#geometry", "asWKT")] == ox.Literal(
        "POINT(-78.478333 -0.177778)", datatype=ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral"))
    assert values[(INCIDENT, "hasTimeStamp")].value == "2024-04-05"
    assert values[(INCIDENT, "hasPlace")].value == f"{BASE}id/place/la-carolina-quito"
    roles = {t.object.value for t in graph if t.predicate.value.endswith("#value")}
    assert roles == {f"{BASE}id/person/{slug}" for slug in (
        "daniel-noboa", "gabriela-sommerfeld", "andres-manuel-lopez-obrador", "alicia-barcena")}
    parties = {t.object.value for t in graph if t.predicate.value.endswith("ontology#party")}
    assert parties == {f"{BASE}id/state/ecuador", f"{BASE}id/state/mexico"}


def test_generated_reactions_list_every_flag_entry(generated):
    graph = triples(generated["reactions.ttl"])
    bodies = {t.object.value.removeprefix(f"{BASE}id/") for t in graph if t.predicate.value.endswith("#hasBody")}
    assert bodies == {"state/argentina", "state/brazil", "state/chile", "state/colombia", "state/nicaragua",
                      "state/united-states", "state/uruguay", "state/venezuela", "organization/european-union",
                      "organization/organization-of-american-states", "organization/united-nations"}
    entry = f"{BASE}id/evidence/quito-embassy-raid-wikipedia-reaction-"
    cited = {(t.subject.value.removeprefix(entry), t.object.value.removeprefix(f"{BASE}id/reference/"))
             for t in graph if t.predicate.value.endswith("terms/references")}
    assert ("united-states", "ap") in cited  # the United States entry reuses the AP reference
    assert ("organization-of-american-states", "cnn01") in cited  # and the OAS entry the CNN Español one
    assert ("united-states", "cnn01") not in cited


def test_generated_mentions_resolve_to_graph_entities(generated):
    graph = triples(generated["mentions.ttl"])
    bodies = {t.object.value for t in graph if t.predicate.value.endswith("#hasBody")}
    assert f"{BASE}id/person/jorge-glas" in bodies
    assert f"{BASE}id/convention/vienna-convention-on-diplomatic-relations" in bodies
    assert "https://en.wikipedia.org/wiki/Habeas_corpus" in bodies
    subjects = [t for t in graph if t.predicate.value == "http://purl.org/dc/terms/subject"]
    assert len(subjects) == 12


def test_extract_is_idempotent(generated):
    assert extract(require_sources())[SLUG] == generated


def test_committed_generated_data_matches_a_fresh_extraction():
    problems = drift(require_sources())
    assert not problems, "\n".join(map(str, problems))
    assert sorted(p.name for p in (GENERATED_DIR / SLUG).glob("*.ttl")) == [
        "citations.ttl", "furniture.ttl", "infobox.ttl", "mentions.ttl", "reactions.ttl"]
