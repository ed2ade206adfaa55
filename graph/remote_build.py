"""``inviolable build`` into a remote engine: the same build, then a switch on the engine.

The build runs as for the embedded engine (parse, evidence, shapes) into a temporary local store,
so a dataset that fails stops before the engine is touched; its quads are then loaded into the
engine under new graph names and switched in (:func:`graph.remote_load.replace_all`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graph.build import BuildResult, build_store
from graph.config import DATA_DIR
from graph.remote_store import RemoteStore
from graph.store import open_built_store


def build_remote(store: RemoteStore, *, data_dir: Path = DATA_DIR, sources: Path | None = None,
                 progress: Callable[[str], None] = lambda message: None) -> BuildResult:
    """Build the dataset and make it the whole content of the remote ``store``.

    :raises BuildError: when the data does not parse, a span does not resolve or the data does
        not conform (the engine is not touched).
    :raises SourceError: when a document is missing or its hash changed.
    :raises RemoteError: when the engine fails; before the switch its previous data is untouched.
    """
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="inviolable-build-") as scratch:
        result = build_store(data_dir=data_dir, path=Path(scratch) / "store", sources=sources, progress=progress)
        built = open_built_store(result.path, read_only=True)
        progress(f"load {result.summary.total} quads into {store.query_url}")
        store.replace_all(built.quads(), progress=progress)
        del built
    result.seconds = time.perf_counter() - began
    return result
