"""``inviolable serve`` for real: gunicorn on loopback over an on-disk store, then stopped."""

from __future__ import annotations

import http.client
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from cli.commands import CommandError
from cli.commands.serve import ensure_built
from cli.main import build_parser
from graph.build import BuildError
from server.testing import INVIOLABLE, ServedProcess, disk_store

TOKEN = "serve-token"


#: The store the gunicorn test starts from: one statement in a user graph.
START = [ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("1"), ox.NamedNode("http://e/start"))]


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
def served(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen]]:  # type: ignore[type-arg]
    store = disk_store(tmp_path / "store", START)
    with ServedProcess(store, environment={"INVIOLABLE_WRITE_TOKEN": TOKEN, "INVIOLABLE_QUERY_WORKERS": "2"}) as server:
        assert server.process is not None
        yield server.port, server.process


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
    store = disk_store(tmp_path / "store")
    done = subprocess.run([INVIOLABLE, "serve", "--store", str(store), "--accept", "text/turtle",
                           "--get", "/id/state/atlantis"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Atlántida" in done.stdout


def test_serve_prints_its_url(tmp_path: Path) -> None:
    with ServedProcess(disk_store(tmp_path / "store"), capture_stdout=True) as server:
        line = server.stdout.readline()
    assert f"http://127.0.0.1:{server.port}/" in line


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
    assert ensure_built(disk_store(tmp_path / "store"), None, log=logged.append) is False
    assert any("serving the previous store" in line for line in logged)


def test_serve_without_a_store_says_how_to_build_one(tmp_path: Path) -> None:
    done = subprocess.run([INVIOLABLE, "serve", "--store", str(tmp_path / "none"),
                           "--get", "/"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "inviolable build" in done.stderr


def test_serve_refuses_several_processes_with_writes_or_fewer_than_one() -> None:
    from cli.commands.serve import check_processes

    check_processes({}, 1)
    check_processes({"WRITE_TOKEN": None}, 2)
    with pytest.raises(CommandError, match="single web process"):
        check_processes({"WRITE_TOKEN": TOKEN}, 2)
    with pytest.raises(CommandError, match="at least 1"):
        check_processes({}, 0)


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(path.parent.name))
    return found


def test_serve_with_two_processes_holds_a_client_to_one_share_across_them(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q } # "
    environment = {"INVIOLABLE_WEB_PROCESSES": "2", "INVIOLABLE_CLIENT_QUERIES": "1", "INVIOLABLE_QUERY_TIMEOUT": "4",
                   "INVIOLABLE_QUERY_WORKERS": "1"}
    with ServedProcess(disk_store(tmp_path / "store"), environment=environment) as server:
        assert server.process is not None
        assert len(_children(server.process.pid)) == 2  # gunicorn's master forked two web processes
        # Eight connections at once, from one address: whichever process each reaches, one runs, seven get 429.
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda n: _get(server.port, f"/sparql?query={quote(runaway + str(n))}"),
                                    range(8)))
        statuses = [status for status, _ in answers]
        ran = [status for status in statuses if status != 429]
        assert len(ran) == 1 and ran[0] in (200, 503), statuses  # 503: the runaway's deadline
        status, body = _get(server.port, "/sparql?query=" + quote("ASK { ?s ?p ?o }"))
        assert status == 200 and json.loads(body)["boolean"] is True
