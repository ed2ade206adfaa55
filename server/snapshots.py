"""Read-only snapshots of a writable on-disk store, for the query workers.

A worker that opens the live store read-only reads its files lazily; when the writer compacts
after a write, files the worker has not opened yet are deleted, and its query fails ("IO error:
No such file … While open a file for random read"). Workers of a writable server therefore open
a snapshot instead: after every committed write the web process makes one (hard links to the
store's files, taken with the write lock held, so it is the state after that write) and the
workers forked afterwards open it. A snapshot is removed once it has been superseded for longer
than the query deadline plus a margin, by which time no worker can still be reading it.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from graph.store import GraphStore, OxigraphStore

MARGIN = 30.0
_REGISTRY: dict[int, Snapshots] = {}


class Snapshots:
    """The snapshots of one store: take one after each write, open the newest in a worker.

    :param store: the writable on-disk store.
    :param keep: seconds a superseded snapshot is kept (the query deadline plus a margin).
    """

    def __init__(self, store: OxigraphStore, *, keep: float) -> None:
        assert store.path is not None
        self.store = store
        self.directory = Path(store.path).parent / "snapshots"
        self.keep = keep
        self._lock = threading.Lock()
        self._number = 0
        self._superseded: list[tuple[float, Path]] = []
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.current = self._take()
        _REGISTRY[id(store)] = self

    def _take(self) -> Path:
        self._number += 1
        target = self.directory / f"{self._number:08d}"
        self.store.snapshot(target)
        return target

    def take(self) -> None:
        """Snapshot the store now (after a write) and remove snapshots superseded long enough ago."""
        with self._lock:
            previous, self.current = self.current, self._take()
            now = time.monotonic()
            self._superseded.append((now, previous))
            while self._superseded and now - self._superseded[0][0] > self.keep:
                _, old = self._superseded.pop(0)
                shutil.rmtree(old, ignore_errors=True)

    def open(self) -> GraphStore:
        """Open the newest snapshot read-only (called in a freshly forked worker)."""
        return OxigraphStore(self.current, read_only=True)


def attach(store: GraphStore, *, writable: bool, timeout: float) -> Snapshots | None:
    """Snapshots for a writable on-disk embedded store, else None (the store's own ``reopen`` is safe)."""
    if not writable or not isinstance(store, OxigraphStore) or store.path is None:
        return None
    return Snapshots(store, keep=timeout + MARGIN)


def after_write(store: GraphStore) -> None:
    """Take a snapshot of ``store`` if it has snapshots (call with the write lock held)."""
    snapshots = _REGISTRY.get(id(store))
    if snapshots is not None:
        snapshots.take()


def reader(store: GraphStore) -> GraphStore:
    """A store to read ``store``'s current state from another process: its newest snapshot, or ``reopen()``."""
    snapshots = _REGISTRY.get(id(store))
    return snapshots.open() if snapshots is not None else store.reopen()
