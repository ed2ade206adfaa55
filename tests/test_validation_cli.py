"""``inviolable validate``: exit statuses and every output format, parsed back."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from cli.main import main
from graph.namespaces import SH
from graph.validation.locations import display_path
from tests.test_validation_support import CONFORMING, FIXTURES, expectation

BROKEN = FIXTURES / "broken"
ANNOTATION = re.compile(r"^::(error|warning|notice) (?:file=([^,]+),line=(\d+),)?title=[^:]*::(.+)$")


def _validate(tmp_path: Path, *files: Path, options: tuple[str, ...] = ()) -> int:
    empty = tmp_path / "data"
    empty.mkdir(exist_ok=True)
    return main(["validate", "--no-sources", "--data-dir", str(empty), *options, str(CONFORMING),
                 *(str(f) for f in files)])


def test_validate_command_exits_zero_when_conforming(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate(tmp_path) == 0
    out = capsys.readouterr().out
    assert "acknowledged warning: " in out  # the conforming fixture acknowledges one recommendation
    assert out.splitlines()[-1].startswith("conforms: 0 violation(s), 0 warning(s) (1 acknowledged)")


def test_validate_command_exits_one_on_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "missing-incident-date.ttl"
    assert _validate(tmp_path, path) == 1
    out = capsys.readouterr().out
    expected = expectation(path)
    assert f"{display_path(path)}:{expected.line}: violation: {expected.focus}" in out
    assert expected.message in out


def test_validate_command_fails_on_warnings_only_when_strict(tmp_path: Path) -> None:
    path = FIXTURES / "violating" / "RecommendedClaimShape.ttl"
    assert _validate(tmp_path, path) == 0
    assert _validate(tmp_path, path, options=("--strict",)) == 1


def test_validate_command_exits_two_on_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "syntax-error.ttl"
    assert _validate(tmp_path, path, options=("--format", "github")) == 2
    captured = capsys.readouterr()
    assert re.search(rf"{re.escape(display_path(path))}:\d+:\d+: ", captured.err)
    match = re.match(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=unreadable input::", captured.out)
    assert match and match.group(1) == display_path(path)


def test_validate_command_exits_two_on_missing_file(tmp_path: Path) -> None:
    assert _validate(tmp_path, tmp_path / "absent.ttl") == 2


def _report(tmp_path: Path, format: str) -> str:
    output = tmp_path / f"report.{format}"
    status = _validate(tmp_path, BROKEN / "claim-without-claimant.ttl", BROKEN / "duplicate-label-language.ttl",
                       options=("--format", format, "--output", str(output)))
    assert status == 1
    return output.read_text(encoding="utf-8")


def test_validate_turtle_report_parses_as_shacl_report(tmp_path: Path) -> None:
    graph = Graph().parse(data=_report(tmp_path, "turtle"), format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = [r for r in graph.objects(report, SH.result) if graph.value(r, RDFS.comment) is None]
    assert len(results) == 2
    acknowledged = [r for r in graph.objects(report, SH.result) if graph.value(r, RDFS.comment) is not None]
    assert [graph.value(r, SH.resultSeverity) for r in acknowledged] == [SH.Warning]
    for result in results:
        assert graph.value(result, SH.resultSeverity) == SH.Violation
        assert graph.value(result, SH.focusNode) is not None
        assert graph.value(result, SH.sourceConstraintComponent) is not None
        assert str(graph.value(result, SH.resultMessage)).endswith(".")


def test_validate_json_report_lists_file_and_line(tmp_path: Path) -> None:
    document = json.loads(_report(tmp_path, "json"))
    assert document["conforms"] is False and document["violations"] == 2
    located = {(r["file"], r["line"]) for r in document["results"]}
    for name in ("claim-without-claimant.ttl", "duplicate-label-language.ttl"):
        path = BROKEN / name
        assert (display_path(path), expectation(path).line) in located


def test_validate_junit_report_has_a_failure_per_violation(tmp_path: Path) -> None:
    root = ET.fromstring(_report(tmp_path, "junit"))
    assert root.tag == "testsuites" and root.get("failures") == "2"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    path = BROKEN / "claim-without-claimant.ttl"
    failures = list(suites[display_path(path)].iter("failure"))
    assert len(failures) == 1 and failures[0].get("message").startswith("A claim must name its claimant")
    assert suites[display_path(CONFORMING)].find("testcase/failure") is None


def test_validate_github_annotations_point_at_lines(tmp_path: Path) -> None:
    lines = _report(tmp_path, "github").splitlines()
    parsed = [ANNOTATION.match(line) for line in lines]
    assert all(parsed), lines
    errors = {(m.group(2), int(m.group(3))) for m in parsed if m.group(1) == "error"}
    for name in ("claim-without-claimant.ttl", "duplicate-label-language.ttl"):
        path = BROKEN / name
        assert (display_path(path), expectation(path).line) in errors
    assert parsed[-1].group(1) == "notice"
