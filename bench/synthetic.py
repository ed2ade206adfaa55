"""Synthetic datasets that conform to the shapes, for benchmarks of any size.

Each incident comes with its own mission, official, evidence, a response, a claim and the
official's term of office, about 78 triples in all; the ontology is added once, so class and
scheme lookups work as on the real graph. ``incidents_for(triples)`` sizes a dataset.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache

import pyoxigraph as ox

from graph.config import ONTOLOGY_DIR
from graph.loader import data_files, parse_file
from graph.namespaces import ID, INV, ONTOLOGY_GRAPH, REFERENCE_GRAPH, VOCAB, source_graph

TRIPLES_PER_INCIDENT = 78
SOURCE_SLUG = "synthetic-document"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NS = {
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/", "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#", "prov": "http://www.w3.org/ns/prov#", "oa": "http://www.w3.org/ns/oa#",
    "foaf": "http://xmlns.com/foaf/0.1/", "schema": "https://schema.org/", "inv": str(INV),
}
_STATES = 60
_RESPONSE_TYPES = ("criticize-or-denounce", "complain-officially", "break-relations", "demand")


def _iri(term: str) -> ox.NamedNode:
    if term.startswith("http"):
        return ox.NamedNode(term)
    prefix, _, local = term.partition(":")
    if prefix == "rdf":
        return ox.NamedNode(_RDF + local)
    if prefix == "rdfs":
        return ox.NamedNode(_RDFS + local)
    if prefix == "id":
        return ox.NamedNode(str(ID) + local)
    if prefix == "vocab":
        return ox.NamedNode(str(VOCAB) + local)
    return ox.NamedNode(_NS[prefix] + local)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + datatype))


class _Writer:
    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []
        self.spans = 0

    def add(self, graph: str, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal | str) -> None:
        value = _iri(obj) if isinstance(obj, str) else obj
        self.quads.append(ox.Quad(_iri(subject), _iri(predicate), value, ox.NamedNode(graph)))

    def labelled(self, graph: str, subject: str, kind: str, english: str, spanish: str) -> None:
        self.add(graph, subject, "rdf:type", kind)
        self.add(graph, subject, "rdfs:label", ox.Literal(english, language="en"))
        self.add(graph, subject, "rdfs:label", ox.Literal(spanish, language="es"))

    def evidence(self, graph: str, subject: str) -> None:
        start = self.spans * 100
        end = start + 60
        self.spans += 1
        node = f"id:evidence/{SOURCE_SLUG}-{start}-{end}"
        self.add(graph, subject, "prov:wasDerivedFrom", node)
        self.add(graph, node, "rdf:type", "oa:SpecificResource")
        self.add(graph, node, "oa:hasSource", f"id:source/{SOURCE_SLUG}")
        self.add(graph, node, "oa:hasSelector", node + "#selector")
        self.add(graph, node + "#selector", "rdf:type", "oa:TextPositionSelector")
        self.add(graph, node + "#selector", "oa:start", _typed(start, "integer"))
        self.add(graph, node + "#selector", "oa:end", _typed(end, "integer"))
        self.add(graph, node + "#selector", "inv:spanSha256", ox.Literal(f"{self.spans:064x}"))


def _reference(writer: _Writer, n_incidents: int) -> None:
    graph = str(REFERENCE_GRAPH)
    source = f"id:source/{SOURCE_SLUG}"
    writer.labelled(graph, source, "inv:SourceDocument", "synthetic document", "documento sintético")
    writer.add(graph, source, "inv:fileName", ox.Literal("synthetic.txt"))
    writer.add(graph, source, "inv:sha256", ox.Literal("0" * 64))
    writer.add(graph, source, "inv:characterCount", _typed(100 * (8 * n_incidents + 10), "integer"))
    for k in range(_STATES):
        state = f"id:state/synthetic-state-{k}"
        writer.labelled(graph, state, "inv:State", f"State {k}", f"Estado {k}")
        writer.add(graph, state, "inv:iso3166Alpha2", ox.Literal(chr(65 + k // 26) + chr(65 + k % 26)))
        city = f"id:place/synthetic-city-{k}"
        writer.labelled(graph, city, "schema:City", f"City {k}", f"Ciudad {k}")
        writer.add(graph, city, "rdf:type", "schema:Place")
        writer.add(graph, city, "inv:country", state)


def generate(n_incidents: int, seed: int = 0, *, with_ontology: bool = True) -> list[ox.Quad]:
    """A dataset of ``n_incidents`` incidents, with responses, claims and terms, that conforms.

    :param seed: seeds the choice of states, dates and types, so a size and seed give one dataset.
    :param with_ontology: include the ontology and vocabularies (needed for class and scheme checks).
    """
    rng = random.Random(seed)
    writer = _Writer()
    _reference(writer, n_incidents)
    graph = source_graph(SOURCE_SLUG)
    reference = str(REFERENCE_GRAPH)
    for i in range(n_incidents):
        sender, receiver = rng.sample(range(_STATES), 2)
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(9000))
        mission = f"id:mission/synthetic-embassy-{i}"
        writer.labelled(reference, mission, "inv:Embassy", f"Embassy {i}", f"Embajada {i}")
        writer.add(reference, mission, "inv:sendingState", f"id:state/synthetic-state-{sender}")
        writer.add(reference, mission, "inv:receivingState", f"id:state/synthetic-state-{receiver}")
        writer.add(reference, mission, "inv:city", f"id:place/synthetic-city-{receiver}")
        person = f"id:person/synthetic-minister-{i}"
        writer.labelled(reference, person, "foaf:Person", f"Minister {i}", f"Ministro {i}")

        incident = f"id:incident/{day.isoformat()}-synthetic-raid-{i}"
        writer.labelled(graph, incident, "inv:Incident", f"Raid {i}", f"Allanamiento {i}")
        writer.add(graph, incident, "sem:eventType", "vocab:incident-type/raid-on-premises")
        writer.add(graph, incident, "sem:hasTimeStamp", _typed(day.isoformat(), "date"))
        writer.add(graph, incident, "sem:hasPlace", f"id:place/synthetic-city-{receiver}")
        writer.add(graph, incident, "inv:actor", f"id:state/synthetic-state-{receiver}")
        writer.add(graph, incident, "inv:targetMission", mission)
        writer.add(graph, incident, "inv:completionStatus", "vocab:completion-status/completed")
        writer.add(graph, incident, "inv:method", "vocab:method/forced-entry")
        writer.evidence(graph, incident)

        later = day + timedelta(days=rng.randrange(30))
        response = f"id:event/{later.isoformat()}-synthetic-protest-{i}"
        writer.labelled(graph, response, "inv:Response", f"Protest {i}", f"Protesta {i}")
        writer.add(graph, response, "sem:eventType", "vocab:response-type/" + rng.choice(_RESPONSE_TYPES))
        writer.add(graph, response, "sem:hasTimeStamp", _typed(later.isoformat(), "date"))
        writer.add(graph, response, "inv:actor", f"id:state/synthetic-state-{sender}")
        writer.add(graph, response, "inv:respondsTo", incident)
        writer.evidence(graph, response)

        claim = f"id:claim/synthetic-violation-{i}"
        writer.labelled(graph, claim, "inv:Claim", f"Claim {i}", f"Afirmación {i}")
        writer.add(graph, claim, "inv:claimant", f"id:state/synthetic-state-{sender}")
        writer.add(graph, claim, "inv:about", incident)
        writer.add(graph, claim, "inv:characterisation", "vocab:characterisation/violation-of-convention")
        writer.evidence(graph, claim)

        membership = f"id:membership/synthetic-minister-{i}-minister-of-foreign-affairs-{day.year}"
        writer.labelled(graph, membership, "org:Membership", f"Minister {i}", f"Ministro {i}")
        writer.add(graph, membership, "org:member", person)
        writer.add(graph, membership, "org:organization", f"id:state/synthetic-state-{sender}")
        writer.add(graph, membership, "org:role", "vocab:role/minister-of-foreign-affairs")
        writer.add(graph, membership, "org:memberDuring", membership + "#interval")
        writer.add(graph, membership + "#interval", "rdf:type", "time:Interval")
        writer.add(graph, membership + "#interval", "time:hasBeginning", membership + "#beginning")
        writer.add(graph, membership + "#interval", "time:hasEnd", membership + "#end")
        writer.add(graph, membership + "#beginning", "time:inXSDDate", _typed(day.isoformat(), "date"))
        writer.add(graph, membership + "#end", "time:inXSDDate", _typed(later.isoformat(), "date"))
        writer.evidence(graph, membership)
    if with_ontology:
        for data_file in data_files(ontology_dir=ONTOLOGY_DIR):
            if data_file.graph == str(ONTOLOGY_GRAPH):
                writer.quads.extend(parse_file(data_file))
    # Ontology files may state a triple twice (a term and its scheme): each quad once, in order.
    return list(dict.fromkeys(writer.quads))


def incidents_for(triples: int) -> int:
    """How many incidents give a dataset of about ``triples`` triples, the ontology included."""
    return max(1, round((triples - _fixed_quads()) / TRIPLES_PER_INCIDENT))


@cache
def _fixed_quads() -> int:
    # The ontology, vocabularies and reference data come once, whatever the number of incidents.
    return len(generate(1)) - TRIPLES_PER_INCIDENT


__all__ = ["TRIPLES_PER_INCIDENT", "generate", "incidents_for"]
