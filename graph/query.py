"""Run SPARQL queries against a store and write their results in the usual formats."""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from graph.formats import RDF_FORMATS, RESULT_FORMATS
from graph.namespaces import PREFIXES, is_inferred_graph, sparql_prefixes
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


def graph_names(store: GraphStore) -> list[str]:
    """Names of every named graph of the store, sorted."""
    # ``GRAPH ?g { }`` lists no graphs on some engines (Virtuoso); a triple pattern works everywhere.
    return sorted(row["g"].value for row in store.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"))


def document_layer(store: GraphStore) -> list[str]:
    """Names of every graph except the inference layers (``graph/{slug}/inferred``)."""
    return [name for name in graph_names(store) if not is_inferred_graph(name)]


def run_query(store: GraphStore, sparql: str, *, inferences: bool = False) -> Result:
    """Evaluate a query with the project's prefixes predeclared.

    The default graph is the union of the document layer: the ontology, the reference graph and
    the document graphs, without the curators' inference layers, unless ``inferences`` is true.
    ``GRAPH`` clauses still reach every named graph, inference layers included.

    :param inferences: also read the inference layers into the default graph.
    :raises SyntaxError: with the parser's message when the query does not parse.
    """
    if inferences:
        return store.query(sparql, prefixes=PREFIXES)
    names = graph_names(store)
    document = [name for name in names if not is_inferred_graph(name)]
    return store.query(sparql, default_graphs=document, named_graphs=names, prefixes=PREFIXES)


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


# Parameters of the competency queries live in graph.parameters; re-exported here for callers
# that import everything query-related from one place.
from graph.parameters import QueryParameter, QueryParameterError, bind_parameters, query_parameters  # noqa: E402

__all__ = ["QueryFormatError", "QueryParameter", "QueryParameterError", "bind_parameters", "document_layer",
           "format_table", "graph_names",
           "query_parameters", "run_query", "with_prefixes", "write_result"]
