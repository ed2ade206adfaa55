"""Parameters of the competency queries: declared in a comment, bound by a trailing VALUES clause.

A query about one incident (or any one node) declares what it needs on a comment line::

    # parameter: ?incident inv:Incident

and is written so that, left unbound, it answers for every incident. Binding appends
``VALUES ?incident { <iri> }`` after the query, which SPARQL 1.1 allows as the query's final
clause, so the text of the query itself is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import PREFIXES

_DECLARATION = re.compile(r"^#\s*parameter:\s*\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\S+)\s*(?P<note>.*)$")


class QueryParameterError(ValueError):
    """A parameter is unknown, missing, declared twice, or given a value that is not an IRI."""


@dataclass(frozen=True)
class QueryParameter:
    """One declared parameter: its variable name (without ``?``), the IRI of its type, and a note."""

    name: str
    type: str
    note: str = ""


def _expand(name: str, line: int) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    raise QueryParameterError(f"line {line}: parameter type {name!r} is neither <IRI> nor a known prefixed name")


def query_parameters(text: str) -> list[QueryParameter]:
    """The parameters a query declares, in the order of their comment lines.

    >>> [p.name for p in query_parameters("# parameter: ?incident inv:Incident\\nSELECT * {}")]
    ['incident']

    :raises QueryParameterError: when a parameter is declared twice or its type cannot be read.
    """
    found: dict[str, QueryParameter] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _DECLARATION.match(line.strip())
        if not match:
            continue
        name = match["name"]
        if name in found:
            raise QueryParameterError(f"line {number}: parameter ?{name} is declared twice")
        found[name] = QueryParameter(name, _expand(match["type"], number), match["note"].strip())
    return list(found.values())


def _iri(name: str, value: str | ox.NamedNode) -> ox.NamedNode:
    if isinstance(value, ox.NamedNode):
        return value
    try:
        return ox.NamedNode(str(value).strip().removeprefix("<").removesuffix(">"))
    except ValueError as error:
        raise QueryParameterError(f"parameter ?{name}: {value!r} is not an IRI ({error})") from None


def bind_parameters(text: str, values: Mapping[str, str | ox.NamedNode]) -> str:
    """Bind declared parameters to IRIs by appending one trailing ``VALUES`` clause.

    Parameters not given stay unbound (the query then answers for every value). Names may be
    written with or without ``?``.

    >>> bind_parameters("# parameter: ?incident inv:Incident\\nSELECT ?incident {}",
    ...                 {"incident": "https://w3id.org/inviolable/id/incident/x"}).splitlines()[-1]
    'VALUES ?incident { <https://w3id.org/inviolable/id/incident/x> }'

    :raises QueryParameterError: when a name is not a declared parameter or a value is not an IRI.
    """
    declared = {parameter.name for parameter in query_parameters(text)}
    given = {name.lstrip("?"): value for name, value in values.items()}
    unknown = sorted(set(given) - declared)
    if unknown:
        known = ", ".join(f"?{name}" for name in sorted(declared)) or "none"
        raise QueryParameterError(f"the query declares no parameter {', '.join('?' + n for n in unknown)} "
                                  f"(it declares: {known})")
    if not given:
        return text
    names = sorted(given)
    terms = [_iri(name, given[name]) for name in names]
    if len(names) == 1:
        clause = f"VALUES ?{names[0]} {{ {terms[0]} }}"
    else:
        clause = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(t) for t in terms)}) }}"
    return text.rstrip() + "\n" + clause + "\n"


__all__ = ["QueryParameter", "QueryParameterError", "bind_parameters", "query_parameters"]
