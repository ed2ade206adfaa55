"""Writes in the authorised mode: applied to a copy, validated, then committed or refused whole.

A write is tried on an in-memory copy of the dataset; the result goes through the shapes; only a
conforming result is committed, as the difference between before and after, so the store is
never left half-written or non-conforming.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from flask import request

from graph.sources import SourceError
from server.errors import ApiError
from server.state import ServerState
from server.validation import validate

Mutation = Callable[[ox.Store], None]


def require_token(token: str | None) -> None:
    """Refuse the request (403) unless writes are enabled and it bears the configured token.

    :raises ApiError: 403 with the reason.
    """
    if token is None:
        raise ApiError(403, "this server is read-only: SPARQL Update and Graph Store writes are disabled")
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise ApiError(403, "writes need the server's bearer token in an 'Authorization: Bearer …' header",
                       headers={"WWW-Authenticate": 'Bearer realm="inviolable"'})


def commit(state: ServerState, mutate: Mutation, *, sources: Path | None = None) -> tuple[int, int]:
    """Apply ``mutate`` to a copy of the dataset, validate the result, and commit it if it conforms.

    :return: the numbers of quads removed and added.
    :raises ApiError: 422 with the validation report when the result does not conform; 400 when the
        mutation itself fails (a SyntaxError becomes 400 through the error mapping).
    """
    native = state.store.native
    with state.lock:
        before = set(native.quads_for_pattern(None, None, None, None))
        scratch = ox.Store()
        scratch.extend(before)
        mutate(scratch)
        after = set(scratch.quads_for_pattern(None, None, None, None))
        removed, added = before - after, after - before
        if not removed and not added:
            return 0, 0
        try:
            report = validate(sorted(after, key=str), sources=sources)
        except SourceError as error:
            raise ApiError(500, f"the write's evidence could not be re-checked: {error}") from error
        except SyntaxError as error:
            raise ApiError(500, f"the write cannot be validated: the shapes do not parse: {error}") from error
        if not report.conforms:
            details = report.to_json()
            raise ApiError(422, "the write was refused: its result does not conform to the shapes; "
                                "the store is unchanged",
                           details={"report": json.loads(details) if isinstance(details, str) else details})
        for quad in removed:
            native.remove(quad)
        native.extend(added)
        state.store.flush()
    state.changed()
    return len(removed), len(added)
