"""Run the core shapes over quads with a SHACL engine: pyshacl-turbo (native, the default) or pyshacl.

pyshacl-turbo is a Rust SHACL engine with pyshacl's interface; it reads the triples as N-Triples
text written by Oxigraph, so no rdflib graph of the data is ever built. pyshacl, the reference,
validates an rdflib graph converted term by term. Both return pyshacl's report graph, so the rest
of the validation does not depend on the engine. The ``shacl_engine`` setting (``INVIOLABLE_SHACL_ENGINE``,
:mod:`graph.config`) chooses the default.

The engines agree on every fixture but two points (docs/validation.md): for ``sh:lessThanOrEquals``
pyshacl-turbo reports an ``xsd:gYear`` and an ``xsd:date``, which XML Schema does not order, where
pyshacl reports nothing; and turbo's ``sh:datatype`` rejects an ill-formed literal of the
right datatype (``"2030-13"^^xsd:gYearMonth``), which pyshacl accepts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph

from graph.config import settings
from graph.validation.convert import quads_to_graph

ENGINES = ("turbo", "pyshacl")
DEFAULT_ENGINE = "turbo"
ENGINE_VARIABLE = "INVIOLABLE_SHACL_ENGINE"


class ShapesError(Exception):
    """The shapes themselves are not valid SHACL, so nothing could be validated."""


class EngineError(ShapesError, ValueError):
    """No SHACL engine of that name, so nothing could be validated."""


def engine_name(engine: str | None = None) -> str:
    """The engine to use: ``engine`` if given, else the ``shacl_engine`` setting
    (``INVIOLABLE_SHACL_ENGINE``, :mod:`graph.config`), else turbo.

    >>> engine_name("pyshacl")
    'pyshacl'

    :raises EngineError: when the name is not one of :data:`ENGINES`.
    """
    name = (engine or settings().shacl_engine or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise EngineError(f"unknown SHACL engine {name!r} (from {'the option' if engine else ENGINE_VARIABLE}); "
                         f"use one of {', '.join(ENGINES)}")
    return name


def run_shapes(quads: Sequence[ox.Quad], shapes: Graph, *, engine: str | None = None) -> tuple[Graph, int]:
    """Validate the triples of ``quads`` (graph names dropped) against ``shapes``.

    :param engine: ``turbo`` or ``pyshacl``; see :func:`engine_name` for the default.
    :returns: pyshacl's results graph and the number of distinct triples validated.
    :raises ShapesError: when the engine rejects the shapes.
    :raises EngineError: for an unknown engine name.
    """
    if engine_name(engine) == "pyshacl":
        return _run_pyshacl(quads, shapes)
    return _run_turbo(quads, shapes)


def triples_text(quads: Iterable[ox.Quad]) -> str:
    """The triples of ``quads`` (graph names dropped) as N-Triples, each as often as it occurs."""
    return ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def run_shapes_on_text(text: str, quads: Sequence[ox.Quad], shapes: Graph, *, engine: str | None = None) -> Graph:
    """:func:`run_shapes` when the triples are already written: ``text`` is :func:`triples_text` of ``quads``.

    pyshacl-turbo reads the text (and releases the interpreter lock while it validates, so other
    threads run meanwhile); pyshacl reads the quads.
    """
    if engine_name(engine) == "pyshacl":
        return _run_pyshacl(quads, shapes)[0]
    return _turbo_on_text(text, shapes)


def _run_turbo(quads: Sequence[ox.Quad], shapes: Graph) -> tuple[Graph, int]:
    triples = {quad.triple for quad in quads}
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    return _turbo_on_text(text, shapes), len(triples)


def _turbo_on_text(text: str, shapes: Graph) -> Graph:
    data = pyshacl_turbo.Input(text, "nt", None, {}, {}, preserve_ids=True)
    try:
        _, results, message = _compiled(shapes).validate(data, allow_warnings=True, abort_on_first=False)
    except (ValueError, RuntimeError) as error:
        raise ShapesError(f"the shapes are not valid SHACL: {error}") from error
    if not isinstance(results, Graph):
        raise ShapesError(f"the shapes are not valid SHACL: {message or results}")
    return results


@lru_cache(maxsize=8)
def _compiled_for(shapes: Graph, size: int) -> pyshacl_turbo.CompiledShapes:
    return pyshacl_turbo.compile_shapes(shapes, advanced=False)


def _compiled(shapes: Graph) -> pyshacl_turbo.CompiledShapes:
    # Shapes graphs are cached per file contents (graph.validation.shapes), so the same object
    # comes back until a shapes file changes; the size guards against a graph edited in place.
    try:
        return _compiled_for(shapes, len(shapes))
    except (ValueError, RuntimeError) as error:
        raise ShapesError(f"the shapes are not valid SHACL: {error}") from error


def _run_pyshacl(quads: Sequence[ox.Quad], shapes: Graph) -> tuple[Graph, int]:
    with _collector_paused():
        data = quads_to_graph(quads)
        try:
            _, results, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                                abort_on_first=False, meta_shacl=False, advanced=False)
        except ReportableRuntimeError as error:
            raise ShapesError(f"the shapes are not valid SHACL: {error}") from error
    if not isinstance(results, Graph):
        raise ShapesError(f"the shapes are not valid SHACL: {text or results}")
    return results, len(data)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # The rdflib graph is millions of long-lived objects that the cyclic collector would scan
    # again and again while pyshacl allocates; reference counting still frees the temporaries.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["DEFAULT_ENGINE", "ENGINES", "ENGINE_VARIABLE", "EngineError", "ShapesError", "engine_name", "run_shapes",
           "run_shapes_on_text", "triples_text"]
