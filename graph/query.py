"""Run SPARQL queries against a store and write their results in the usual formats."""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from graph.formats import RDF_FORMATS, RESULT_FORMATS
from graph.namespaces import PREFIXES, sparql_prefixes
from graph.store import GraphStore

Result = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean


class QueryFormatError(ValueError):
    """The output format asked for does not fit the kind of result."""


_PROLOGUE = sparql_prefixes().replace("\n", " ") + " "


def with_prefixes(sparql: str) -> str:
    """Prepend the project's prefix declarations as text, for engines that take no prefix option.

    They go on the query's first line, so line numbers stay the user's; a query's own
    declarations come later and win.
    """
    return _PROLOGUE + sparql


def run_query(store: GraphStore, sparql: str) -> Result:
    """Evaluate a query over the union of all graphs, with the project's prefixes predeclared.

    :raises SyntaxError: with the parser's message when the query does not parse.
    """
    return store.query(sparql, prefixes=PREFIXES)


def _compact(term: ox.Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        # For reading only: ``id:state/ecuador`` is shorter than the IRI, though not valid Turtle.
        matches = [(prefix, ns) for prefix, ns in PREFIXES.items() if term.value.startswith(ns)]
        if matches:
            prefix, namespace = max(matches, key=lambda match: len(match[1]))
            return f"{prefix}:{term.value[len(namespace):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def format_table(result: ox.QuerySolutions) -> str:
    """Render SELECT results as an aligned plain-text table.

    >>> store = ox.Store()
    >>> print(format_table(store.query("SELECT ?a ?b { VALUES (?a ?b) { (1 'x') } }")))
    a | b
    --+--
    1 | x
    """
    names = [variable.value for variable in result.variables]
    rows = [[_compact(solution[name]) for name in names] for solution in result]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = [" | ".join(name.ljust(w) for name, w in zip(names, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def write_result(result: Result, output: IO[bytes], fmt: str) -> None:
    """Write a result in the named format: ``table`` or a results format for SELECT and ASK,
    an RDF format for CONSTRUCT and DESCRIBE.

    :raises QueryFormatError: when the format does not fit the result.
    """
    if isinstance(result, ox.QueryTriples):
        rdf_format = RDF_FORMATS.get("turtle" if fmt == "table" else fmt)
        if rdf_format is None:
            raise QueryFormatError(f"a graph result needs an RDF format ({', '.join(RDF_FORMATS)}), not {fmt!r}")
        result.serialize(output, format=rdf_format)
        return
    if fmt == "table":
        text = format_table(result) if isinstance(result, ox.QuerySolutions) else str(bool(result)).lower()
        output.write((text + "\n").encode("utf-8"))
        return
    results_format = RESULT_FORMATS.get(fmt)
    if results_format is None:
        raise QueryFormatError(f"a SELECT or ASK result needs table or {', '.join(RESULT_FORMATS)}, not {fmt!r}")
    result.serialize(output, format=results_format)
