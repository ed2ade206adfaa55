"""The datasets the benchmark runs on: the real graph, and synthetic graphs of chosen sizes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from graph.build import build_store
from graph.store import open_built_store


def real_store(work: Path, *, sources: Path | None = None) -> tuple[Path, Path]:
    """Build the real graph into ``work/real`` and dump it as N-Quads; returns (store, dump).

    :raises BuildError: when the committed data does not build.
    """
    store = work / "real" / "store"
    shutil.rmtree(store, ignore_errors=True)
    build_store(path=store, sources=sources)
    dump = work / "real" / "dataset.nq"
    write_dump(store, dump)
    return store, dump


def write_dump(store: Path, dump: Path) -> int:
    """Write the whole dataset of the built store at ``store`` to ``dump`` as N-Quads; returns its quads."""
    opened = open_built_store(store)
    with dump.open("wb") as output:
        opened.dump(output, format=ox.RdfFormat.N_QUADS)
    return len(opened)
