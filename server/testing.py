"""A live server on loopback for tests and benchmarks: a real socket, a free port, stopped on exit."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Any

import pyoxigraph as ox
from werkzeug.serving import BaseWSGIServer, make_server

from graph.store import OxigraphStore
from server.app import create_app

#: A small dataset in the project's model: an incident, two later events, labels, evidence.
SAMPLE_TRIG = """
@base <https://w3id.org/inviolable/id/> .
@prefix inv: <https://w3id.org/inviolable/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .

<https://w3id.org/inviolable/graph/reference> {
  <state/atlantis> a inv:State ; rdfs:label "Atlantis"@en , "Atlántida"@es .
  <state/lemuria> a inv:State ; rdfs:label "Lemuria"@en , "Lemuria"@es .
  <mission/lemuria-embassy-in-atlantis> a inv:Embassy ; rdfs:label "Embassy of Lemuria in Atlantis"@en ,
      "Embajada de Lemuria en Atlántida"@es ; inv:sendingState <state/lemuria> ; inv:receivingState <state/atlantis> .
  <source/quito-embassy-raid-wikipedia> a inv:SourceDocument ; schema:name "Sample source" .
}

<https://w3id.org/inviolable/graph/sample> {
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
SAMPLE_INCIDENT = "https://w3id.org/inviolable/id/incident/2024-04-05-sample-raid"


def sample_store() -> OxigraphStore:
    """An in-memory store holding :data:`SAMPLE_TRIG`."""
    store = OxigraphStore()
    store.load(SAMPLE_TRIG.encode(), format=ox.RdfFormat.TRIG)
    return store


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
