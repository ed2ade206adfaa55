"""Helpers shared by the validation tests: the fixture files, their headers, and a runner."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from graph.namespaces import INV
from graph.sources import SourceDocument
from graph.validation import ValidationReport, collect_files, validate_files

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
CONFORMING = FIXTURES / "conforming.ttl"
DOCUMENT = FIXTURES / "document.txt"
FIXTURE_SOURCE = "https://w3id.org/inviolable/id/source/validation-fixture"


@dataclass(frozen=True)
class Expectation:
    """What a violating fixture declares in its header comments."""

    path: Path
    shape: str
    severity: str
    focus: str
    message: str
    at: str | None = None

    @property
    def line(self) -> int:
        """The line of the offending triple: the first line from the focus node's first statement on
        that contains the header's ``at`` text, or the statement's first line when there is none."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines, 1):
            if text.startswith(self.focus + " "):
                if self.at is None:
                    return number
                for offset, later in enumerate(lines[number - 1:]):
                    if self.at in later:
                        return number + offset
                raise AssertionError(f"{self.path}: no line after {self.focus} contains {self.at!r}")
        raise AssertionError(f"{self.path} never states {self.focus}")

    @property
    def shape_iri(self) -> str:
        """The shape's full IRI."""
        return str(INV) + self.shape.removeprefix("inv:")


def expectation(path: Path) -> Expectation:
    """Read the ``# key: value`` header of a fixture."""
    header = dict(re.findall(r"^# (\w+): (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE))
    return Expectation(path, header["shape"], header["severity"], header["focus"], header["message"],
                       header.get("at"))


def fixture_manifest() -> dict[str, SourceDocument]:
    """A manifest that knows only the fixture document, with its real hash and length."""
    text = DOCUMENT.read_text(encoding="utf-8")
    return {"validation-fixture": SourceDocument(FIXTURE_SOURCE, "validation-fixture", DOCUMENT.name,
                                                 hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text))}


def validate_fixtures(*paths: Path, empty_data_dir: Path, evidence: bool = False) -> ValidationReport:
    """Validate the conforming fixture with ``paths``, the ontology and nothing else."""
    files = collect_files([CONFORMING, *paths], data_dir=empty_data_dir)
    return validate_files(files, sources=FIXTURES if evidence else None,
                          manifest=fixture_manifest() if evidence else None)
