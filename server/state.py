"""What one running server holds: the store, its query workers, and the write lock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app

from graph.build import BUILD_INFO
from graph.store import OxigraphStore, open_built_store, store_directory
from server.errors import ApiError
from server.pool import QueryPool
from server.worker import Outcome, QueryJob

EXTENSION_KEY = "inviolable"


@dataclass
class ServerState:
    """The store, the pool answering queries over it, and what changes when it is written."""

    store: OxigraphStore
    pool: QueryPool
    timeout: float
    max_result_bytes: int
    writable: bool
    lock: threading.RLock = field(default_factory=threading.RLock)
    generation: int = 0
    modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def run(self, job: QueryJob) -> Outcome:
        """Run a query job in a worker under the configured deadline."""
        return self.pool.run(job, timeout=self.timeout)

    def rows(self, sparql: str) -> list[tuple[Any, ...]]:
        """Solutions of a SELECT over the union of all graphs, as tuples of pyoxigraph terms."""
        return self.run(QueryJob(sparql, serialize=False, max_bytes=self.max_result_bytes)).rows

    def changed(self) -> None:
        """Record a committed write: new generation, new date, fresh workers."""
        with self.lock:
            self.generation += 1
            self.modified = datetime.now(UTC).replace(microsecond=0)
        self.pool.refresh()


def _open(store: OxigraphStore | Path, *, writable: bool) -> tuple[OxigraphStore, Any, datetime | None]:
    if isinstance(store, OxigraphStore):
        native = store.native
        return store, (lambda: native), None
    try:
        opened = open_built_store(store, read_only=not writable)
    except FileNotFoundError as error:
        raise ApiError(503, str(error)) from error
    except OSError as error:
        raise ApiError(503, f"cannot open the store at {store}: {error}") from error
    directory = str(store_directory(store))
    info = store / BUILD_INFO
    built = datetime.fromtimestamp(info.stat().st_mtime, UTC).replace(microsecond=0) if info.exists() else None
    return opened, (lambda: ox.Store.read_only(directory)), built


def create_state(app: Flask) -> ServerState:
    """Open the configured store and start its query workers."""
    writable = app.config["WRITE_TOKEN"] is not None
    store, opener, built = _open(app.config["STORE"], writable=writable)
    lock = threading.RLock()
    pool = QueryPool(opener, size=app.config["QUERY_WORKERS"], fork_lock=lock)
    state = ServerState(store=store, pool=pool, timeout=app.config["QUERY_TIMEOUT"],
                        max_result_bytes=app.config["MAX_RESULT_BYTES"], writable=writable, lock=lock)
    if built is not None:
        state.modified = built
    return state


def state() -> ServerState:
    """The state of the application handling the current request."""
    return current_app.extensions[EXTENSION_KEY]
