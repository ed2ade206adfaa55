"""Deployment settings: every ``INVIOLABLE_*`` environment variable is read here, and only here.

The command line and the server both take their defaults from :func:`settings`, so a value means
the same thing to both (``INVIOLABLE_STORE=2024`` is the directory ``2024`` for each of them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.namespaces import BASE, REFERENCE_FOLDER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_DIR = DATA_DIR / REFERENCE_FOLDER
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DEFAULT_STORE = PROJECT_ROOT / "var" / "store"
DEFAULT_SOURCES = PROJECT_ROOT.parent / "shared" / "seeds"

#: A store is a directory made by ``inviolable build`` or, for the remote engine, its SPARQL query URL.
StoreSpec = Path | str


class SettingsError(ValueError):
    """An ``INVIOLABLE_*`` variable holds a value that cannot be used; the message names it."""


def store_spec(value: str | Path) -> StoreSpec:
    """A ``--store`` / ``INVIOLABLE_STORE`` value: an ``http(s)://`` URL stays a string, anything else is a path.

    >>> store_spec("2024")
    PosixPath('2024')
    >>> store_spec("http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql'
    """
    text = str(value)
    return text if text.startswith(("http://", "https://")) else Path(text)


def _number(environ: Mapping[str, str], name: str, default: str, kind: type) -> float | int:
    raw = environ.get(f"INVIOLABLE_{name}", default)
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"INVIOLABLE_{name} must be a positive {kind.__name__}, not {raw!r}")
    return value


def _port(environ: Mapping[str, str], default: int) -> int:
    raw = environ.get("INVIOLABLE_PORT") or str(default)
    # Port 0 asks the system for a free one.
    if not raw.isdigit() or int(raw) > 65535:
        raise SettingsError(f"INVIOLABLE_PORT must be a port number (0 to 65535), not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class RemoteSettings:
    """How to reach a remote engine besides its query URL (Virtuoso's layout when not given).

    ``update_url`` / ``graph_store_url`` default to the query URL's ``/sparql-auth`` and
    ``/sparql-graph-crud-auth`` siblings; ``isql`` (``host:port`` of Virtuoso's SQL port) and
    ``load_dir`` (a directory the engine may read, in its ``DirsAllowed``) enable its bulk loader.
    """

    update_url: str | None = None
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = None
    isql: str | None = None
    load_dir: Path | None = None
    #: Rows past which the engine cuts an HTTP result without saying so (Virtuoso: 1,048,576, or its
    #: ``ResultSetMaxRows`` when lower): a result that reaches it is refused, never taken as complete.
    max_rows: int = 1_048_576


@dataclass(frozen=True)
class Settings:
    """Per-deployment settings, each from an ``INVIOLABLE_*`` variable or its default."""

    store: StoreSpec = DEFAULT_STORE
    sources: Path | None = None
    write_token: str | None = None
    query_timeout: float = 10.0
    base_iri: str = BASE
    query_workers: int = 2
    max_body_bytes: int = 2 * 1024 * 1024
    max_result_bytes: int = 50_000_000
    #: Where ``inviolable serve`` listens, and its request threads.
    host: str = "127.0.0.1"
    port: int = 8000
    http_threads: int = 64
    #: Web processes ``inviolable serve`` runs (``INVIOLABLE_WEB_PROCESSES``); more than one only without writes.
    web_processes: int = 1
    #: The SHACL engine validation uses (``INVIOLABLE_SHACL_ENGINE``), None for the default;
    #: graph.validation.turbo checks the name.
    shacl_engine: str | None = None
    remote: RemoteSettings = field(default_factory=RemoteSettings)
    #: Every other ``INVIOLABLE_*`` variable, by name without the prefix, its value read as JSON when
    #: it is JSON (``true``, ``3``) and as text otherwise; the server takes them as config keys.
    extras: dict[str, object] = field(default_factory=dict)


_KNOWN = {"STORE", "SOURCES", "WRITE_TOKEN", "QUERY_TIMEOUT", "BASE_IRI", "QUERY_WORKERS", "MAX_BODY_BYTES",
          "MAX_RESULT_BYTES", "HOST", "PORT", "HTTP_THREADS", "WEB_PROCESSES", "SHACL_ENGINE", "REMOTE_UPDATE_URL",
          "REMOTE_GRAPH_STORE_URL", "REMOTE_USER", "REMOTE_PASSWORD", "REMOTE_ISQL", "REMOTE_LOAD_DIR",
          "REMOTE_MAX_ROWS"}


def _extras(env: Mapping[str, str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, raw in env.items():
        key = name.removeprefix("INVIOLABLE_")
        if key == name or key in _KNOWN:
            continue
        try:
            found[key] = json.loads(raw)
        except ValueError:
            found[key] = raw
    return found


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or ``environ``) now.

    :raises SettingsError: when a numeric variable is not a positive number.
    """
    env = os.environ if environ is None else environ

    def text(name: str) -> str | None:
        return env.get(f"INVIOLABLE_{name}") or None

    sources = text("SOURCES")
    load_dir = text("REMOTE_LOAD_DIR")
    return Settings(
        store=store_spec(text("STORE") or DEFAULT_STORE),
        sources=Path(sources) if sources else (DEFAULT_SOURCES if DEFAULT_SOURCES.is_dir() else None),
        write_token=text("WRITE_TOKEN"),
        query_timeout=float(_number(env, "QUERY_TIMEOUT", "10", float)),
        base_iri=text("BASE_IRI") or BASE,
        query_workers=int(_number(env, "QUERY_WORKERS", str(max(2, os.cpu_count() or 2)), int)),
        max_body_bytes=int(_number(env, "MAX_BODY_BYTES", str(2 * 1024 * 1024), int)),
        max_result_bytes=int(_number(env, "MAX_RESULT_BYTES", "50000000", int)),
        host=text("HOST") or "127.0.0.1",
        port=_port(env, 8000),
        http_threads=int(_number(env, "HTTP_THREADS", "64", int)),
        web_processes=int(_number(env, "WEB_PROCESSES", "1", int)),
        shacl_engine=text("SHACL_ENGINE"),
        remote=RemoteSettings(update_url=text("REMOTE_UPDATE_URL"), graph_store_url=text("REMOTE_GRAPH_STORE_URL"),
                              user=text("REMOTE_USER"), password=env.get("INVIOLABLE_REMOTE_PASSWORD"),
                              isql=text("REMOTE_ISQL"), load_dir=Path(load_dir) if load_dir else None,
                              max_rows=int(_number(env, "REMOTE_MAX_ROWS", "1048576", int))),
        extras=_extras(env),
    )
