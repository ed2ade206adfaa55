"""The outcome of a validation: results located in the data files, and its plain-text form."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.namespaces import ID, PREFIXES

VIOLATION = "Violation"
WARNING = "Warning"
INFO = "Info"
NO_FILE = "(no file)"


def short_iri(iri: str) -> str:
    """Write an IRI as the data files do: relative under ``id/``, prefixed where a prefix fits.

    >>> short_iri("https://w3id.org/inviolable/id/state/ecuador")
    '<state/ecuador>'
    >>> short_iri("http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp")
    'sem:hasTimeStamp'
    """
    if iri.startswith(str(ID)):
        return f"<{iri.removeprefix(str(ID))}>"
    for name, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri.removeprefix(namespace)
        if local != iri and local and all(c.isalnum() or c in "-_" for c in local):
            return f"{name}:{local}"
    return f"<{iri}>"


def render_term(term: Node) -> str:
    """Write an RDF term as short Turtle text.

    >>> render_term(Literal("2024"))
    '"2024"'
    >>> render_term(Literal("2024", datatype=XSD.gYear))
    '"2024"^^xsd:gYear'
    """
    if isinstance(term, URIRef):
        return short_iri(str(term))
    if isinstance(term, Literal):
        text = '"' + str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^{short_iri(str(term.datatype))}"
        return text
    if isinstance(term, BNode):
        return "[]"
    return str(term)


@dataclass(frozen=True)
class ValidationResult:
    """One problem found in the data, with where it is stated.

    ``focus`` and ``path`` are full IRIs (``path`` may be a SPARQL property path for complex
    paths); ``value`` is the offending RDF term, if any.
    """

    severity: str
    focus: str
    message: str
    path: str | None = None
    value: Node | None = None
    shape: str | None = None
    component: str | None = None
    file: str | None = None
    line: int | None = None
    acknowledged: str | None = None  # the reason the data gives, for an acknowledged warning

    @property
    def where(self) -> str:
        """``file:line`` of the offending node's first statement, or a placeholder."""
        if self.file is None:
            return NO_FILE
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def describe(self) -> str:
        """One line: where, severity, node, path, message and value."""
        label = f"acknowledged {self.severity.lower()}" if self.acknowledged else self.severity.lower()
        parts = [f"{self.where}: {label}: {short_iri(self.focus)}"]
        if self.path:
            parts.append(f" {self.short_path}")
        parts.append(f": {self.message}")
        if self.shown_value is not None:
            parts.append(f" (value: {self.shown_value})")
        if self.acknowledged:
            parts.append(f" (acknowledged: {self.acknowledged})")
        return "".join(parts)

    @property
    def short_path(self) -> str | None:
        """The property path written short, as in the data files."""
        if self.path is None:
            return None
        return short_iri(self.path) if _is_iri(self.path) else self.path

    @property
    def shown_value(self) -> str | None:
        """The value written short, or None when there is none or it is the focus node itself."""
        if self.value is None or str(self.value) == self.focus:
            return None
        return render_term(self.value)


@dataclass
class ValidationReport:
    """All results of one validation run; it conforms when no result is a violation."""

    results: list[ValidationResult] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)
    evidence_checked: bool = False
    #: Seconds of each step: ``prepare`` (the triples written for the engine), ``shacl`` (the SHACL
    #: engine, its reading of the data included), ``rules store`` and ``rules`` (the whole-graph and
    #: closed-world rules, on a thread beside the engine), ``beside`` (the caller's work after the rules,
    #: while the engine runs), ``results``, ``evidence``, and ``rule <shape>`` for each rule. The engine
    #: overlaps the rules and that work, so the sum exceeds ``seconds``.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def violations(self) -> list[ValidationResult]:
        """The results that make the data non-conforming."""
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Recommendations the data does not follow and does not acknowledge."""
        return [r for r in self.results if r.severity != VIOLATION and not r.acknowledged]

    @property
    def acknowledged(self) -> list[ValidationResult]:
        """Warnings the data acknowledges, each with its reason."""
        return [r for r in self.results if r.severity != VIOLATION and r.acknowledged]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings allowed)."""
        return not self.violations

    def passes(self, *, strict: bool = False) -> bool:
        """True when the data conforms, and under ``strict`` also has no unacknowledged warning."""
        return self.conforms and not (strict and self.warnings)

    def by_file(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by file in file order, then by line."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for result in sorted(self.results, key=_sort_key):
            groups[result.file or NO_FILE].append(result)
        return dict(groups)

    def verdict(self, *, strict: bool = False) -> str:
        """``conforms`` or ``does not conform``, as the exit status says (warnings count under ``strict``)."""
        if not self.conforms:
            return "does not conform"
        if strict and self.warnings:
            return "does not conform (strict: warnings count)"
        return "conforms"

    def summary(self, *, strict: bool = False) -> str:
        """One line: the verdict (under ``strict`` if given) and the counts."""
        evidence = ", evidence spans re-checked" if self.evidence_checked else ""
        acknowledged = f" ({len(self.acknowledged)} acknowledged)" if self.acknowledged else ""
        return (f"{self.verdict(strict=strict)}: {len(self.violations)} violation(s), {len(self.warnings)} "
                f"warning(s){acknowledged} in {self.triples} triples ({self.seconds:.2f} s{evidence})")

    def to_text(self, *, strict: bool = False) -> str:
        """Human-readable text, grouped by file, one line per result, and a summary line."""
        lines = []
        for file, results in self.by_file().items():
            lines.append(file)
            lines.extend(f"  {result.describe()}" for result in results)
        lines.append(self.summary(strict=strict))
        return "\n".join(lines)

    def to_turtle(self) -> str:
        """The report as a SHACL ``sh:ValidationReport`` in Turtle."""
        from graph.validation.formats import to_turtle

        return to_turtle(self)

    def to_json(self, *, strict: bool = False) -> str:
        """The report as JSON: the verdict, counts and every result with its file and line."""
        from graph.validation.formats import to_json

        return to_json(self, strict=strict)

    def to_junit(self, *, strict: bool = False) -> str:
        """The report as JUnit XML: one test suite per file, a failing test case per violation."""
        from graph.validation.formats import to_junit

        return to_junit(self, strict=strict)

    def to_github(self, *, strict: bool = False) -> str:
        """The report as GitHub Actions workflow commands (``::error file=…,line=…::…``)."""
        from graph.validation.formats import to_github

        return to_github(self, strict=strict)


def _is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://")) and not any(c in text for c in " |^*+?()<>!")


def _sort_key(result: ValidationResult) -> tuple:
    return (result.file is None, result.file or "", result.line or 0, result.focus, result.path or "",
            result.message)
