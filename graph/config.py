"""Deployment settings, read from ``INVIOLABLE_*`` environment variables with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from graph.namespaces import BASE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DEFAULT_STORE = PROJECT_ROOT / "var" / "store"
DEFAULT_SOURCES = PROJECT_ROOT.parent / "shared" / "seeds"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    """Per-deployment settings; every field can be set by an environment variable."""

    store: Path = field(default_factory=lambda: _env_path("INVIOLABLE_STORE") or DEFAULT_STORE)
    sources: Path | None = field(default_factory=lambda: _env_path("INVIOLABLE_SOURCES") or (
        DEFAULT_SOURCES if DEFAULT_SOURCES.is_dir() else None))
    write_token: str | None = field(default_factory=lambda: os.environ.get("INVIOLABLE_WRITE_TOKEN") or None)
    query_timeout: float = field(default_factory=lambda: float(os.environ.get("INVIOLABLE_QUERY_TIMEOUT", "10")))
    base_iri: str = field(default_factory=lambda: os.environ.get("INVIOLABLE_BASE_IRI", BASE))


def settings() -> Settings:
    """Read the settings from the environment now."""
    return Settings()
