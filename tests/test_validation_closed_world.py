"""Closed-world validation: term lists, triple lines, no tracebacks, a coherent --strict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from graph.config import PROJECT_ROOT
from graph.namespaces import PREFIXES
from graph.validation.generate_terms import GENERATED, write_list
from graph.validation.literals import well_formed
from graph.validation.locations import LocationIndex
from graph.validation.vocabulary_terms import TERMS_DIR, read_term_list, reused_vocabularies
from tests.test_validation_support import CONFORMING, FIXTURES

BROKEN = FIXTURES / "broken"
REUSED = ("sem", "org", "time", "prov", "oa", "eli", "schema", "geo", "dct", "skos", "foaf")


def _cli(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "data"
    empty.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "cli.main", "validate", "--no-sources", "--data-dir", str(empty),
                           *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_term_lists_cover_every_reused_namespace_with_its_project_prefix() -> None:
    lists = {vocabulary.prefix: vocabulary for vocabulary in reused_vocabularies()}
    assert sorted(lists) == sorted(REUSED)
    for prefix, vocabulary in lists.items():
        assert vocabulary.namespace == PREFIXES[prefix], prefix
        assert len(vocabulary.terms) > 10, prefix


def test_term_lists_hold_the_terms_the_data_relies_on() -> None:
    lists = {vocabulary.prefix: vocabulary.terms for vocabulary in reused_vocabularies()}
    for prefix, term in [("sem", "hasTimeStamp"), ("org", "memberDuring"), ("time", "inXSDgYearMonth"),
                         ("prov", "wasDerivedFrom"), ("oa", "TextPositionSelector"), ("eli", "is_part_of"),
                         ("schema", "NewsArticle"), ("geo", "asWKT"), ("dct", "description"),
                         ("skos", "altLabel"), ("foaf", "name")]:
        assert term in lists[prefix], f"{prefix}:{term}"
    assert "hasPalce" not in lists["sem"]


def test_generated_term_lists_match_the_generator(tmp_path: Path) -> None:
    for prefix, namespace in GENERATED.items():
        fresh = read_term_list(write_list(prefix, namespace, tmp_path))
        committed = read_term_list(TERMS_DIR / f"{prefix}.txt")
        assert (fresh.namespace, fresh.terms) == (committed.namespace, committed.terms), prefix


@pytest.mark.parametrize(("text", "datatype", "expected"), [
    ("2024-04-05", "date", True), ("2024-02-29", "date", True), ("2023-02-29", "date", False),
    ("2024-4-5", "date", False), ("2024-13", "gYearMonth", False), ("2024-12", "gYearMonth", True),
    ("April 2024", "gYearMonth", False), ("2024-04-05T24:00:00", "dateTime", True),
    ("2024-04-05T25:00:00", "dateTime", False), ("2024-04-05T22:00:00-05:00", "dateTime", True),
    ("P2Y6M", "duration", True), ("P", "duration", False), ("12", "integer", True), ("twelve", "integer", False),
    ("yes", "boolean", False), ("true", "boolean", True),
])
def test_well_formed_follows_xml_schema_lexical_spaces(text: str, datatype: str, expected: bool) -> None:
    literal = ox.Literal(text, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}"))
    assert well_formed(literal) is expected


def test_location_index_finds_the_line_of_each_triple(tmp_path: Path) -> None:
    path = tmp_path / "a.ttl"
    path.write_text('@base <https://w3id.org/inviolable/id/> .\n'
                    '@prefix inv: <https://w3id.org/inviolable/ontology#> .\n'
                    '<event/x> a inv:RelatedEvent ;\n'
                    '    inv:note """a long\n'
                    'string ; with . punctuation""" ;\n'
                    '    inv:about <event/y> ,\n'
                    '        <event/z> ;\n'
                    '    inv:nested [ inv:inner "v" ] ;\n'
                    '    inv:count 12 .\n', encoding="utf-8")
    index = LocationIndex([path])
    base, inv = "https://w3id.org/inviolable/id/", "https://w3id.org/inviolable/ontology#"
    assert index.locate(base + "event/x", inv + "about", URIRef(base + "event/z")).line == 7
    assert index.locate(base + "event/x", inv + "about", URIRef(base + "event/y")).line == 6
    assert index.locate(base + "event/x", inv + "count", Literal(12)).line == 9
    assert index.locate(base + "event/x", inv + "nested").line == 8
    assert index.locate(base + "event/x", inv + "missing").line == 3
    assert index.locate(base + "event/x", inv + "note", Literal("a long\nstring ; with . punctuation")).line == 4


def test_validate_ill_formed_date_is_reported_without_a_traceback(tmp_path: Path) -> None:
    path = BROKEN / "ill-formed-date.ttl"
    completed = _cli(tmp_path, str(CONFORMING), str(path))
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr and "Traceback" not in completed.stdout
    assert "Failed to convert" not in completed.stderr
    assert 'The value "2030-02-30" is not a valid xsd:date' in completed.stdout


@pytest.mark.parametrize("name", ["dangling-evidence.ttl", "misspelt-class.ttl", "misspelt-optional-predicate.ttl",
                                  "ill-typed-month.ttl", "wrong-datatype-for-property.ttl"])
def test_validate_closed_world_violation_fails_through_the_command_line(tmp_path: Path, name: str) -> None:
    completed = _cli(tmp_path, "--format", "json", str(CONFORMING), str(BROKEN / name))
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    document = json.loads(completed.stdout)
    assert document["conforms"] is False and document["violations"] == 1


@pytest.mark.parametrize("format", ["text", "json", "github", "junit"])
def test_validate_strict_verdict_agrees_with_exit_status(tmp_path: Path, format: str) -> None:
    warning_only = FIXTURES / "violating" / "RecommendedClaimShape.ttl"
    for strict in (False, True):
        options = ["--strict"] if strict else []
        completed = _cli(tmp_path, "--format", format, *options, str(CONFORMING), str(warning_only))
        assert completed.returncode == (1 if strict else 0), completed.stdout
        out = completed.stdout
        if format == "text":
            last = out.strip().splitlines()[-1]
            assert last.startswith("does not conform" if strict else "conforms:"), last
        elif format == "json":
            assert json.loads(out)["passes"] is (not strict)
        elif format == "github":
            assert ("::error " in out) is strict and out.strip().splitlines()[-1].count("does not conform") == strict
        else:
            assert ('failures="1"' in out.splitlines()[1]) is strict
