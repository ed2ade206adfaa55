"""Warnings acknowledged in the data with a reason: reported, not counted, and never stale."""

from __future__ import annotations

from pathlib import Path

from graph.validation.report import short_iri
from tests.test_validation_support import FIXTURES, validate_fixtures

WARNING_ONLY = FIXTURES / "violating" / "RecommendedClaimShape.ttl"
SKOS = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


def _with(tmp_path: Path, source: Path, extra: str) -> Path:
    folder = tmp_path / "work"
    folder.mkdir(exist_ok=True)
    path = folder / source.name
    path.write_text(SKOS + source.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return path


def test_acknowledged_warning_counts_neither_as_warning_nor_under_strict(tmp_path: Path) -> None:
    before = validate_fixtures(WARNING_ONLY, empty_data_dir=_empty(tmp_path))
    (warning,) = before.warnings
    assert not before.passes(strict=True)
    path = _with(tmp_path, WARNING_ONLY, f"<{warning.focus}> inv:acknowledgedWarning [\n"
                                          f"    inv:warningProperty <{warning.path}> ;\n"
                                          '    skos:note "The source does not characterise it."@en ] .\n')
    after = validate_fixtures(path, empty_data_dir=_empty(tmp_path))
    assert after.violations == [] and after.warnings == []
    (acknowledged,) = [r for r in after.acknowledged if r.focus == warning.focus]
    assert acknowledged.acknowledged == "The source does not characterise it."
    assert after.passes(strict=True)
    text = after.to_text(strict=True)
    assert "acknowledged warning: " + short_iri(warning.focus) in text
    assert text.splitlines()[-1].startswith("conforms: 0 violation(s), 0 warning(s) (2 acknowledged)")


def test_acknowledgement_that_matches_no_warning_is_a_warning(tmp_path: Path) -> None:
    before = validate_fixtures(WARNING_ONLY, empty_data_dir=_empty(tmp_path))
    (warning,) = before.warnings
    path = _with(tmp_path, WARNING_ONLY, f"<{warning.focus}> inv:acknowledgedWarning [\n"
                                          "    inv:warningProperty <http://purl.org/dc/terms/description> ;\n"
                                          '    skos:note "Stale."@en ] .\n')
    after = validate_fixtures(path, empty_data_dir=_empty(tmp_path))
    messages = sorted(result.message for result in after.warnings)
    assert len(messages) == 2
    assert any("is no longer raised" in message for message in messages)
    stale = next(r for r in after.warnings if "no longer raised" in r.message)
    assert stale.line is not None and "inv:acknowledgedWarning" in path.read_text().splitlines()[stale.line - 1]


def test_acknowledgement_cannot_silence_a_violation(tmp_path: Path) -> None:
    broken = FIXTURES / "broken" / "claim-without-claimant.ttl"
    before = validate_fixtures(broken, empty_data_dir=_empty(tmp_path))
    (violation,) = before.violations
    path = _with(tmp_path, broken, f"<{violation.focus}> inv:acknowledgedWarning [\n"
                                   f"    inv:warningProperty <{violation.path}> ;\n"
                                   '    skos:note "Trying to hide it."@en ] .\n')
    after = validate_fixtures(path, empty_data_dir=_empty(tmp_path))
    assert len(after.violations) == 1 and not after.conforms
