"""JSON-LD as served: compacted against the project's published context, or expanded on request.

pyoxigraph writes expanded JSON-LD. Compaction here is the part of the JSON-LD 1.1 algorithm that a
context made only of prefixes needs: property names, ``@type`` values and ``@id`` values become
compact IRIs (``inv:actor``), plain strings lose their ``{"@value": …}`` wrapper and one-element
arrays are unwrapped. The context holds the project's prefixes (:data:`graph.namespaces.PREFIXES`)
and is published at :data:`CONTEXT_PATH`; it is also embedded in every compacted document, so that
a client can read the document offline, without fetching anything.
"""

from __future__ import annotations

import json
from typing import Any

from graph.namespaces import PREFIXES

#: Where the context is published on every server.
CONTEXT_PATH = "/ns/context.jsonld"
#: The profile IRIs of JSON-LD 1.1 a client may ask for in ``Accept: application/ld+json; profile=…``.
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
_GEN_DELIMS = ":/?#[]@"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def context() -> dict[str, str]:
    """The project's JSON-LD context: one term per namespace usable as a prefix.

    >>> context()["inv"]
    'https://w3id.org/inviolable/ontology#'
    """
    return {prefix: namespace for prefix, namespace in PREFIXES.items() if namespace[-1] in _GEN_DELIMS}


def compact_iri(iri: str, terms: dict[str, str]) -> str:
    """``prefix:suffix`` for the longest namespace of ``terms`` that ``iri`` starts with, else ``iri``.

    >>> compact_iri("https://w3id.org/inviolable/ontology#actor", context())
    'inv:actor'
    >>> compact_iri("https://example.org/x", context())
    'https://example.org/x'
    """
    best = ""
    for prefix, namespace in terms.items():
        if iri.startswith(namespace) and len(namespace) > len(terms.get(best, "")):
            suffix = iri[len(namespace):]
            if suffix and not suffix.startswith("//"):
                best = prefix
    return f"{best}:{iri[len(terms[best]):]}" if best else iri


def _value(value: Any, terms: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        if set(value) == {"@value"}:
            return value["@value"]
        return {key: compact_iri(item, terms) if key == "@type" else item for key, item in value.items()}
    if set(value) == {"@id"}:
        return {"@id": compact_iri(value["@id"], terms)}
    return _node(value, terms)


def _node(node: dict[str, Any], terms: dict[str, str]) -> dict[str, Any]:
    compacted: dict[str, Any] = {}
    types = node.get(RDF_TYPE)
    if isinstance(types, list) and types and all(set(t) == {"@id"} and not t["@id"].startswith("_:") for t in types):
        node = {**{k: v for k, v in node.items() if k != RDF_TYPE},
                "@type": [*node.get("@type", []), *(t["@id"] for t in types)]}
    for key, values in node.items():
        if key == "@id":
            compacted[key] = compact_iri(values, terms)
        elif key == "@type":
            types = [compact_iri(item, terms) for item in values]
            compacted[key] = types[0] if len(types) == 1 else types
        elif key == "@graph":
            compacted[key] = [_node(item, terms) for item in values]
        elif key.startswith("@"):
            compacted[key] = values
        else:
            items = [_value(item, terms) for item in values] if isinstance(values, list) else [values]
            compacted[compact_iri(key, terms)] = items[0] if len(items) == 1 else items
    return compacted


def compact(expanded: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
    """Compact an expanded JSON-LD document with the project's context, which it embeds.

    >>> doc = [{"@id": "https://w3id.org/inviolable/id/state/x",
    ...         "http://www.w3.org/2000/01/rdf-schema#label": [{"@value": "X", "@language": "en"}]}]
    >>> compact(doc)["rdfs:label"], compact(doc)["@id"]
    ({'@value': 'X', '@language': 'en'}, 'id:state/x')
    """
    terms = context()
    nodes = expanded if isinstance(expanded, list) else [expanded]
    compacted = [_node(node, terms) for node in nodes]
    if len(compacted) == 1:
        return {"@context": terms, **compacted[0]}
    return {"@context": terms, "@graph": compacted}


def wants_expanded(accept_header: str) -> bool:
    """True when the Accept header asks for the expanded JSON-LD profile.

    >>> wants_expanded('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"')
    True
    >>> wants_expanded("application/ld+json")
    False
    """
    return EXPANDED in accept_header


def shape(body: bytes, accept_header: str) -> bytes:
    """The JSON-LD body to send: expanded as pyoxigraph wrote it when asked for, compacted otherwise.

    :raises ValueError: when ``body`` is not JSON (a serialiser fault, answered as 400 by the error mapping).
    """
    if wants_expanded(accept_header):
        return body
    document = json.loads(body or b"[]")
    return json.dumps(compact(document), ensure_ascii=False, separators=(",", ":")).encode()
