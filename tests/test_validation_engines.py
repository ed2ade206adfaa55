"""pyshacl-turbo (the default engine) against pyshacl (the reference): the same results, fixture by fixture.

The two documented differences (docs/validation.md): for ``sh:lessThanOrEquals`` turbo reports
values of two date datatypes that XML Schema does not order, such as an ``xsd:gYear`` end and an
``xsd:date`` begin, where pyshacl reports nothing; and turbo's ``sh:datatype`` rejects an
ill-formed literal of the right datatype, which pyshacl accepts. Random synthetic graphs, each with a few
triples changed, check the engines beyond the hand-written fixtures.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from bench.synthetic import generate
from graph.loader import DataSyntaxError, parse_file
from graph.namespaces import SH
from graph.validation import ValidationResult, collect_files, validate_quads
from graph.validation.dataset_rules import core_shapes
from graph.validation.engine import _read_results
from graph.validation.shapes import load_shapes
from graph.validation.turbo import ShapesError, engine_name, run_shapes
from tests.test_validation_support import CONFORMING, FIXTURES

FIXTURE_FILES = sorted((FIXTURES / "violating").glob("*.ttl")) + sorted((FIXTURES / "broken").glob("*.ttl"))
LESS_THAN_OR_EQUALS = str(SH.LessThanOrEqualsConstraintComponent)
DATATYPE = str(SH.DatatypeConstraintComponent)


def _key(result: ValidationResult) -> tuple:
    return (result.severity, result.focus, result.path, str(result.value), result.shape, result.component,
            result.message)


def _documented(result: ValidationResult, quads: list[ox.Quad]) -> bool:
    """Whether ``result`` is one of turbo's two documented extra results.

    Those are ``sh:lessThanOrEquals`` between values of two different datatypes, and ``sh:datatype``
    failing a literal that has the required datatype but an ill-formed lexical form.
    """
    if not isinstance(result.value, Literal) or result.path is None:
        return False
    shapes = load_shapes()
    if result.component == DATATYPE:
        required = {str(d) for shape in shapes.subjects(SH.path, URIRef(result.path))
                    for d in shapes.objects(shape, SH.datatype)}
        return str(result.value.datatype) in required
    if result.component != LESS_THAN_OR_EQUALS:
        return False
    others = {str(other) for shape in shapes.subjects(SH.path, URIRef(result.path))
              for other in shapes.objects(shape, SH.lessThanOrEquals)}
    compared = [q.object for q in quads if q.subject.value == result.focus and q.predicate.value in others
                and isinstance(q.object, ox.Literal)]
    return bool(compared) and all(value.datatype.value != str(result.value.datatype) for value in compared)


def _engine_results(quads: list[ox.Quad], engine: str) -> tuple[list[ValidationResult], int]:
    # Every sh:result of the engine's report, read as validate reads it, before locating and de-duplicating.
    shapes = load_shapes()
    graph, triples = run_shapes(quads, core_shapes(shapes), engine=engine)
    return _read_results(graph, shapes), triples


def _compare(quads: list[ox.Quad]) -> tuple[set, set]:
    turbo, turbo_triples = _engine_results(quads, "turbo")
    reference, reference_triples = _engine_results(quads, "pyshacl")
    assert turbo_triples == reference_triples
    extra = {_key(r) for r in turbo if not _documented(r, quads)} - {_key(r) for r in reference}
    return extra, {_key(r) for r in reference} - {_key(r) for r in turbo}


def _fixture_quads(path: Path | None, data_dir: Path) -> tuple[list[ox.Quad], list]:
    files = collect_files([CONFORMING, *([path] if path else [])], data_dir=data_dir)
    return [quad for data_file in files for quad in parse_file(data_file)], files


@pytest.mark.parametrize("path", [None, *FIXTURE_FILES], ids=lambda p: p.stem if p else "conforming")
def test_engines_agree_on_fixture(path: Path | None, tmp_path: Path) -> None:
    try:
        quads, files = _fixture_quads(path, tmp_path)
    except DataSyntaxError:
        pytest.skip("does not parse: no engine runs")
    turbo_only, pyshacl_only = _compare(quads)
    assert not turbo_only, f"only turbo reports {turbo_only}"
    assert not pyshacl_only, f"only pyshacl reports {pyshacl_only}"


def test_engines_give_the_same_located_report(tmp_path: Path) -> None:
    quads, files = _fixture_quads(FIXTURES / "violating" / "IncidentShape.ttl", tmp_path)
    turbo = validate_quads(quads, files=files, engine="turbo")
    reference = validate_quads(quads, files=files, engine="pyshacl")
    assert not turbo.conforms
    assert turbo.to_text().splitlines()[1:-1] == reference.to_text().splitlines()[1:-1]
    assert turbo.triples == reference.triples


def test_engines_documented_difference_is_the_end_year_against_a_begin_date() -> None:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:targetNode <urn:event> ;
            sh:property [ sh:path <urn:begin> ; sh:lessThanOrEquals <urn:end> ] .""", format="turtle")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    event = ox.NamedNode("urn:event")
    for end in ("2029", "2031"):  # before and after the begin date: the two are not ordered either way
        begin = ox.Literal("2030-05-10", datatype=ox.NamedNode(xsd + "date"))
        quads = [ox.Quad(event, ox.NamedNode("urn:begin"), begin),
                 ox.Quad(event, ox.NamedNode("urn:end"), ox.Literal(end, datatype=ox.NamedNode(xsd + "gYear")))]
        turbo = list(run_shapes(quads, shapes, engine="turbo")[0].objects(None, SH.result))
        reference = list(run_shapes(quads, shapes, engine="pyshacl")[0].objects(None, SH.result))
        assert len(turbo) == 1, "turbo no longer reports unordered values: update docs/validation.md and this test"
        assert reference == [], "pyshacl now reports unordered values: update docs/validation.md and this test"


def test_engines_documented_difference_is_an_ill_formed_literal(tmp_path: Path) -> None:
    quads, _ = _fixture_quads(FIXTURES / "broken" / "ill-typed-month.ttl", tmp_path)
    turbo, _ = _engine_results(quads, "turbo")
    reference, _ = _engine_results(quads, "pyshacl")
    extra = [r for r in turbo if _key(r) not in {_key(other) for other in reference}]
    assert extra, "pyshacl now rejects ill-formed literals too: update docs/validation.md and this test"
    assert all(r.component == DATATYPE and _documented(r, quads) for r in extra)


def _mutated(seed: int) -> list[ox.Quad]:
    """A small synthetic graph with three triples dropped, retyped or pointed elsewhere."""
    rng = random.Random(seed)
    quads = generate(2, seed=seed, with_ontology=seed % 2 == 0)
    described = [i for i, q in enumerate(quads) if "/id/" in q.subject.value]
    for index in rng.sample(described, 3):
        quad = quads[index]
        change = rng.choice(("drop", "literal", "iri", "swap"))
        if change == "drop":
            quads[index] = None
            continue
        if change == "literal":
            value = rng.choice([ox.Literal("x"), ox.Literal("2020", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#gYear")), ox.Literal("7", datatype=ox.NamedNode(
                    "http://www.w3.org/2001/XMLSchema#integer")), ox.Literal("texto", language="es")])
        elif change == "iri":
            value = ox.NamedNode(rng.choice(["https://w3id.org/inviolable/id/state/nowhere", "http://example.org/x"]))
        else:
            value = quads[rng.choice(described)].object
        quads[index] = ox.Quad(quad.subject, quad.predicate, value, quad.graph_name)
    return [quad for quad in quads if quad is not None]


@pytest.mark.parametrize("seed", range(12))
def test_engines_agree_on_mutated_synthetic_graph(seed: int) -> None:
    quads = _mutated(seed)
    turbo_only, pyshacl_only = _compare(quads)
    assert not turbo_only, f"seed {seed}: only turbo reports {turbo_only}"
    assert not pyshacl_only, f"seed {seed}: only pyshacl reports {pyshacl_only}"


def test_engines_mutations_do_break_the_shapes() -> None:
    # The random cases must exercise violations, not only conforming graphs.
    broken = sum(not validate_quads(_mutated(seed), engine="turbo").conforms for seed in range(12))
    assert broken >= 6


def test_engine_name_rejects_an_unknown_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_SHACL_ENGINE", "jena")
    with pytest.raises(ValueError, match="INVIOLABLE_SHACL_ENGINE"):
        engine_name()
    monkeypatch.setenv("INVIOLABLE_SHACL_ENGINE", "PySHACL")
    assert engine_name() == "pyshacl"
    monkeypatch.delenv("INVIOLABLE_SHACL_ENGINE")
    assert engine_name() == "turbo"


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_run_shapes_rejects_invalid_shapes(engine: str) -> None:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:property [ sh:path <urn:p> ; sh:minCount "many" ] .""",
                           format="turtle")
    quad = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("v"))
    with pytest.raises(ShapesError):
        run_shapes([quad], shapes, engine=engine)


def test_validate_command_names_an_unknown_engine_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    monkeypatch.setenv("INVIOLABLE_SHACL_ENGINE", "jena")
    (tmp_path / "data").mkdir()
    status = main(["validate", "--no-sources", "--data-dir", str(tmp_path / "data"), str(CONFORMING)])
    err = capsys.readouterr().err
    assert status == 2
    assert "unknown SHACL engine 'jena'" in err and "Traceback" not in err


def _whole_graph_reference(quads: list[ox.Quad]) -> set:
    """The whole-graph constraints as SHACL defines them: evaluated by pyshacl once per focus node."""
    from graph.validation.dataset_rules import DATASET_NODE, _whole_graph_constraints

    shapes = load_shapes()
    moved = _whole_graph_constraints(shapes)
    dataset_shapes = set(shapes.subjects(SH.targetNode, URIRef(DATASET_NODE)))
    every_core_constraint = Graph()
    for triple in shapes:
        if triple[0] not in dataset_shapes:
            every_core_constraint.add(triple)
    graph, _ = run_shapes(quads, every_core_constraint, engine="pyshacl")
    owners = {str(shape) for shape, _ in moved}
    return {_key(r) for r in _read_results(graph, shapes)
            if r.shape in owners and r.component == str(SH.SPARQLConstraintComponent)}


def _whole_graph_results(quads: list[ox.Quad]) -> set:
    from graph.validation.dataset_rules import dataset_rules, run_dataset_rules

    rules = [rule for rule in dataset_rules(load_shapes()) if getattr(rule, "focus", None) == "this"]
    return {_key(r) for r in run_dataset_rules(quads, rules)}


def _relabelled(seed: int) -> list[ox.Quad]:
    """A small synthetic graph where some nodes get a second label in a variant of a language they have."""
    rng = random.Random(seed)
    quads = generate(2, seed=seed)
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    labelled = [q for q in quads if q.predicate.value == label]
    for quad in rng.sample(labelled, 3):
        tag = rng.choice(["en-GB", "EN", "es-x-scr", "fr"])
        quads.append(ox.Quad(quad.subject, quad.predicate, ox.Literal(f"other {seed}", language=tag), quad.graph_name))
    return quads


LABEL_FIXTURES = [FIXTURES / "violating" / "LabelShape-language-variants.ttl",
                  FIXTURES / "broken" / "duplicate-label-language.ttl"]


@pytest.mark.parametrize("path", [None, *LABEL_FIXTURES], ids=lambda p: p.stem if p else "conforming")
def test_whole_graph_constraint_finds_what_per_focus_evaluation_finds_on_fixture(path: Path | None,
                                                                                 tmp_path: Path) -> None:
    quads, _ = _fixture_quads(path, tmp_path)
    reference = _whole_graph_reference(quads)
    assert _whole_graph_results(quads) == reference
    assert bool(reference) is (path is not None), "the fixture must exercise the constraint"


@pytest.mark.parametrize("seed", range(4))
def test_whole_graph_constraint_finds_what_per_focus_evaluation_finds_on_relabelled_graph(seed: int) -> None:
    quads = _relabelled(seed)
    assert _whole_graph_results(quads) == _whole_graph_reference(quads)


def test_whole_graph_constraint_is_left_out_of_the_engine_and_still_fails_a_graph() -> None:
    from graph.validation.dataset_rules import _whole_graph_constraints

    shapes = load_shapes()
    moved = _whole_graph_constraints(shapes)
    assert [str(shape) for shape, _ in moved] == ["https://w3id.org/inviolable/ontology#LabelShape"]
    assert not set(core_shapes(shapes).objects(None, SH.sparql)), "the engine would run it once per node again"
    node, label = ox.NamedNode("https://w3id.org/inviolable/id/state/x"), ox.NamedNode(
        "http://www.w3.org/2000/01/rdf-schema#label")
    quads = [ox.Quad(node, label, ox.Literal("X", language="en")),
             ox.Quad(node, label, ox.Literal("Ex", language="en-GB"))]
    report = validate_quads(quads)
    found = [r for r in report.violations if r.shape == str(moved[0][0])]
    assert len(found) == 1 and found[0].focus == node.value and found[0].path == label.value
