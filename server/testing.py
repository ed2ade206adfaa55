"""Live servers on loopback for tests and benchmarks: a real socket, a free port, stopped on exit.

:class:`LiveServer` serves the app in a thread of the calling process; :class:`ServedProcess` runs
``inviolable serve`` (gunicorn) in its own process, as a user would.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyoxigraph as ox
from werkzeug.serving import BaseWSGIServer, make_server

from graph.namespaces import DATA_BASE, GRAPH, ID, PREFIXES
from graph.store import OxigraphStore, store_directory
from server.app import create_app

#: The ``inviolable`` command of the running interpreter's environment.
INVIOLABLE = str(Path(sys.executable).with_name("inviolable"))

_SAMPLE_PROLOGUE = "".join([f"\n@base <{DATA_BASE}> .\n", f"@prefix graph: <{GRAPH}> .\n",
                            *(f"@prefix {name}: <{PREFIXES[name]}> .\n"
                              for name in ("inv", "rdfs", "xsd", "sem", "prov", "oa", "schema"))])
#: A small dataset in the project's model: an incident, two later events, labels, evidence.
SAMPLE_TRIG = _SAMPLE_PROLOGUE + """
graph:reference {
  <state/atlantis> a inv:State ; rdfs:label "Atlantis"@en , "Atlántida"@es .
  <state/lemuria> a inv:State ; rdfs:label "Lemuria"@en , "Lemuria"@es .
  <mission/lemuria-embassy-in-atlantis> a inv:Embassy ; rdfs:label "Embassy of Lemuria in Atlantis"@en ,
      "Embajada de Lemuria en Atlántida"@es ; inv:sendingState <state/lemuria> ; inv:receivingState <state/atlantis> .
  <source/quito-embassy-raid-wikipedia> a inv:SourceDocument ; schema:name "Sample source" .
}

graph:sample {
  <incident/2024-04-05-sample-raid> a inv:Incident ;
      rdfs:label "Sample raid on the embassy"@en , "Allanamiento de muestra de la embajada"@es ;
      sem:hasTimeStamp "2024-04-05"^^xsd:date ; inv:actor <state/atlantis> ;
      inv:targetMission <mission/lemuria-embassy-in-atlantis> ;
      prov:wasDerivedFrom <evidence/quito-embassy-raid-wikipedia-399-433> .
  <event/2024-04-06-sample-protest> a inv:Response ;
      rdfs:label "Lemuria protests"@en , "Lemuria protesta"@es ; sem:hasTimeStamp "2024-04-06"^^xsd:date ;
      inv:actor <state/lemuria> ; inv:respondsTo <incident/2024-04-05-sample-raid> ;
      prov:wasDerivedFrom <evidence/quito-embassy-raid-wikipedia-434-487> .
  <event/2023-12-sample-prelude> a inv:RelatedEvent ;
      rdfs:label "A prelude"@en , "Un preludio"@es ; inv:month "2023-12"^^xsd:gYearMonth ;
      inv:relatedIncident <incident/2024-04-05-sample-raid> .
  <event/2024-04-06-sample-protest#vote-lemuria> inv:voter <state/lemuria> .
  <evidence/quito-embassy-raid-wikipedia-399-433> a oa:SpecificResource ;
      oa:hasSource <source/quito-embassy-raid-wikipedia> ;
      oa:hasSelector <evidence/quito-embassy-raid-wikipedia-399-433#selector> .
  <evidence/quito-embassy-raid-wikipedia-399-433#selector> a oa:TextPositionSelector ; oa:start 399 ; oa:end 433 .
  <evidence/quito-embassy-raid-wikipedia-434-487> a oa:SpecificResource ;
      oa:hasSource <source/quito-embassy-raid-wikipedia> ;
      oa:hasSelector <evidence/quito-embassy-raid-wikipedia-434-487#selector> .
  <evidence/quito-embassy-raid-wikipedia-434-487#selector> a oa:TextPositionSelector ; oa:start 434 ; oa:end 487 .
}
"""
SAMPLE_INCIDENT = f"{ID}incident/2024-04-05-sample-raid"


def sample_store() -> OxigraphStore:
    """An in-memory store holding :data:`SAMPLE_TRIG`."""
    store = OxigraphStore()
    store.load(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG)
    return store


def parse_triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    """The triples of an RDF document (graph names dropped), for comparing what a response holds."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def json_body(response: Any) -> Any:
    """The decoded JSON body of a test client's response, whatever its JSON media type."""
    return json.loads(response.get_data())


def sample_quads() -> list[ox.Quad]:
    """The quads of :data:`SAMPLE_TRIG`."""
    return list(ox.parse(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG))


def disk_store(path: Path, quads: Iterable[ox.Quad] | None = None) -> Path:
    """An on-disk store at ``path`` (the layout ``inviolable serve --store`` opens) holding ``quads``.

    :param quads: what the store holds; the sample dataset when None.
    """
    store_directory(path).mkdir(parents=True)
    store = OxigraphStore(store_directory(path))
    store.bulk_load(list(sample_quads() if quads is None else quads))
    store.flush()
    del store
    return path


def free_port() -> int:
    """A loopback port nothing listens on at the moment of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedProcess:
    """``inviolable serve --store STORE`` in its own process on a free loopback port.

    Entering starts it and waits until ``/sparql`` answers a query; leaving stops it (SIGTERM, then
    SIGKILL if it does not stop). ``environment`` adds to the inherited environment (settings such
    as ``INVIOLABLE_WRITE_TOKEN``); with ``capture_stdout`` the process's standard output is a pipe,
    readable as :attr:`stdout` (what the command prints before gunicorn starts).

    :raises RuntimeError: on entering, when the process exits or does not answer within ``timeout`` seconds.
    """

    def __init__(self, store: Path, *, environment: dict[str, str] | None = None, capture_stdout: bool = False,
                 timeout: float = 60) -> None:
        self.store = store
        self.port = free_port()
        self.environment = {**os.environ, **(environment or {})}
        self.capture_stdout = capture_stdout
        self.timeout = timeout
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """The server's root URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout(self) -> IO[str]:
        """The process's standard output (with ``capture_stdout`` only)."""
        assert self.process is not None and self.process.stdout is not None, "started with capture_stdout"
        return self.process.stdout

    def __enter__(self) -> ServedProcess:
        self.process = subprocess.Popen(
            [INVIOLABLE, "serve", "--store", str(self.store), "--port", str(self.port)], env=self.environment,
            stdout=subprocess.PIPE if self.capture_stdout else subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/sparql?query=ASK%7B%7D", timeout=5):
                    return
            except OSError as error:
                if self.process.poll() is not None:
                    raise RuntimeError(f"inviolable serve exited with status {self.process.returncode}") from error
                if time.monotonic() > deadline:
                    raise RuntimeError(f"inviolable serve did not answer within {self.timeout:g} s") from error
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the process: SIGTERM, and SIGKILL when it has not stopped 15 s later."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()


class LiveServer:
    """Serve ``create_app(config)`` on ``127.0.0.1`` at a free port in a background thread.

    >>> from graph.store import OxigraphStore
    >>> with LiveServer({"STORE": OxigraphStore(), "QUERY_WORKERS": 1}) as live:
    ...     live.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.app = create_app(config)
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="live-server")

    @property
    def url(self) -> str:
        """The server's root URL, without a trailing slash."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_port

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.extensions["inviolable"].pool.close()


class ConnectionCounter:
    """A loopback TCP listener that counts the connections made to it (for tests that must make none)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.1)
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The listener's loopback port."""
        return self.socket.getsockname()[1]

    @property
    def url(self) -> str:
        """An HTTP URL that reaches the listener."""
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.count += 1
            connection.close()

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


@contextlib.contextmanager
def loopback_http(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port, in a thread, for as long as the block runs; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
