"""``graph.config.settings``: the one reader of ``INVIOLABLE_*``, here for what ``serve`` listens on."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import build_parser, main
from graph.config import SettingsError, settings


def test_settings_read_where_serve_listens():
    chosen = settings({"INVIOLABLE_HOST": "::1", "INVIOLABLE_PORT": "0", "INVIOLABLE_HTTP_THREADS": "8"})
    assert (chosen.host, chosen.port, chosen.http_threads) == ("::1", 0, 8)
    assert not {"HOST", "PORT", "HTTP_THREADS"} & set(chosen.extras)
    default = settings({})
    assert (default.host, default.port, default.http_threads) == ("127.0.0.1", 8000, 64)


@pytest.mark.parametrize(("name", "value"), [("PORT", "http"), ("PORT", "70000"), ("PORT", "-1"),
                                             ("HTTP_THREADS", "0")])
def test_settings_refuse_an_unusable_listening_value(name, value):
    with pytest.raises(SettingsError, match=f"INVIOLABLE_{name}"):
        settings({f"INVIOLABLE_{name}": value})


def test_serve_options_default_to_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INVIOLABLE_HOST", "0.0.0.0")
    monkeypatch.setenv("INVIOLABLE_PORT", "8123")
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.threads) == ("0.0.0.0", 8123, 64)


def test_a_bad_variable_is_an_error_of_the_command_not_of_the_parser(monkeypatch, capsys, tmp_path: Path):
    monkeypatch.setenv("INVIOLABLE_PORT", "http")
    assert build_parser().parse_args(["locate", "doc", "text"]).document == "doc"
    assert main(["serve", "--store", str(tmp_path / "store")]) == 2
    assert "INVIOLABLE_PORT must be a port number" in capsys.readouterr().err
