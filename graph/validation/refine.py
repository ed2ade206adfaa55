"""The last step of a validation: one result per mistake, and acknowledged warnings marked.

An ill-formed literal (``"2024-13"^^xsd:gYearMonth``) fails both the closed-world lexical check
and, with engines that test lexical forms, the shape's ``sh:datatype``; the closed-world result
says what is wrong, so the shape's result for the same triple is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from graph.namespaces import INV, SH
from graph.validation.acknowledgements import acknowledge
from graph.validation.report import ValidationResult

LEXICAL_FORM_SHAPE = str(INV.LexicalFormShape)
DATATYPE_COMPONENT = str(SH.DatatypeConstraintComponent)


def refine(results: Sequence[ValidationResult], quads: Iterable[ox.Quad]) -> list[ValidationResult]:
    """``results`` without duplicate datatype results, with acknowledged warnings marked."""
    ill_formed = {(r.focus, r.path, r.value) for r in results if r.shape == LEXICAL_FORM_SHAPE}
    kept = [r for r in results
            if not (r.component == DATATYPE_COMPONENT and (r.focus, r.path, r.value) in ill_formed)]
    return acknowledge(kept, quads)


__all__ = ["refine"]
