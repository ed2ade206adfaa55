"""Settings read once: a store value means the same to the command line and the server; the
server starts without the build (nor the SHACL engine)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from cli.commands import add_store_option, resolve_store
from graph.config import PROJECT_ROOT, SettingsError, settings
from server.config import configure


def test_store_settings_numeric_store_is_a_path_for_cli_and_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_STORE", "2024")
    parser = argparse.ArgumentParser()
    add_store_option(parser)
    assert resolve_store(parser.parse_args([])) == Path("2024")
    app = Flask(__name__)
    configure(app, None)
    assert app.config["STORE"] == Path("2024")


def test_store_settings_url_selects_the_remote_engine_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_STORE", "http://127.0.0.1:8890/sparql")
    parser = argparse.ArgumentParser()
    add_store_option(parser)
    assert resolve_store(parser.parse_args([])) == "http://127.0.0.1:8890/sparql"
    assert resolve_store(parser.parse_args(["--store", "2025"])) == Path("2025")
    app = Flask(__name__)
    configure(app, None)
    assert app.config["STORE"] == "http://127.0.0.1:8890/sparql"


def test_store_settings_token_and_other_values_keep_their_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_WRITE_TOKEN", "123")
    monkeypatch.setenv("INVIOLABLE_REMOTE_PASSWORD", "true")
    monkeypatch.setenv("INVIOLABLE_REQUIRE_SANDBOX", "true")
    read = settings()
    assert read.write_token == "123" and read.remote.password == "true"
    assert read.extras["REQUIRE_SANDBOX"] is True


def test_store_settings_bad_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVIOLABLE_QUERY_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match="INVIOLABLE_QUERY_TIMEOUT"):
        settings()


def test_store_settings_bad_number_is_a_command_error(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    monkeypatch.setenv("INVIOLABLE_QUERY_TIMEOUT", "soon")
    assert main(["query", "ASK {}"]) == 2
    assert "INVIOLABLE_QUERY_TIMEOUT must be a positive float" in capsys.readouterr().err


def test_store_settings_server_start_loads_neither_build_nor_shacl() -> None:
    probe = "import sys, server.app; print(sorted(m for m in ('graph.build', 'pyshacl') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert done.stdout.strip() == "[]"
