"""The server's one door to the project's validation: SHACL shapes over a whole dataset.

``graph.validation`` is imported when a write arrives, so a server without it still reads,
and a write then fails saying why instead of committing unchecked data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from server.errors import ApiError


class ValidationUnavailable(ApiError):
    """The validation module is missing: writes are refused rather than committed unchecked."""

    def __init__(self, reason: str) -> None:
        super().__init__(503, "writes are disabled because the data cannot be validated: "
                              f"graph.validation is not available ({reason})")


def validate(quads: list[ox.Quad], *, sources: Path | None = None) -> Any:
    """Validate a whole dataset; returns the report (``conforms``, ``to_text()``, ``to_json()``).

    :raises ValidationUnavailable: when ``graph.validation.validate_quads`` cannot be imported.
    """
    try:
        from graph.validation import validate_quads
    except ImportError as error:
        raise ValidationUnavailable(str(error)) from error
    return validate_quads(quads, sources=sources)
