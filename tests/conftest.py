"""Shared fixtures: the source documents, the W3C manifests, and a built store.

Material from ``../shared`` or a system package is optional on a user's machine (the tests
that need it skip, saying why) and mandatory under ``CI=true`` (they fail instead).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from graph.build import build_store
from graph.config import PROJECT_ROOT
from graph.store import OxigraphStore, open_built_store

SHARED = PROJECT_ROOT.parent / "shared"
SOURCES = SHARED / "seeds"
CONFORMANCE = SHARED / "conformance" / "sparql11-protocol"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when ``condition`` is false, or fail it under ``CI=true``."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def require_sources() -> Path:
    """The source documents directory, or skip (fail in CI) when it is absent."""
    require(SOURCES.is_dir(), f"source documents not found at {SOURCES}")
    return SOURCES


def require_conformance() -> Path:
    """The W3C SPARQL 1.1 Protocol manifests, or skip (fail in CI) when absent."""
    require((CONFORMANCE / "manifest.ttl").is_file(), f"W3C protocol manifests not found at {CONFORMANCE}")
    return CONFORMANCE


def require_executable(name: str) -> str:
    """The path of a system program, or skip (fail in CI) when it is not installed."""
    found = shutil.which(name)
    require(found is not None, f"system program {name!r} is not installed")
    return found


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test session from the committed data (evidence checked when possible)."""
    path = tmp_path_factory.mktemp("built") / "store"
    build_store(path=path, sources=SOURCES if SOURCES.is_dir() else None)
    return path


@pytest.fixture(scope="session")
def store(built_store_path: Path) -> OxigraphStore:
    """The session's built store, opened read-only."""
    return open_built_store(built_store_path, read_only=True)
