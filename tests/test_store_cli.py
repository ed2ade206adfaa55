"""The command line on the remote engine, as a user runs it: build, query and export with --store URL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli.main import main
from graph.export import export_bytes
from graph.store import open_built_store
from tests.virtuoso import VirtuosoServer


@pytest.fixture()
def remote_env(virtuoso_scratch: VirtuosoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in virtuoso_scratch.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("INVIOLABLE_STORE")
    return virtuoso_scratch.query_url


def test_store_cli_build_query_and_export_on_the_remote_engine(remote_env: str, built_store_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--store", remote_env, "--no-sources", "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    embedded = open_built_store(built_store_path)
    assert summary["store"] == remote_env
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO("ASK { ?s a inv:Incident }"))
        assert main(["query", "--store", remote_env, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is True
    written = built_store_path.parent / "remote.nq"
    assert main(["export", "--store", remote_env, "--format", "nquads", "--output", str(written)]) == 0
    assert written.read_bytes() == export_bytes(embedded, format=ox.RdfFormat.N_QUADS)


def test_store_cli_reports_an_unreachable_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", "http://127.0.0.1:9/sparql", "ASK {}"]) == 2
    assert "cannot reach" in capsys.readouterr().err
