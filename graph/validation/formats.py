"""Machine-readable forms of a validation report: Turtle, JSON, JUnit XML, GitHub annotations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph.namespaces import PREFIXES, SH, SHAPES

if TYPE_CHECKING:
    from graph.validation.report import ValidationReport, ValidationResult

FORMATS = ("text", "turtle", "json", "junit", "github")


def to_turtle(report: ValidationReport) -> str:
    """A SHACL validation report graph, serialised as Turtle.

    Evidence-span problems, which no shape produces, name the constraint component
    ``<https://w3id.org/inviolable/shapes#EvidenceSpanConstraintComponent>``.
    """
    graph = Graph()
    for name, namespace in PREFIXES.items():
        graph.bind(name, namespace)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        item = BNode()
        graph.add((node, SH.result, item))
        graph.add((item, RDF.type, SH.ValidationResult))
        graph.add((item, SH.focusNode, URIRef(result.focus)))
        graph.add((item, SH.resultSeverity, SH[result.severity]))
        graph.add((item, SH.resultMessage, Literal(result.message, lang="en")))
        graph.add((item, SH.sourceConstraintComponent,
                   URIRef(result.component or str(SHAPES.EvidenceSpanConstraintComponent))))
        if result.shape:
            graph.add((item, SH.sourceShape, URIRef(result.shape)))
        if result.path and result.short_path != result.path:
            graph.add((item, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((item, SH.value, result.value))
        if result.acknowledged:
            graph.add((item, RDFS.comment, Literal(f"acknowledged in the data: {result.acknowledged}", lang="en")))
    return graph.serialize(format="turtle")


def to_json(report: ValidationReport, *, strict: bool = False) -> str:
    """The verdict, the counts and each result with its file and line, as indented JSON.

    ``conforms`` is SHACL's verdict (no violation); ``passes`` is the exit status's (under
    ``strict``, no unacknowledged warning either).
    """
    document = {
        "conforms": report.conforms,
        "passes": report.passes(strict=strict),
        "strict": strict,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "acknowledged": len(report.acknowledged),
        "triples": report.triples,
        "seconds": round(report.seconds, 3),
        "evidenceChecked": report.evidence_checked,
        "results": [
            {"file": r.file, "line": r.line, "severity": r.severity, "focusNode": r.focus, "path": r.path,
             "message": r.message, "value": r.shown_value,
             "sourceShape": r.shape, "constraintComponent": r.component, "acknowledged": r.acknowledged}
            for results in report.by_file().values() for r in results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def to_junit(report: ValidationReport, *, strict: bool = False) -> str:
    """JUnit XML: a test suite per file, a test case per result (failing for violations).

    Warnings are failures only under ``strict``; otherwise they pass with the message as output.
    A file with no result gets one passing test case, so CI dashboards count it.
    """
    root = ET.Element("testsuites", name="inviolable validate")
    groups = report.by_file()
    for file in report.files:
        groups.setdefault(file, [])
    total = failures = 0
    for file, results in sorted(groups.items()):
        suite = ET.SubElement(root, "testsuite", name=file)
        suite_failures = 0
        cases = results or [None]
        for result in cases:
            if result is None:
                ET.SubElement(suite, "testcase", classname=file, name="conforms to the shapes")
                continue
            from graph.validation.report import short_iri

            case = ET.SubElement(suite, "testcase", classname=file,
                                 name=f"line {result.line or 0}: {short_iri(result.focus)} {result.path or ''}".strip())
            if result.severity == "Violation" or (strict and not result.acknowledged):
                failure = ET.SubElement(case, "failure", message=result.message, type=f"sh:{result.severity}")
                failure.text = result.describe()
                suite_failures += 1
            else:
                ET.SubElement(case, "system-out").text = result.describe()
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        total += len(cases)
        failures += suite_failures
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_github(report: ValidationReport, *, strict: bool = False) -> str:
    """GitHub Actions workflow commands, one per result, so a pull request shows each on its line.

    Under ``strict`` a warning is an error, as it fails the step; an acknowledged warning is a notice.
    """
    lines = []
    for results in report.by_file().values():
        for result in results:
            lines.append(_annotation(result, strict=strict))
    lines.append(f"::notice title=inviolable validate::{_escape_data(report.summary(strict=strict))}")
    return "\n".join(lines)


def _annotation(result: ValidationResult, *, strict: bool = False) -> str:
    from graph.validation.report import short_iri

    if result.acknowledged:
        command = "notice"
    elif result.severity == "Violation" or strict:
        command = "error"
    else:
        command = "warning"
    properties = []
    if result.file is not None:
        properties.append(f"file={_escape_property(result.file)}")
        if result.line is not None:
            properties.append(f"line={result.line}")
    title = f"SHACL {result.severity.lower()} on {short_iri(result.focus)}"
    properties.append(f"title={_escape_property(title)}")
    text = result.message
    if result.path:
        text = f"{result.short_path}: {text}"
    if result.shown_value is not None:
        text += f" (value: {result.shown_value})"
    if result.acknowledged:
        text += f" (acknowledged: {result.acknowledged})"
    return f"::{command} {','.join(properties)}::{_escape_data(text)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
