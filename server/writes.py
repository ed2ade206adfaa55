"""Writes in the authorised mode: computed as a delta, guarded, validated, journalled, applied whole.

Every write path (SPARQL Update, Graph Store requests) ends in :func:`commit_delta`:

1. the write becomes a delta without touching the store (:mod:`server.update_runner`: DATA
   operations are read directly, anything else runs under a deadline in a killable process);
2. destructive deltas are refused with 409 (:mod:`server.guards`) unless the server allows them;
3. the dataset after the delta is validated on the part the delta can affect (:mod:`server.validation`);
4. the delta is appended to the journal, durably (:mod:`server.journal`);
5. it is applied in one storage transaction (``GraphStore.apply_delta``): after a crash the
   store holds the state before or after the write, never a part of it.

Writes are serialised by a lock of their own, so a long write never blocks the forking of
query workers (which takes the state's lock only briefly).
"""

from __future__ import annotations

import hmac
import json
import threading
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context, request

from graph import journal
from graph.sources import SourceError
from server import snapshots
from server.bodies import DEFAULT_MAX_DEPTH, check_nesting
from server.errors import ApiError
from server.graphs import gated
from server.guards import DEFAULT_FLOOR, DEFAULT_SHARE, check_destructive
from server.modify import shortcut_for
from server.sparql_text import nesting_depth
from server.state import ServerState
from server.update_runner import Delta, Mutation, data_delta, run_mutation
from server.validation import validate_change

_LOCKS: dict[int, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


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


def write_lock(state: ServerState) -> threading.Lock:
    """The lock that serialises the writes of one server state."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(id(state), threading.Lock())


def _setting(key: str, default: Any) -> Any:
    return current_app.config.get(key, default) if has_app_context() else default


def journal_directory_of(config: Any) -> Path | None:
    """The journal folder for a configuration: ``JOURNAL``, or ``STORE/journal`` for a built store."""
    configured = config.get("JOURNAL")
    if configured:
        return Path(configured)
    store = config.get("STORE")
    return store / "journal" if isinstance(store, Path) else None


def journal_directory() -> Path | None:
    """The journal folder of the running server (see :func:`journal_directory_of`)."""
    return journal_directory_of(current_app.config) if has_app_context() else None


def recover(state: ServerState, directory: Path | None) -> None:
    """Apply the journal's last entry again, so that a crash between journal and store leaves them agreeing.

    Applying a delta twice changes nothing, so this is safe whether or not the crash happened.
    """
    if directory is None or not state.writable:
        return
    last = None
    for path in reversed(journal.entry_paths(directory)):
        last = journal.read_entry(path)
        if last is not None:
            break
    if last is not None:
        with write_lock(state), state.lock:
            state.store.apply_delta(last.removed, last.added)
            snapshots.after_write(state.store)
        state.changed()


def _timeout() -> float:
    return float(_setting("UPDATE_TIMEOUT", None) or _setting("QUERY_TIMEOUT", 10.0))


def _validate(state: ServerState, removed: list[Any], added: list[Any], sources: Path | None) -> None:
    try:
        report = validate_change(state.store, removed, added, sources=sources,
                                 incremental=bool(_setting("INCREMENTAL_VALIDATION", True)))
    except SourceError as error:
        raise ApiError(500, f"the write's evidence could not be re-checked: {error}") from error
    except SyntaxError as error:
        raise ApiError(500, f"the write cannot be validated: the shapes do not parse: {error}") from error
    if not report.conforms:
        details = report.to_json()
        raise ApiError(422, "the write was refused: its result does not conform to the shapes; "
                            "the store is unchanged",
                       details={"report": json.loads(details) if isinstance(details, str) else details})


def commit_delta(state: ServerState, delta: Delta, *, sources: Path | None = None) -> tuple[int, int]:
    """Guard, validate, journal and apply a delta; the caller holds :func:`write_lock`.

    :return: the numbers of quads removed and added.
    :raises ApiError: 409 for a destructive delta, 422 with the report when the result does not conform,
        500 when the evidence cannot be re-checked or the journal cannot be written.
    """
    if not delta:
        return 0, 0
    if not _setting("ALLOW_DESTRUCTIVE", False):
        check_destructive(state.store, delta.removed, delta.added,
                          share=float(_setting("DESTRUCTIVE_SHARE", DEFAULT_SHARE)),
                          floor=int(_setting("DESTRUCTIVE_FLOOR", DEFAULT_FLOOR)))
    # Only project graphs go through the shapes; a user's own graphs are accepted once parsed (server.graphs).
    removed, added = gated(delta.removed), gated(delta.added)
    if removed or added:
        _validate(state, removed, added, sources)
    directory = journal_directory()
    entry = None
    if directory is not None:
        try:
            entry = journal.append(directory, delta.removed, delta.added)
        except OSError as error:
            raise ApiError(500, f"the write was refused: the journal {directory} cannot be written "
                                f"({error}); the store is unchanged") from error
    try:
        with state.lock:
            state.store.apply_delta(delta.removed, delta.added)
            snapshots.after_write(state.store)
    except OSError as error:
        if entry is not None:
            entry.unlink(missing_ok=True)
        raise ApiError(500, f"the write could not be stored ({error}); the store is unchanged") from error
    state.changed()
    return len(delta.removed), len(delta.added)


def commit(state: ServerState, mutate: Mutation, *, sources: Path | None = None,
           graphs: list[str] | None = None) -> tuple[int, int]:
    """Run ``mutate`` on a copy of the data (in a killable process), then commit its delta.

    :param graphs: the named graphs ``mutate`` reads and writes, when known (only they are copied).
    :return: the numbers of quads removed and added.
    :raises ApiError: as :func:`commit_delta`; 503 when the mutation passes the deadline.
    """
    with write_lock(state):
        delta = run_mutation(state.store, mutate, timeout=_timeout(), graphs=graphs)
        return commit_delta(state, delta, sources=sources)


def commit_update(state: ServerState, text: str, *, base_iri: str | None, prefixes: dict[str, str],
                  sources: Path | None = None) -> tuple[int, int]:
    """Commit a SPARQL update: DATA operations read directly, anything else run in a killable process.

    :raises SyntaxError: when the update does not parse (400 through the error mapping).
    :raises ApiError: as :func:`commit`.
    """
    check_nesting(text, limit=int(_setting("MAX_QUERY_DEPTH", DEFAULT_MAX_DEPTH)), what="update",
                  measure=nesting_depth)
    with write_lock(state):
        delta = data_delta(state.store, text, base_iri=base_iri, prefixes=prefixes)
        if delta is None:
            shortcut = shortcut_for(text, base_iri=base_iri, prefixes=prefixes)
            delta = run_mutation(state.store, lambda store: store.update(text, base_iri=base_iri,
                                                                          prefixes=prefixes),
                                 timeout=_timeout(), shortcut=shortcut)
        return commit_delta(state, delta, sources=sources)
