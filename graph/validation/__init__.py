"""Validation of the graph: SHACL shapes run with pyshacl, and evidence spans re-checked.

The same code guards ``inviolable build`` and runs in CI as ``inviolable validate``.
"""

from __future__ import annotations

from graph.validation.engine import collect_files, validate_files, validate_quads
from graph.validation.formats import FORMATS
from graph.validation.report import INFO, VIOLATION, WARNING, ValidationReport, ValidationResult

__all__ = ["FORMATS", "INFO", "VIOLATION", "WARNING", "ValidationReport", "ValidationResult", "collect_files",
           "validate_files", "validate_quads"]
