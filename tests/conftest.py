"""Shared fixtures: the source documents, the W3C manifests, a built store, and apps closed after use.

Material from ``../shared`` or a system package is optional on a user's machine (the tests
that need it skip, saying why) and mandatory under ``CI=true`` (they fail instead).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.build import build_store
from graph.config import PROJECT_ROOT
from graph.remote_store import RemoteStore
from graph.store import GraphStore, OxigraphStore, open_built_store
from server.app import create_app
from server.testing import sample_store
from tests.virtuoso import VirtuosoServer

SHARED = PROJECT_ROOT.parent / "shared"
# The documents directory: INVIOLABLE_SOURCES when set (a contributor's own documents), else the seeds.
SOURCES = Path(os.environ["INVIOLABLE_SOURCES"]) if os.environ.get("INVIOLABLE_SOURCES") else SHARED / "seeds"
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


# -- apps: made by the test, their query workers stopped by the fixture --------------------------


class MakeApp(Protocol):
    """Make an app from ``config`` with ``factory`` (``create_app``, or the command line's own)."""

    def __call__(self, config: dict[str, Any] | None = None, *,
                 factory: Callable[[dict[str, Any] | None], Flask] = create_app) -> Flask: ...


@contextmanager
def app_maker() -> Iterator[MakeApp]:
    """A ``create_app`` whose apps all have their query workers stopped when the block ends."""
    made: list[Flask] = []

    def make(config: dict[str, Any] | None = None, *,
             factory: Callable[[dict[str, Any] | None], Flask] = create_app) -> Flask:
        app = factory(config)
        made.append(app)
        return app

    try:
        yield make
    finally:
        for app in made:
            app.extensions["inviolable"].pool.close()


@pytest.fixture()
def make_app() -> Iterator[MakeApp]:
    """``create_app`` for one test: every app it made has its query workers stopped when the test ends."""
    with app_maker() as make:
        yield make


@pytest.fixture(scope="module")
def make_module_app() -> Iterator[MakeApp]:
    """``create_app`` for a module's fixtures: the apps' query workers are stopped when the module ends."""
    with app_maker() as make:
        yield make


# -- both engines: the embedded Oxigraph, and Virtuoso through graph.remote_store ----------------

ENGINES = ("oxigraph", "virtuoso")


def _virtuoso_server() -> Iterator[VirtuosoServer]:
    require_executable("virtuoso-t")
    require_executable("isql-vt")
    with VirtuosoServer() as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[VirtuosoServer]:
    """A scratch Virtuoso holding the session's built dataset (read by the competency tests)."""
    yield from _virtuoso_server()


@pytest.fixture(scope="session")
def virtuoso_scratch() -> Iterator[VirtuosoServer]:
    """A second scratch Virtuoso, emptied or reloaded by each module that writes to it."""
    yield from _virtuoso_server()


def remote_store(server: VirtuosoServer) -> RemoteStore:
    """A :class:`RemoteStore` over ``server``, its bulk loader enabled."""
    return RemoteStore(server.query_url, user=server.user, password=server.password,
                       isql=f"127.0.0.1:{server.sql_port}", load_dir=str(server.directory / "load"))


def _engine(request: pytest.FixtureRequest, quads: list[ox.Quad], *, server: str) -> GraphStore:
    if request.param == "oxigraph":
        embedded = OxigraphStore()
        embedded.bulk_load(quads)
        return embedded
    remote = remote_store(request.getfixturevalue(server))
    remote.replace_all(quads)
    return remote


@pytest.fixture(scope="session", params=ENGINES)
def engine_store(request: pytest.FixtureRequest, built_store_path: Path) -> GraphStore:
    """The session's built dataset on each engine."""
    embedded = open_built_store(built_store_path, read_only=True)
    if request.param == "oxigraph":
        return embedded
    return _engine(request, list(embedded.quads()), server="virtuoso")


@pytest.fixture(scope="module", params=ENGINES)
def sample_engine_store(request: pytest.FixtureRequest) -> GraphStore:
    """The server tests' sample dataset (:func:`server.testing.sample_store`) on each engine, fresh per module."""
    return _engine(request, list(sample_store().quads()), server="virtuoso_scratch")


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory: pytest.TempPathFactory, sample_engine_store: GraphStore) -> Iterator[Flask]:
    """A read-only app over the sample dataset on each engine, with two example queries and a 4 KiB body limit."""
    queries = tmp_path_factory.mktemp("queries")
    (queries / "cq-01.rq").write_text("# Which incidents are there?\nSELECT ?i WHERE { ?i a inv:Incident }\n")
    (queries / "cq-02.rq").write_text("# Which states?\nSELECT ?s WHERE { ?s a inv:State }\n")
    with app_maker() as make:
        yield make({"STORE": sample_engine_store, "QUERY_WORKERS": 2, "SOURCES": None, "QUERIES": queries,
                    "MAX_BODY_BYTES": 4096})


@pytest.fixture()
def sample_client(sample_app: Flask) -> FlaskClient:
    """A test client of :func:`sample_app`."""
    return sample_app.test_client()


@pytest.fixture(scope="module", params=ENGINES)
def empty_engine_store(request: pytest.FixtureRequest) -> GraphStore:
    """An empty dataset on each engine, fresh per module."""
    return _engine(request, [], server="virtuoso_scratch")
