"""Adding a document whose facts validate never breaks an unrelated test.

A scratch copy of the project (data, ontology, shapes) gets a synthetic document written here,
registered with ``add_source`` in the scratch manifest, with its entities and facts and their
evidence; the scratch copy is built, and the data and competency tests run on the result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.build import build_store
from graph.config import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR
from graph.evidence import check_evidence
from graph.extract.register import NewDocument, add_source
from graph.loader import data_files, parse_file
from graph.locate import evidence_turtle, locate
from graph.sources import load_manifest
from graph.store import open_built_store
from tests import test_competency, test_evidence
from tests.conftest import require_sources

SLUG = "synthetic-embassy-occupation-test"
INCIDENT = "https://w3id.org/inviolable/id/incident/2030-03-ruritania-embassy-occupation"
# Our own words: a document no one published, about states that do not exist.
TEXT = """Students occupy the embassy of Ruritania

In March 2030 about forty students occupied the Embassy of Ruritania in Zenda City.
The government of Graustark apologised to Ruritania.
"""
PREFIXES = """@base <https://w3id.org/inviolable/id/> .
@prefix inv: <https://w3id.org/inviolable/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
"""
REFERENCE = PREFIXES + """
<state/ruritania> a inv:State ; rdfs:label "Ruritania"@en , "Ruritania"@es ; inv:iso3166Alpha2 "XR" .
<state/graustark> a inv:State ; rdfs:label "Graustark"@en , "Graustark"@es ; inv:iso3166Alpha2 "XG" .
<place/zenda-city> a schema:Place , schema:City ; rdfs:label "Zenda City"@en , "Ciudad de Zenda"@es ;
    inv:country <state/graustark> .
<mission/ruritania-embassy-zenda-city> a inv:Embassy ;
    rdfs:label "Embassy of Ruritania in Zenda City"@en , "Embajada de Ruritania en Ciudad de Zenda"@es ;
    inv:sendingState <state/ruritania> ; inv:receivingState <state/graustark> ; inv:city <place/zenda-city> .
"""
V = "https://w3id.org/inviolable/vocab/"


def _facts(occupied: str, apologised: str) -> str:
    return PREFIXES + f"""
<incident/2030-03-ruritania-embassy-occupation> a inv:Incident ;
    rdfs:label "Students occupy the Embassy of Ruritania in Zenda City"@en ,
        "Estudiantes ocupan la Embajada de Ruritania en Ciudad de Zenda"@es ;
    sem:eventType <{V}incident-type/occupation> , <{V}incident-type/crowd-attack> ;
    inv:completionStatus <{V}completion-status/completed> ;
    inv:month "2030-03"^^xsd:gYearMonth ;
    sem:hasPlace <place/zenda-city> ;
    inv:targetMission <mission/ruritania-embassy-zenda-city> ;
    inv:actor <group/students-zenda-city-2030> ;
    prov:wasDerivedFrom {occupied} .
<group/students-zenda-city-2030> a inv:Group ;
    rdfs:label "about forty students"@en , "unos cuarenta estudiantes"@es ;
    inv:memberCount 40 ; inv:countIsApproximate true ;
    prov:wasDerivedFrom {occupied} .
<event/2030-03-graustark-apology-to-ruritania> a inv:Response ;
    rdfs:label "Graustark apologises to Ruritania"@en , "Graustark pide disculpas a Ruritania"@es ;
    sem:eventType <{V}response-type/apologize> ;
    inv:actor <state/graustark> ;
    inv:addressee <state/ruritania> ;
    inv:respondsTo <incident/2030-03-ruritania-embassy-occupation> ;
    prov:wasDerivedFrom {apologised} .
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of the project with the synthetic document registered and its facts written."""
    seeds = require_sources()
    root = tmp_path_factory.mktemp("scratch")
    data, ontology, shapes, sources = root / "data", root / "ontology", root / "shapes", root / "sources"
    shutil.copytree(DATA_DIR, data)
    shutil.copytree(ONTOLOGY_DIR, ontology)
    shutil.copytree(SHAPES_DIR, shapes)
    sources.mkdir()
    for document in load_manifest().values():
        shutil.copyfile(seeds / document.file_name, sources / document.file_name)
    (sources / "900_synthetic.txt").write_text(TEXT, encoding="utf-8")
    add_source(NewDocument(sources / "900_synthetic.txt", "Students occupy the embassy of Ruritania", slug=SLUG),
               manifest_path=data / "reference" / "sources.ttl", out_dir=data / "generated",
               reference_dir=data / "reference")
    (data / "reference" / "synthetic.ttl").write_text(REFERENCE, encoding="utf-8")
    manifest = load_manifest(data / "reference" / "sources.ttl")
    document = manifest[SLUG]
    spans = [locate(TEXT, passage) for passage in (
        "In March 2030 about forty students occupied the Embassy of Ruritania in Zenda City.",
        "The government of Graustark apologised to Ruritania.")]
    folder = data / SLUG
    folder.mkdir()
    iris = [f"<evidence/{SLUG}-{span.start}-{span.end}>" for span in spans]
    (folder / "facts.ttl").write_text(_facts(*iris), encoding="utf-8")
    (folder / "evidence.ttl").write_text(PREFIXES + "\n".join(evidence_turtle(span, document) for span in spans),
                                         encoding="utf-8")
    return {"data": data, "ontology": ontology, "shapes": shapes, "sources": sources, "root": root}


@pytest.fixture(scope="module")
def scratch_store(scratch):
    path = scratch["root"] / "store"
    build_store(scratch["data"], path=path, sources=scratch["sources"], ontology_dir=scratch["ontology"],
                shapes_dir=scratch["shapes"])
    return open_built_store(path, read_only=True)


def test_generic_suite_registers_the_synthetic_document_beside_the_others(scratch):
    manifest = load_manifest(scratch["data"] / "reference" / "sources.ttl")
    assert SLUG in manifest and set(load_manifest()) < set(manifest)


def test_generic_suite_evidence_of_every_document_resolves(scratch):
    quads = [quad for data_file in data_files(data_dir=scratch["data"], ontology_dir=scratch["ontology"])
             for quad in parse_file(data_file)]
    manifest = load_manifest(scratch["data"] / "reference" / "sources.ttl")
    assert check_evidence(quads, sources=scratch["sources"], manifest=manifest) == []


def test_generic_suite_month_only_incident_appears_in_cq01_as_a_month(scratch_store):
    rows = test_competency.by(test_competency.answer(scratch_store, 1), "incident")
    assert rows[INCIDENT]["date"] == "2030-03"
    assert rows[INCIDENT]["actors"] == "about forty students"
    assert "city" in rows[INCIDENT] and "actingState" not in rows[INCIDENT]


# The store-based data and competency tests, run unchanged on the scratch store.
STORE_TESTS = [
    test_competency.test_cq01_lists_every_incident_of_the_graph,
    test_competency.test_cq01_entries_into_mission_premises,
    test_competency.test_cq01_crowd_attack_with_month_only_inferred_date_and_no_acting_state,
    test_competency.test_cq02_reactions_to_the_tripoli_attack,
    test_competency.test_cq04_officials_at_the_time_of_each_incident,
    test_competency.test_cq05_every_incident_appears_in_its_own_timeline,
    test_competency.test_cq05_timeline_of_the_warsaw_case_resolves_later_that_day,
    test_competency.test_cq06_states_that_broke_or_reduced_relations,
    test_competency.test_cq07_proceedings_at_the_international_court_of_justice,
    test_competency.test_cq08_vote_on_the_oas_permanent_council_resolution,
    test_competency.test_cq09_states_that_acted_and_protested,
    test_competency.test_cq10_officials_in_more_than_one_incident,
    test_competency.test_cq11_every_fact_with_each_span_of_its_node_and_the_references_overlapping_it,
    test_evidence.test_every_event_claim_and_membership_has_evidence,
]


@pytest.mark.parametrize("data_test", STORE_TESTS, ids=lambda test: test.__name__)
def test_generic_suite_data_tests_pass_with_the_new_document(scratch_store, data_test):
    data_test(scratch_store)


@pytest.mark.parametrize("path", test_competency.QUERY_FILES, ids=lambda p: p.stem)
def test_generic_suite_every_query_runs_for_every_incident_with_the_new_document(scratch_store, path):
    if any(p.type == test_competency.INCIDENT for p in test_competency.query_parameters(path.read_text("utf-8"))):
        test_competency.test_competency_parameterised_query_runs_for_every_incident(scratch_store, path)
    assert INCIDENT in test_competency.incidents(scratch_store)
