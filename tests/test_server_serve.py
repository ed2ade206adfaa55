"""``inviolable serve`` for real: gunicorn on loopback over an on-disk store, then stopped."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from cli.commands import CommandError
from cli.commands.serve import ensure_built
from cli.main import build_parser
from graph.build import BuildError
from graph.store import OxigraphStore, store_directory
from server.testing import SAMPLE_TRIG

TOKEN = "serve-token"
INVIOLABLE = str(Path(sys.executable).with_name("inviolable"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _disk_store(path: Path, *, sample: bool = True) -> Path:
    store_directory(path).mkdir(parents=True)
    store = OxigraphStore(store_directory(path))
    if sample:
        store.load(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG)
    else:
        store.load(b"<http://e/s> <http://e/p> \"1\" .", format=ox.RdfFormat.N_TRIPLES, graph="http://e/start")
    store.flush()
    del store
    return path


def _get(port: int, path: str, *, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture()
def served(tmp_path: Path) -> tuple[int, subprocess.Popen]:  # type: ignore[type-arg]
    store, port = _disk_store(tmp_path / "store", sample=False), _free_port()
    environment = {**os.environ, "INVIOLABLE_WRITE_TOKEN": TOKEN, "INVIOLABLE_QUERY_WORKERS": "2"}
    process = subprocess.Popen([INVIOLABLE, "serve", "--store", str(store), "--port", str(port)],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(port, "/sparql?query=ASK%20%7B%7D")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_gunicorn_answers_and_sees_its_own_writes(served: tuple[int, subprocess.Popen]) -> None:  # type: ignore[type-arg]
    port, process = served
    ask = quote("ASK { <http://e/doc> a <http://xmlns.com/foaf/0.1/Document> }")
    status, body = _get(port, f"/sparql?query={ask}")
    assert status == 200 and json.loads(body)["boolean"] is False
    write = (b"INSERT DATA { GRAPH <https://w3id.org/inviolable/graph/notes> "
             b"{ <http://e/doc> a <http://xmlns.com/foaf/0.1/Document> } }")
    status, body = _get(port, "/sparql", method="POST", body=write,
                        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body
    for _ in range(3):
        status, body = _get(port, f"/sparql?query={ask}")
        assert status == 200 and json.loads(body)["boolean"] is True
    status, body = _get(port, "/graph-store?graph=http://e/other", method="PUT", body=b"<http://e/x> <http://e/y> 1 .",
                        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    assert status == 201, body
    status, body = _get(port, "/graph-store?graph=http://e/other", headers={"Accept": "application/n-triples"})
    assert status == 200 and body == b"<http://e/x> <http://e/y> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    assert process.poll() is None


def test_serve_get_reads_a_disk_store(tmp_path: Path) -> None:
    store = _disk_store(tmp_path / "store")
    done = subprocess.run([INVIOLABLE, "serve", "--store", str(store), "--accept", "text/turtle",
                           "--get", "/id/state/atlantis"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Atlántida" in done.stdout


def test_serve_prints_its_url(tmp_path: Path) -> None:
    store, port = _disk_store(tmp_path / "store"), _free_port()
    process = subprocess.Popen([INVIOLABLE, "serve", "--store", str(store), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_serve_defaults_to_localhost_8000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INVIOLABLE_HOST", raising=False)
    monkeypatch.delenv("INVIOLABLE_PORT", raising=False)
    args = build_parser().parse_args(["serve", "--build-if-needed"])
    assert (args.host, args.port, args.build_if_needed) == ("127.0.0.1", 8000, True)


def test_serve_build_if_needed_keeps_serving_the_previous_store(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_build(**_: object) -> None:
        raise BuildError("the data does not conform to the shapes:")

    monkeypatch.setattr("graph.build.is_current", lambda path: False)
    monkeypatch.setattr("graph.build.build_store", failing_build)
    with pytest.raises(CommandError, match="the build failed"):
        ensure_built(tmp_path / "missing", None, log=lambda line: None)
    logged: list[str] = []
    assert ensure_built(_disk_store(tmp_path / "store"), None, log=logged.append) is False
    assert any("serving the previous store" in line for line in logged)


def test_serve_without_a_store_says_how_to_build_one(tmp_path: Path) -> None:
    done = subprocess.run([INVIOLABLE, "serve", "--store", str(tmp_path / "none"),
                           "--get", "/"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "inviolable build" in done.stderr
