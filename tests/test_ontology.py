"""The ontology: every term labelled and defined, every term the data uses defined."""

from __future__ import annotations

import pytest

from graph.namespaces import INV, VOCAB
from graph.query import run_query

ONTOLOGY = "https://w3id.org/inviolable/graph/ontology"

TERMS = f"""
SELECT DISTINCT ?term WHERE {{
  GRAPH <{ONTOLOGY}> {{ ?term a ?kind }}
  FILTER(STRSTARTS(STR(?term), "{INV}") || STRSTARTS(STR(?term), "{VOCAB}"))
}}"""


def _terms(store) -> list[str]:
    return [row["term"].value for row in store.query(TERMS)]


def test_ontology_has_version_iri_and_dated_change_notes(store):
    assert bool(run_query(store, f"""ASK {{ GRAPH <{ONTOLOGY}> {{
        <https://w3id.org/inviolable/ontology> a owl:Ontology ; owl:versionIRI ?version ; skos:changeNote ?note .
        FILTER(REGEX(STR(?note), "^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}: "))
    }} }}"""))


@pytest.mark.parametrize("language", ["en", "es"])
def test_ontology_terms_have_a_label_in_each_language(store, language):
    missing = [row["term"].value for row in store.query(f"""
        SELECT ?term WHERE {{ {{ {TERMS} }}
          FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY}> {{
            ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "{language}") }} }}
        }}""")]
    assert _terms(store), "the ontology defines no terms"
    assert missing == []


@pytest.mark.parametrize("prop", ["http://www.w3.org/2004/02/skos/core#definition",
                                  "http://www.w3.org/2000/01/rdf-schema#isDefinedBy"])
def test_ontology_terms_have_definition_and_defining_ontology(store, prop):
    missing = [row["term"].value for row in store.query(f"""
        SELECT ?term WHERE {{ {{ {TERMS} }} FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY}> {{ ?term <{prop}> ?v }} }} }}""")]
    assert missing == []


def test_ontology_defines_every_inv_and_vocab_term_the_data_uses(store):
    undefined = [row["term"].value for row in store.query(f"""
        SELECT DISTINCT ?term WHERE {{
          GRAPH ?g {{ {{ ?s ?term ?o }} UNION {{ ?s a ?term }} UNION {{ ?s ?p ?term }} }}
          FILTER(?g != <{ONTOLOGY}>)
          FILTER(ISIRI(?term) && (STRSTARTS(STR(?term), "{INV}") || STRSTARTS(STR(?term), "{VOCAB}")))
          FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY}> {{ ?term a ?kind }} }}
        }}""")]
    assert undefined == []


def test_response_types_carry_cameo_codes_from_the_architecture_table(store):
    rows = run_query(store, "SELECT ?concept ?code WHERE { ?concept inv:cameoCode ?code }")
    codes = {row["concept"].value.rsplit("/", 1)[1]: row["code"].value for row in rows}
    assert codes["complain-officially"] == "114"
    assert codes["break-relations"] == "161"
    assert codes["grant-asylum"] == "075"
    assert codes["bring-lawsuit"] == "115"
