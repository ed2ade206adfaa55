"""Declared query parameters and their binding by a trailing VALUES clause."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.parameters import QueryParameter, QueryParameterError, bind_parameters, query_parameters

TEXT = """# 1. A question about one incident.
# parameter: ?incident inv:Incident the incident asked about
SELECT ?incident ?n WHERE { VALUES (?incident ?n) { (<urn:a> 1) (<urn:b> 2) } }
ORDER BY ?n
"""


def test_query_parameters_reads_declarations_with_types_and_notes():
    assert query_parameters(TEXT) == [
        QueryParameter("incident", "https://w3id.org/inviolable/ontology#Incident", "the incident asked about")]


def test_query_parameters_expands_full_iris_and_rejects_unknown_prefixes():
    assert query_parameters("# parameter: ?x <urn:type>\n")[0].type == "urn:type"
    with pytest.raises(QueryParameterError, match="line 1"):
        query_parameters("# parameter: ?x nope:Type\n")


def test_query_parameters_rejects_a_parameter_declared_twice():
    with pytest.raises(QueryParameterError, match="declared twice"):
        query_parameters("# parameter: ?x inv:Incident\n# parameter: ?x inv:Incident\n")


def test_bind_parameters_restricts_the_answer_to_the_bound_value():
    store = ox.Store()
    rows = list(store.query(bind_parameters(TEXT, {"?incident": "urn:b"})))
    assert [row["n"].value for row in rows] == ["2"]
    assert len(list(store.query(TEXT))) == 2


def test_bind_parameters_binds_several_parameters_in_one_row():
    text = "# parameter: ?s rdfs:Resource\n# parameter: ?p rdf:Property\nSELECT * { }"
    last = bind_parameters(text, {"s": "urn:s", "p": "urn:p"}).splitlines()[-1]
    assert last == "VALUES (?p ?s) { (<urn:p> <urn:s>) }"


@pytest.mark.parametrize(("values", "message"), [
    ({"mission": "urn:x"}, "declares no parameter"),
    ({"incident": "not an iri> } ; DROP ALL"}, "is not an IRI"),
])
def test_bind_parameters_rejects_unknown_names_and_values_that_are_not_iris(values, message):
    with pytest.raises(QueryParameterError, match=message):
        bind_parameters(TEXT, values)


def test_bind_parameters_without_values_leaves_the_query_unchanged():
    assert bind_parameters(TEXT, {}) == TEXT
