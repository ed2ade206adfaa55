"""The graph says what its documents say, in structure: one query per pattern of the audit of
issue 9, with its answer asserted, and a check that every triple of a document graph belongs to a
node with evidence from that document (curators' additions live in the inference layer)."""

from __future__ import annotations

import pytest

from graph.namespaces import ID, inferred_graph, source_graph
from graph.query import run_query

QUITO, MINNEAPOLIS = "quito-embassy-raid-wikipedia", "minneapolis-consulate-news"
PROLOGUE = """BASE <https://w3id.org/inviolable/id/>
PREFIX dem: <https://w3id.org/inviolable/vocab/demand/>
PREFIX sk: <https://w3id.org/inviolable/vocab/statement-kind/>
PREFIX chr: <https://w3id.org/inviolable/vocab/characterisation/>
PREFIX chan: <https://w3id.org/inviolable/vocab/channel/>
PREFIX qual: <https://w3id.org/inviolable/vocab/qualifier/>
PREFIX vp: <https://w3id.org/inviolable/vocab/vote-position/>
"""


def labels(store, sparql: str, *, inferences: bool = False) -> set[str]:
    """The English labels of the ``?x`` answers of a query."""
    query = PROLOGUE + f"SELECT DISTINCT ?label {{ {sparql} ?x rdfs:label ?label FILTER(LANG(?label) = 'en') }}"
    return {row["label"].value for row in run_query(store, query, inferences=inferences)}


def ask(store, sparql: str, *, inferences: bool = False) -> bool:
    return bool(run_query(store, PROLOGUE + f"ASK {{ {sparql} }}", inferences=inferences))


# 1. What was said or asked is data, not prose.
def test_pattern_content_who_demanded_guarantees_of_non_repetition(store):
    assert labels(store, "?e inv:demands dem:guarantee-of-non-repetition ; inv:actor ?x .") == {"Ecuador"}


def test_pattern_content_who_called_glas_a_fugitive(store):
    assert labels(store, """?c inv:claimant ?x ; inv:proposition ?p . ?p inv:propositionSubject <person/jorge-glas> ;
                            inv:propositionPredicate chr:fugitive-from-justice .""") == {"Ecuador"}


def test_pattern_content_who_expressed_solidarity_with_mexico(store):
    assert labels(store, "?e inv:statementKind sk:solidarity ; inv:concerns <state/mexico> ; inv:actor ?x .") == {
        "Nicaragua", "Venezuela"}


def test_pattern_content_what_colombia_asked_of_the_inter_american_court(store):
    assert labels(store, """?e inv:actor <state/colombia> ; inv:demands ?x ;
                            inv:demandedFrom <organization/inter-american-court-of-human-rights> .""") >= {
        "precautionary measures"}


def test_pattern_content_why_the_icj_declined_provisional_measures(store):
    assert labels(store, """?d inv:decisionOutcome ?o ; inv:reason ?x . ?o skos:notation "declined" .
                            ?x a inv:RelatedEvent .""") == {"Ecuador pledges to protect Mexico's diplomatic premises"}


# 2. Every entity a statement names is a link.
def test_pattern_links_under_whom_glas_was_vice_president(store):
    presidents = labels(store, "?m org:member <person/jorge-glas> ; inv:servedUnder ?x .")
    assert presidents == {"Rafael Correa", "Lenín Moreno"}


@pytest.mark.parametrize(("sparql", "expected"), [
    ("?m org:member <person/sonia-vera> ; inv:client ?x .", {"Jorge Glas"}),
    ("?e inv:actor <state/colombia> ; inv:demands dem:precautionary-measures ; inv:demandedFrom ?x .",
     {"Inter-American Court of Human Rights"}),
    ("?s inv:actingAgency <organization/ecuador-prison-authorities> ; inv:reports ?x .",
     {"Jorge Glas taken to the naval hospital in Guayaquil"}),
    ("?e inv:target ?x ; sem:subEventOf <incident/2024-04-05-quito-mexican-embassy-raid> .", {"Roberto Canseco"}),
    ("<event/2023-12-17-glas-enters-mexican-embassy> inv:atMission ?x .", {"Embassy of Mexico in Quito"}),
    ("<event/2024-01-29-ecuador-letter-to-mexican-ambassador-on-glas> inv:addresseePost ?x .",
     {"Ambassador of Mexico to Ecuador"}),
], ids=["client", "court-petitioned", "report-to-event", "threat-to-person", "entry-to-embassy", "letter-to-post"])
def test_pattern_links_named_entities_are_linked(store, sparql, expected):
    assert labels(store, sparql) == expected


# 3. Reasons, conditions, channels, qualifiers, counts and defaults are properties.
def test_pattern_details_as_properties(store):
    assert ask(store, """<event/2024-04-glas-hospitalised> inv:condition ?c . ?c inv:duration "PT24H"^^xsd:duration""")
    assert ask(store, "<event/2024-04-05-mexico-breaks-relations-with-ecuador> inv:channel chan:post-on-x")
    assert ask(store, "<membership/jorge-glas-vice-president-of-ecuador> inv:qualifier qual:former")
    assert ask(store, """<event/2024-04-10-oas-permanent-council-resolution> inv:defaultVotePosition vp:in-favour ;
                         inv:qualifier qual:near-unanimous""")
    assert ask(store, """<claim/glas-arrest-illegal-and-arbitrary> inv:reason ?r .
                         ?r inv:propositionPredicate chr:lack-of-authorisation""")


# 4. Dates as precise as the text; relative dates resolved with rule and anchor.
def test_pattern_dates_relative_dates_resolved(store):
    assert ask(store, """<event/2024-04-11-mexico-files-icj-application> sem:hasTimeStamp "2024-04-11"^^xsd:date ;
                         inv:dateResolution ?d . ?d inv:dateAnchor <incident/2024-04-05-quito-mexican-embassy-raid> ;
                         inv:dateOffset "P6D"^^xsd:duration ; inv:dateRule ?rule""")
    decision = "<event/2024-05-23-icj-provisional-measures-decision>"
    assert ask(store, f"""{decision} inv:month "2024-05"^^xsd:gYearMonth
                          FILTER NOT EXISTS {{ {decision} sem:hasTimeStamp ?d }}""")
    assert not ask(store, "<event/2024-04-noboa-refuses-safe-conduct-for-glas> inv:month|sem:hasTimeStamp ?d")


# 5. Unnamed holders are claimants of a kind.
def test_pattern_groups_unnamed_holders_are_claimants(store):
    groups = labels(store, "?c inv:claimant ?x . ?x a inv:Group .")
    assert {"diplomatic analysts (January 2026)", "human rights organizations (January 2026)",
            "foreign governments (January 2026)", "numerous other countries that decried the raid"} <= groups


# 6. One claim per claimant.
def test_pattern_one_claim_per_claimant_noboa_and_sommerfeld(store):
    noboa, sommerfeld = (labels(store, f"?x inv:claimant <person/{who}> ; inv:characterisation chr:unlawful-asylum .")
                         for who in ("daniel-noboa", "gabriela-sommerfeld"))
    assert noboa and sommerfeld and not noboa & sommerfeld
    assert not ask(store, "<claim/asylum-to-glas-unlawful> inv:madeIn <event/2024-noboa-comments-on-raid>")


# 7. Statements the documents do not make are in the inference layer only.
@pytest.mark.parametrize("sparql", [
    f"GRAPH <{source_graph(QUITO)}> {{ ?x inv:invokes <article/vcdr-article-22> }}",
    f"GRAPH <{source_graph(QUITO)}> {{ ?x inv:invokes <article/vcdr-article-29> }}",
    f"GRAPH <{source_graph(MINNEAPOLIS)}> {{ ?x inv:invokes <article/vccr-article-31> }}",
    f"GRAPH <{source_graph(QUITO)}> {{ ?x inv:invokes <article/caracas-article-3> }}",
    "<claim/police-kicked-and-dragged-glas> inv:claimant <person/sonia-vera>",
    "<event/2024-04-glas-returned-to-prison> inv:actor ?who",
    "<claim/asylum-to-glas-unlawful> inv:disputedBy <state/mexico>",
    "?closure org:originalOrganization <mission/venezuela-consulate-guayaquil>",
    "<incident/2026-01-27-minneapolis-ecuadorian-consulate-attempted-entry> inv:method ?m . "
    "?m skos:notation 'following-persons'",
], ids=["vcdr-22", "vcdr-29", "vccr-31", "caracas-3", "unnamed-attorney", "passive-actor", "unreported-dispute",
        "posts-by-city", "allegation-as-fact"])
def test_pattern_unsupported_statements_only_with_inferences(store, sparql):
    assert not ask(store, sparql)
    assert ask(store, sparql.replace(f"<{source_graph(QUITO)}>", f"<{inferred_graph(QUITO)}>").replace(
        f"<{source_graph(MINNEAPOLIS)}>", f"<{inferred_graph(MINNEAPOLIS)}>"), inferences=True)


def test_pattern_allegation_is_a_claim(store):
    assert ask(store, """?c inv:claimant <state/ecuador> ; inv:proposition ?p .
                         ?p inv:propositionPredicate chr:following-persons-into-premises ;
                            inv:qualifier qual:alleged""")


# 8. Page furniture of the wikitext is document metadata.
def test_pattern_furniture_is_document_metadata(store):
    assert ask(store, """<source/quito-embassy-raid-wikipedia> inv:shortDescription ?s ; inv:dateFormat "dmy" ;
        inv:defaultSort "Raid on the Mexican embassy in Ecuador, 2024" ; inv:editorComment ?c ;
        inv:seeAlso <https://en.wikipedia.org/wiki/List_of_attacks_on_diplomatic_missions> ;
        schema:video ?v . ?v inv:placement "infobox" ; inv:caption ?caption""")
    galleries = run_query(store, PROLOGUE + """SELECT (COUNT(?i) AS ?n) { <source/quito-embassy-raid-wikipedia>
        schema:image ?i . ?i inv:placement "gallery" ; inv:caption ?c }""")
    assert int(next(iter(galleries))["n"].value) == 3


# Every triple of a document graph belongs to a node with evidence from that document.
def _unsupported(store, slug: str) -> list[str]:
    graph, evidence = source_graph(slug), f"{ID}evidence/{slug}-"
    query = f"""SELECT DISTINCT ?s {{ GRAPH <{graph}> {{ ?s ?p ?o }}
      BIND(IRI(STRBEFORE(CONCAT(STR(?s), "#"), "#")) AS ?owner)
      FILTER NOT EXISTS {{ GRAPH <{graph}> {{ ?owner prov:wasDerivedFrom ?e }}
                          FILTER(STRSTARTS(STR(?e), "{evidence}")) }}
      FILTER NOT EXISTS {{ GRAPH <{graph}> {{ ?s prov:wasDerivedFrom ?e }} FILTER(STRSTARTS(STR(?e), "{evidence}")) }}
      FILTER NOT EXISTS {{ GRAPH <{graph}> {{ ?cite oa:hasBody ?s ; inv:citationMarker ?m }}
                          FILTER(STRSTARTS(STR(?m), "{evidence}")) }}
      FILTER(!STRSTARTS(STR(?owner), "{evidence}") && ?s != <{ID}source/{slug}>) }}"""
    return sorted(row["s"].value for row in run_query(store, query))


@pytest.mark.parametrize("slug", [QUITO, MINNEAPOLIS])
def test_document_graph_triples_belong_to_nodes_with_evidence_from_the_document(store, slug):
    assert _unsupported(store, slug) == []


def test_inference_layer_triples_are_each_described_by_an_inference(store):
    for slug in (QUITO, MINNEAPOLIS):
        query = f"""SELECT ?s ?p ?o {{ GRAPH <{inferred_graph(slug)}> {{ ?s ?p ?o
            FILTER NOT EXISTS {{ ?s a inv:Inference }}
            FILTER NOT EXISTS {{ ?i a inv:Inference ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                                   inv:justification ?why ; inv:inferredFor <{ID}source/{slug}> }} }} }}"""
        assert list(run_query(store, query)) == [], slug


def test_query_command_reads_inferences_only_when_asked(built_store_path, capsys):
    from cli.main import main
    query = "ASK { <https://w3id.org/inviolable/id/claim/asylum-to-glas-unlawful> inv:disputedBy ?who }"
    assert main(["query", "--store", str(built_store_path), query]) == 0
    assert capsys.readouterr().out.strip() == "false"
    assert main(["query", "--inferences", "--store", str(built_store_path), query]) == 0
    assert capsys.readouterr().out.strip() == "true"
