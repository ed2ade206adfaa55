"""The shapes: every shape has a conforming and a violating fixture; the broken-data corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from graph.loader import data_files
from graph.namespaces import SH
from graph.validation import VIOLATION, WARNING
from graph.validation.locations import display_path
from graph.validation.report import short_iri
from graph.validation.shapes import load_shapes
from tests.test_validation_support import CONFORMING, FIXTURES, expectation, validate_fixtures

VIOLATING = sorted((FIXTURES / "violating").glob("*.ttl"))
BROKEN = sorted(p for p in (FIXTURES / "broken").glob("*.ttl") if p.name != "syntax-error.ttl")
NEEDS_DOCUMENT = {"span-hash-mismatch.ttl"}


def _targeted_shapes(shapes: Graph) -> list[URIRef]:
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    return sorted({s for t in targets for s in shapes.subjects(t, None) if isinstance(s, URIRef)})


def _has_focus(shape: URIRef, shapes: Graph, data: Graph) -> bool:
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        if any(next(data.subjects(RDF.type, c), None) is not None for c in classes):
            return True
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        if next(data.subjects(prop, None), None) is not None:
            return True
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        if next(data.objects(None, prop), None) is not None:
            return True
    return next(shapes.objects(shape, SH.targetNode), None) is not None


def test_conforming_fixture_conforms_strictly_with_evidence_checked(tmp_path: Path) -> None:
    report = validate_fixtures(empty_data_dir=tmp_path, evidence=True)
    assert [r for r in report.results if not r.acknowledged] == [], report.to_text()
    assert len(report.acknowledged) == 1
    assert report.passes(strict=True) and report.evidence_checked


def test_conforming_fixture_exercises_every_shape() -> None:
    shapes = load_shapes()
    data = Graph()
    for data_file in data_files(data_dir=Path("/nonexistent")):
        data.parse(data_file.path, format="turtle")
    data.parse(CONFORMING, format="turtle")
    idle = [short_iri(str(s)) for s in _targeted_shapes(shapes) if not _has_focus(s, shapes, data)]
    assert idle == []


def test_violating_fixtures_cover_every_shape() -> None:
    """Every shape with a target has a violating fixture (the corpus counts too)."""
    covered = {expectation(path).shape_iri for path in VIOLATING + BROKEN}
    missing = [short_iri(str(s)) for s in _targeted_shapes(load_shapes()) if str(s) not in covered]
    assert missing == []


def test_every_constraint_has_a_sentence_message() -> None:
    shapes = load_shapes()
    carriers = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    carriers |= {s for s in shapes.subjects(SH.pattern, None) if (s, RDF.type, SH.NodeShape) in shapes}
    assert [s for s in carriers if shapes.value(s, SH.message) is None] == []
    for message in map(str, shapes.objects(None, SH.message)):
        assert message.endswith(".") and (message[0].isupper() or message[0] == "<" or ":" in message.split()[0])


@pytest.mark.parametrize("path", VIOLATING, ids=lambda p: p.stem)
def test_shape_violating_fixture_fails_at_its_line(path: Path, tmp_path: Path) -> None:
    expected = expectation(path)
    report = validate_fixtures(path, empty_data_dir=tmp_path)
    found = [r for r in report.results if short_iri(r.focus) == expected.focus or r.focus.endswith(expected.focus[4:])]
    found = [r for r in found if r.message.startswith(expected.message) and r.shape == expected.shape_iri]
    assert found, report.to_text()
    assert found[0].severity == expected.severity
    assert (found[0].file, found[0].line) == (display_path(path), expected.line)
    strays = [r for r in report.violations if r not in found]
    assert strays == [], report.to_text()
    if expected.severity == VIOLATION:
        assert not report.conforms
    else:
        assert expected.severity == WARNING and report.conforms and not report.passes(strict=True)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_corpus_file_fails_with_its_message_at_its_line(path: Path, tmp_path: Path) -> None:
    expected = expectation(path)
    report = validate_fixtures(path, empty_data_dir=tmp_path, evidence=path.name in NEEDS_DOCUMENT)
    assert not report.conforms
    assert len(report.violations) == 1, report.to_text()
    (result,) = report.violations
    assert short_iri(result.focus) == expected.focus
    assert result.message.startswith(expected.message)
    assert (result.file, result.line) == (display_path(path), expected.line)


def test_broken_corpus_messages_are_distinct() -> None:
    messages = [expectation(path).message for path in BROKEN]
    assert len(set(messages)) == len(messages) == 14


def test_span_hash_mismatch_passes_the_shapes_without_documents(tmp_path: Path) -> None:
    report = validate_fixtures(FIXTURES / "broken" / "span-hash-mismatch.ttl", empty_data_dir=tmp_path)
    assert report.conforms and not report.evidence_checked


def test_shapes_are_valid_shacl() -> None:
    """The shapes conform to the SHACL-for-SHACL shapes that pyshacl ships (meta-validation)."""
    import pyshacl

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=load_shapes(), meta_shacl=True, allow_warnings=True)
    assert conforms, text
