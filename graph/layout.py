"""Where a built store keeps its files, and how a new build is swapped in with one atomic rename.

A store folder made by ``inviolable build``::

    STORE/.inviolable-store        marker: this folder is a store the project built
    STORE/current -> generations/20261201T230000-1234   symlink, replaced atomically by each build
    STORE/generations/<id>/oxigraph/   the Oxigraph files of one build
    STORE/generations/<id>/build.json  what that build was made from
    STORE/journal/                 the write journal (kept across builds)

Stores built before generations existed (``STORE/oxigraph`` and ``STORE/build.json``) are still
read, and are turned into the layout above by the next build.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

MARKER = ".inviolable-store"
CURRENT = "current"
GENERATIONS = "generations"
LEGACY_FILES = ("oxigraph", "build.json")


class NotAStore(Exception):
    """A path given as a store holds something else; nothing there is touched."""


def current_generation(path: Path) -> Path:
    """The folder of the store's current build: the resolved ``current`` link, or ``path`` itself
    for a store of the older, flat layout (or one not built yet)."""
    link = path / CURRENT
    if link.is_symlink() or link.is_dir():
        return (path / os.readlink(link)) if link.is_symlink() else link
    return path


def is_legacy_store(path: Path) -> bool:
    """True for a store of the flat layout: ``oxigraph/`` and a ``build.json`` the build wrote."""
    try:
        info = json.loads((path / "build.json").read_text())
    except (OSError, ValueError):
        return False
    return (path / "oxigraph").is_dir() and isinstance(info, dict) and "inputs" in info


def check_target(path: Path) -> None:
    """Accept as a build target only a missing path, an empty folder, or a store the project built.

    :raises NotAStore: for a regular file, or a folder with other content, saying what was found.
    """
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir():
        raise NotAStore(f"{path} exists and is not a folder; refusing to replace it with a store "
                        "(give --store a new path or a store made by `inviolable build`)")
    if (path / MARKER).is_file() or is_legacy_store(path) or not any(path.iterdir()):
        return
    shown = ", ".join(sorted(p.name for p in path.iterdir())[:5])
    raise NotAStore(f"{path} is a folder that `inviolable build` did not make (it holds {shown}…); "
                    "refusing to touch it: give --store a new path or a store made by `inviolable build`")


def new_generation(path: Path, name: str) -> Path:
    """Create the folder of a new generation under ``path`` (marking ``path`` as a store)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("A store made by `inviolable build`; see docs/build.md.\n")
    generation = path / GENERATIONS / name
    generation.mkdir(parents=True)
    return generation


def swap_in(path: Path, generation: Path) -> None:
    """Make ``generation`` current with one atomic rename of a symlink, then remove older builds.

    Until the rename, readers resolve the old generation; after it, the new one. Older generations
    are removed only after the swap, so a crash at any moment leaves a complete current store; the
    generation current until now is kept too, so that a server still open on it keeps answering
    until it is restarted (it is removed by the build after this one).
    """
    previous = current_generation(path)
    staged = path / f".{CURRENT}.new-{os.getpid()}"
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(generation.relative_to(path))
    os.replace(staged, path / CURRENT)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    keep = {generation.resolve(), previous.resolve()}
    for old in sorted((path / GENERATIONS).iterdir()):
        if old.resolve() not in keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    if previous.resolve() != path.resolve():
        for name in LEGACY_FILES:
            legacy = path / name
            if legacy.is_dir() and not legacy.is_symlink():
                shutil.rmtree(legacy, ignore_errors=True)
            elif legacy.is_file():
                legacy.unlink()
