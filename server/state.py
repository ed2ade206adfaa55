"""What one running server holds: the store, its query workers, and the write lock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from graph.layout import current_generation
from graph.store import BUILD_INFO, GraphStore, OxigraphStore, open_store
from server.cache import forget
from server.errors import ApiError
from server.pool import QueryPool
from server.snapshots import attach
from server.worker import Outcome, QueryJob

EXTENSION_KEY = "inviolable"


@dataclass
class ServerState:
    """The store, the pool answering queries over it, and what changes when it is written."""

    store: GraphStore
    pool: QueryPool
    timeout: float
    max_result_bytes: int
    writable: bool
    lock: threading.RLock = field(default_factory=threading.RLock)
    generation: int = 0
    modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def run(self, job: QueryJob) -> Outcome:
        """Run a query job in a worker under the configured deadline (also handed to the engine)."""
        if job.timeout is None:
            job = replace(job, timeout=self.timeout)
        return self.pool.run(job, timeout=job.timeout)

    def rows(self, sparql: str) -> list[tuple[Any, ...]]:
        """Solutions of a SELECT the server wrote itself (never a client's text), over the union of all
        graphs, as tuples of pyoxigraph terms."""
        return self.run(QueryJob(sparql, serialize=False, max_bytes=self.max_result_bytes, internal=True)).rows

    def changed(self) -> None:
        """Record a committed write: new generation, new date, fresh workers."""
        with self.lock:
            self.generation += 1
            self.modified = datetime.now(UTC).replace(microsecond=0)
            forget(self)  # the results cache (server/cache.py): nothing computed before the write is served
        self.pool.refresh()


def _open(spec: GraphStore | Path | str, *, writable: bool) -> tuple[GraphStore, datetime | None]:
    """The store named by ``spec`` (a store object, a built directory, or a remote engine's URL)."""
    try:
        store = open_store(spec, read_only=not writable)
    except FileNotFoundError as error:
        raise ApiError(503, str(error)) from error
    except (OSError, ValueError) as error:
        raise ApiError(503, f"cannot open the store at {spec}: {error}") from error
    built = None
    if isinstance(spec, Path) and (info := current_generation(spec) / BUILD_INFO).exists():
        built = datetime.fromtimestamp(info.stat().st_mtime, UTC).replace(microsecond=0)
    return store, built


def create_state(app: Flask) -> ServerState:
    """Open the configured store and start its query workers."""
    writable = app.config["WRITE_TOKEN"] is not None
    store, built = _open(app.config["STORE"], writable=writable)
    if hasattr(store, "metadata_timeout"):
        # A remote engine: the reads the web process makes per request are held to the query deadline.
        store.metadata_timeout = min(store.metadata_timeout, app.config["QUERY_TIMEOUT"])
    lock = threading.RLock()
    # Workers of the embedded engine lose the network; a remote engine's workers need it to reach it.
    # Workers of a writable on-disk store open snapshots: the live files vanish as the writer compacts.
    snapshots = attach(store, writable=writable, timeout=app.config["QUERY_TIMEOUT"])
    pool = QueryPool(snapshots.open if snapshots else store.reopen, size=app.config["QUERY_WORKERS"], fork_lock=lock,
                     network=not isinstance(store, OxigraphStore),
                     memory_budget=app.config["QUERY_MEMORY_MB"] * 2**20,
                     slow_after=app.config["SLOW_AFTER"], idle_after=app.config["IDLE_AFTER"],
                     max_slow=app.config["SLOW_LANE"],
                     # Each web process governs its own slow lane: together they keep to the configured share.
                     slow_share=app.config["SLOW_LANE_CPU"] / app.config.get("WEB_PROCESSES", 1),
                     require_sandbox=app.config["REQUIRE_SANDBOX"])
    state = ServerState(store=store, pool=pool, timeout=app.config["QUERY_TIMEOUT"],
                        max_result_bytes=app.config["MAX_RESULT_BYTES"], writable=writable, lock=lock)
    if built is not None:
        state.modified = built
    return state


def state() -> ServerState:
    """The state of the application handling the current request."""
    return current_app.extensions[EXTENSION_KEY]
