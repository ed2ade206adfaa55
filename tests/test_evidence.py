"""Evidence: every span of the committed facts resolves in its document and matches its hash."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.evidence import EvidenceSpan, check_evidence, check_span, evidence_spans
from graph.loader import data_files, parse_file
from graph.query import run_query
from graph.sources import find_document, load_manifest, read_document, sha256_text
from tests.conftest import require_sources


@pytest.fixture(scope="module")
def committed_quads() -> list[ox.Quad]:
    return [quad for data_file in data_files() for quad in parse_file(data_file)]


def test_every_evidence_span_resolves_and_matches_its_hash(committed_quads):
    sources = require_sources()
    spans = evidence_spans(committed_quads)
    assert len(spans) > 0
    assert [str(problem) for problem in check_evidence(committed_quads, sources=sources)] == []


def test_every_document_graph_has_evidence_for_its_facts(store):
    for document in load_manifest().values():
        count = run_query(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{document.graph}> {{
            ?evidence oa:hasSource <{document.iri}> ; oa:hasSelector ?selector . }} }}""")
        assert int(next(iter(count))["n"].value) > 0, f"no evidence points into {document.slug}"


def test_every_event_claim_and_membership_has_evidence(store):
    missing = [row["node"].value for row in run_query(store, """
        SELECT DISTINCT ?node WHERE {
          VALUES ?class { inv:Incident inv:Response inv:RelatedEvent inv:CourtCase inv:Claim org:Membership }
          GRAPH ?g { ?node a ?class }
          FILTER NOT EXISTS { GRAPH ?g { ?node prov:wasDerivedFrom ?evidence } }
        }""")]
    assert missing == []


def test_no_literal_copies_a_passage_of_its_document(store):
    """Descriptions are written in the project's words: no 60-character run of a document may appear in a literal.

    Bibliographic metadata of cited works (their titles) and wiki link targets are names, not prose, and are exempt.
    """
    sources = require_sources()
    window = 60
    for document in load_manifest().values():
        text = read_document(document, sources)
        literals = [row["text"].value for row in run_query(store, f"""
            SELECT DISTINCT ?text WHERE {{ GRAPH <{document.graph}> {{ ?s ?p ?text }}
              FILTER(ISLITERAL(?text) && STRLEN(STR(?text)) >= {window})
              FILTER NOT EXISTS {{ ?s a inv:CitedReference }}
              FILTER(?p != inv:linkTarget) }}""")]
        copied = [literal for literal in literals
                  if any(literal[i:i + window] in text for i in range(0, len(literal) - window + 1, 10))]
        assert copied == [], f"literals quoting {document.slug}"


@pytest.mark.parametrize(("start", "end", "digest", "message"), [
    (None, 5, "x", "lacks"),
    (10, 5, "x", "outside"),
    (0, 10_000_000, "x", "outside"),
    (0, 4, "0" * 64, "not the recorded"),
])
def test_check_span_names_what_is_wrong(start, end, digest, message):
    text = "Diplomatic tensions"
    document = find_document("minneapolis-consulate-news")
    problem = check_span(EvidenceSpan("e", document.iri, start, end, digest), document, text)
    assert message in problem


def test_check_span_accepts_a_matching_span():
    text = "Diplomatic tensions"
    document = find_document("minneapolis-consulate-news")
    span = EvidenceSpan("e", document.iri, 0, 10, sha256_text("Diplomatic"))
    assert check_span(span, document, text) is None
