"""The results cache: hits without a worker, invalidation by writes, validators and 304s, eviction, the switch;
and the source manifest, parsed once per version of its file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from graph.sources import load_manifest
from graph.store import OxigraphStore
from server.app import create_app
from server.cache import Entry, ResultCache, make_key, normalise

TOKEN = "cache-test-token"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> %d } }"
JSON = {"Accept": "application/sparql-results+json"}


def _app(**config: Any) -> Flask:
    return create_app({"STORE": OxigraphStore(), "WRITE_TOKEN": TOKEN, "QUERY_WORKERS": 1, "SOURCES": None,
                       **config})


@pytest.fixture()
def app() -> Iterator[Flask]:
    application = _app()
    yield application
    application.extensions["inviolable"].pool.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _count(client: FlaskClient, text: str = COUNT, **headers: str) -> Any:
    response = client.get(f"/sparql?query={quote(text)}", headers={**JSON, **headers})
    assert response.status_code in (200, 304), response.get_data(as_text=True)
    return response


def _write(client: FlaskClient, value: int) -> None:
    response = client.post("/sparql", data=INSERT % value, headers={"Content-Type": "application/sparql-update",
                                                                    "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)


def _no_workers(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def refuse(job: Any) -> Any:
        calls.append(job.sparql)
        raise AssertionError("the query reached a worker")

    monkeypatch.setattr(app.extensions["inviolable"], "run", refuse)
    return calls


def test_cache_hit_answers_without_a_worker(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _count(client)
    _no_workers(app, monkeypatch)
    again = _count(client)
    respaced = _count(client, "SELECT (COUNT(*) AS ?n)\n  WHERE {  ?s ?p ?o }  # every triple")
    assert again.get_data() == respaced.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert app.extensions["inviolable"].result_cache.hits == 2


def test_cache_key_keeps_format_dataset_and_string_spacing_apart(client: FlaskClient) -> None:
    as_json = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON)
    as_csv = client.get(f"/sparql?query={quote(COUNT)}", headers={"Accept": "text/csv"})
    assert as_json.content_type.startswith("application/sparql-results+json")
    assert as_csv.content_type.startswith("text/csv") and as_csv.get_data() != as_json.get_data()
    named = client.get(f"/sparql?query={quote(COUNT)}&default-graph-uri={quote('http://example.org/none')}",
                       headers=JSON)
    assert named.status_code == 200
    assert normalise('ASK { ?s ?p "a  b" }') != normalise('ASK { ?s ?p "a b" }')
    base = {"dataset": (), "formats": (), "base_iri": ""}
    assert make_key("ASK { ?s ?p ?o }", version="1", **base) != make_key("ASK { ?s ?p ?o }", version="2", **base)


def _counting(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    state = app.extensions["inviolable"]
    run = state.run

    def counted(job: Any) -> Any:
        calls.append(job.sparql)
        return run(job)

    monkeypatch.setattr(state, "run", counted)
    return calls


def test_cache_write_invalidates(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(app, monkeypatch)
    _count(client)
    _count(client)
    assert len(calls) == 1
    _write(client, 1)
    assert len(app.extensions["inviolable"].result_cache) == 0
    _count(client)
    assert len(calls) == 2, "the answer computed before the write was served after it"
    _count(client)
    assert len(calls) == 2


def test_cache_validators_answer_304_until_a_write(app: Flask, client: FlaskClient,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first = _count(client)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    unchanged = _count(client, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert _count(client, **{"If-Modified-Since": modified}).status_code == 304
    assert _count(client, **{"If-None-Match": '"something-else"'}).status_code == 200
    calls = _counting(app, monkeypatch)
    _write(client, 3)
    _count(client, **{"If-None-Match": etag})
    assert calls == [COUNT], "a conditional request after a write must be checked against fresh results"


def test_cache_evicts_least_recently_used() -> None:
    cache = ResultCache(max_bytes=44)  # four entries of a 10-byte body under a 1-character key
    for name in "abcd":
        cache.put(name, Entry(b"x" * 10, "text/plain", f'"{name}"'))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("e", Entry(b"x" * 10, "text/plain", '"e"'))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("e") is not None
    assert cache.size <= 44 and len(cache) == 4
    cache.put("big", Entry(b"x" * 9, "text/plain", '"big"'))  # with its key, over a quarter: not kept
    assert cache.get("big") is None


def test_cache_counts_key_texts_against_its_bound() -> None:
    """Long queries with tiny answers cannot grow the cache past its bound through their keys."""
    cache = ResultCache(max_bytes=40_000)
    for number in range(100):
        text = f'ASK {{ ?s ?p "{"x" * 5_000}" . ?s ?p {number} }}'
        cache.put(make_key(text, dataset=(), formats=(), base_iri="", version="1"),
                  Entry(b"true", "text/plain", f'"{number}"'))
    assert 0 < len(cache) <= 8 and cache.size <= 40_000


def test_cache_bounded_in_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    application = _app(RESULT_CACHE_MB=0.001)  # about 1 kB
    try:
        client = application.test_client()
        for limit in range(1, 40):
            _count(client, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limit}")
        cache = application.extensions["inviolable"].result_cache
        assert 0 < len(cache) < 39 and cache.size <= cache.max_bytes
    finally:
        application.extensions["inviolable"].pool.close()


@pytest.mark.parametrize("switch", [{"RESULT_CACHE": 0}, {"env": "0"}, {"env": "off"}])
def test_cache_off_switch_sends_every_query_to_a_worker(switch: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    if "env" in switch:
        monkeypatch.setenv("INVIOLABLE_RESULT_CACHE", switch["env"])
    application = _app(**{k: v for k, v in switch.items() if k != "env"})
    try:
        client = application.test_client()
        calls = _counting(application, monkeypatch)
        first = _count(client)
        _count(client)
        assert calls == [COUNT, COUNT]
        assert _count(client, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
        assert getattr(application.extensions["inviolable"], "result_cache", None) is None
        assert first.headers["ETag"] and first.headers["Last-Modified"]
    finally:
        application.extensions["inviolable"].pool.close()


def test_cache_control_is_configurable() -> None:
    application = _app(RESULT_CACHE_CONTROL="public, max-age=60")
    try:
        assert _count(application.test_client()).headers["Cache-Control"] == "public, max-age=60"
    finally:
        application.extensions["inviolable"].pool.close()


def test_manifest_parsed_once_per_file_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = tmp_path / "sources.ttl"
    entry = """@prefix inv: <https://w3id.org/inviolable/ontology#> .
<https://w3id.org/inviolable/id/source/a> a inv:SourceDocument ; inv:fileName "a.txt" ;
    inv:sha256 "%s" ; inv:characterCount %d ."""
    manifest.write_text(entry % ("0" * 64, 1))
    parses: list[object] = []
    parse = rdflib.Graph.parse

    def counted(self: rdflib.Graph, *args: Any, **kwargs: Any) -> Any:
        parses.append(args)
        return parse(self, *args, **kwargs)

    monkeypatch.setattr(rdflib.Graph, "parse", counted)
    assert [load_manifest(manifest)["a"].character_count for _ in range(5)] == [1] * 5
    assert len(parses) == 1
    load_manifest(manifest).clear()  # a caller's copy: the cached manifest is not touched
    manifest.write_text(entry % ("0" * 64, 22))
    os.utime(manifest, ns=(1, 10**18))
    assert load_manifest(manifest)["a"].character_count == 22 and len(parses) == 2
