"""``query`` and ``export``: formats parsed back, errors reported."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib

from cli.main import main
from graph.export import export, export_bytes
from graph.query import QueryFormatError, run_query, write_result
from graph.store import OxigraphStore
from server.testing import disk_store, sample_quads

STATES = "SELECT ?state ?code WHERE { ?state inv:iso3166Alpha2 ?code } ORDER BY ?code"


def _output(result, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write_result(result, buffer, fmt)
    return buffer.getvalue()


def test_run_query_predeclares_project_prefixes(store):
    codes = [row["code"].value for row in list(run_query(store, STATES))]
    assert {"AR", "BR", "CL"} <= set(codes) and codes == sorted(codes)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_write_result_select_formats_parse_back(store, fmt):
    data = _output(run_query(store, STATES), fmt).decode("utf-8")
    if fmt == "json":
        codes = [b["code"]["value"] for b in json.loads(data)["results"]["bindings"]]
    elif fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        codes = [e.text for e in ElementTree.fromstring(data).findall(".//r:binding[@name='code']/r:literal", ns)]
    elif fmt == "csv":
        codes = [row["code"] for row in csv.DictReader(io.StringIO(data))]
    elif fmt == "tsv":
        codes = [line.split("\t")[1].strip('"') for line in data.splitlines()[1:]]
    else:
        codes = [line.split("|")[1].strip() for line in data.splitlines()[2:]]
    assert "EC" in codes and "MX" in codes and "US" in codes


def test_write_result_construct_as_turtle_parses_back(store):
    result = run_query(store, "CONSTRUCT { ?s inv:iso3166Alpha2 ?c } WHERE { ?s inv:iso3166Alpha2 ?c }")
    graph = rdflib.Graph().parse(data=_output(result, "turtle"), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/inviolable/id/state/ecuador"),
            rdflib.URIRef("https://w3id.org/inviolable/ontology#iso3166Alpha2"), rdflib.Literal("EC")) in graph


def test_write_result_rejects_mismatched_format(store):
    with pytest.raises(QueryFormatError):
        _output(run_query(store, STATES), "turtle")


def test_run_query_reports_syntax_error_at_user_position(store):
    with pytest.raises(SyntaxError, match="at 2:"):
        run_query(store, "SELECT * WHERE {\n  ?s ?p }")


@pytest.mark.parametrize(("fmt", "graph"), [
    (ox.RdfFormat.N_QUADS, None), (ox.RdfFormat.TRIG, None), (ox.RdfFormat.JSON_LD, None),
    (ox.RdfFormat.TURTLE, None), (ox.RdfFormat.TURTLE, "https://w3id.org/inviolable/graph/reference"),
    (ox.RdfFormat.N_TRIPLES, "https://w3id.org/inviolable/graph/reference"),
])
def test_export_parses_back_to_the_same_triples(store, fmt, graph):
    buffer = io.BytesIO()
    export(store, buffer, format=fmt, graph=graph)
    parsed = list(ox.parse(buffer.getvalue(), format=fmt))
    expected = {(q.subject, q.predicate, q.object) for q in store.quads(graph)}
    assert {(q.subject, q.predicate, q.object) for q in parsed} == expected


def test_query_command_reads_stdin_and_prints_csv(built_store_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("ASK { <https://w3id.org/inviolable/id/state/ecuador> ?p ?o }"))
    assert main(["query", "--store", str(built_store_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is True


def test_query_command_reports_parse_errors(built_store_path, capsys):
    assert main(["query", "--store", str(built_store_path), "SELEC nothing"]) == 2
    assert "does not parse" in capsys.readouterr().err


def test_export_command_rejects_unknown_graph(built_store_path, capsys):
    assert main(["export", "--store", str(built_store_path), "--graph", "nope"]) == 2
    assert "no graph" in capsys.readouterr().err


def test_export_leaves_user_graphs_out_unless_asked_and_never_merges_them():
    store = OxigraphStore()
    store.bulk_load(sample_quads())
    note = ox.Quad(ox.NamedNode("http://example.org/n"), ox.NamedNode("http://example.org/p"), ox.Literal("mine"),
                   ox.NamedNode("http://example.org/notes"))
    store.bulk_load([note])
    project = set(ox.parse(export_bytes(store, format=ox.RdfFormat.TRIG), format=ox.RdfFormat.TRIG))
    assert project == set(sample_quads())
    every = set(ox.parse(export_bytes(store, format=ox.RdfFormat.TRIG, user_graphs=True), format=ox.RdfFormat.TRIG))
    assert every == project | {note}
    union = set(ox.parse(export_bytes(store, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.TURTLE))
    assert ox.Triple(note.subject, note.predicate, note.object) not in union
    with pytest.raises(ValueError, match="with their names"):
        export_bytes(store, format=ox.RdfFormat.TURTLE, user_graphs=True)
    mine = export_bytes(store, format=ox.RdfFormat.N_TRIPLES, graph="http://example.org/notes")
    assert mine == b'<http://example.org/n> <http://example.org/p> "mine" .\n'


def test_export_command_adds_user_graphs_only_when_asked(tmp_path, capsys):
    note = ox.Quad(ox.NamedNode("http://example.org/n"), ox.NamedNode("http://example.org/p"), ox.Literal("mine"),
                   ox.NamedNode("http://example.org/notes"))
    path = disk_store(tmp_path / "store", [*sample_quads(), note])
    assert main(["export", "--store", str(path), "--format", "nquads"]) == 0
    assert b"http://example.org/notes" not in capsys.readouterr().out.encode()
    assert main(["export", "--store", str(path), "--format", "nquads", "--user-graphs"]) == 0
    assert note in set(ox.parse(capsys.readouterr().out.encode(), format=ox.RdfFormat.N_QUADS))
    assert main(["export", "--store", str(path), "--format", "turtle", "--user-graphs"]) == 2
    assert "with their names" in capsys.readouterr().err
