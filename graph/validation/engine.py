"""Validate quads against the shapes with a SHACL engine, and evidence spans against their documents."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from graph.config import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR
from graph.evidence import check_evidence
from graph.loader import DataFile, data_files, parse_file
from graph.namespaces import INV, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SH, SHAPES, graph_for_data_file, source_graph
from graph.sources import SourceDocument
from graph.validation.dataset_rules import DATASET_NODE, core_shapes, dataset_rules, rules_store, run_rules
from graph.validation.locations import LocationIndex, display_path
from graph.validation.refine import refine
from graph.validation.report import VIOLATION, ValidationReport, ValidationResult, short_iri
from graph.validation.shapes import load_shapes
from graph.validation.turbo import EngineError, ShapesError, engine_name, run_shapes_on_text, triples_text

T = TypeVar("T")

EVIDENCE_COMPONENT = str(SHAPES.EvidenceSpanConstraintComponent)


def validate_quads(quads: Sequence[ox.Quad], *, files: Iterable[DataFile | Path] | None = None,
                   sources: Path | None = None, manifest: dict[str, SourceDocument] | None = None,
                   shapes_dir: Path = SHAPES_DIR, engine: str | None = None,
                   beside: Callable[[], object] | None = None) -> ValidationReport:
    """Validate a dataset given as quads: the shapes, and evidence spans when ``sources`` is given.

    :param files: the Turtle files the quads come from, to give each result its file and line.
    :param sources: directory of the source documents; evidence spans are re-checked when given.
    :param manifest: the source manifest to check spans against (the committed one by default).
    :param engine: the SHACL engine, ``turbo`` or ``pyshacl`` (default: ``$INVIOLABLE_SHACL_ENGINE``, else turbo).
    :param beside: work to do while the SHACL engine runs, once the rules are done and their store is
        freed (the build writes the new store there); it is done whatever the results, and an error
        it raises is raised here once the engine has finished.
    :raises SourceError: when a document is missing or its hash changed.
    :raises SyntaxError: when a shapes file does not parse.
    :raises ShapesError: when the engine rejects the shapes.
    :raises EngineError: for an unknown engine name (a :class:`ShapesError`).
    """
    began = time.perf_counter()
    timings: dict[str, float] = {}
    paths = _ordered_paths(files or [])
    shapes = load_shapes(shapes_dir)
    name = engine_name(engine)
    core, rules = core_shapes(shapes), dataset_rules(shapes)
    with _timed(timings, "prepare"):
        text = triples_text(quads)
    # The SHACL engine runs on a second thread: pyshacl-turbo releases the interpreter lock while it
    # validates, so the whole-graph and closed-world rules run meanwhile on the other core.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shacl") as pool:
        shacl = pool.submit(_timed_call, timings, "shacl", run_shapes_on_text, text, quads, core, engine=name)
        with _timed(timings, "rules store"):
            store = rules_store(triples_text=text)
        rule_seconds: dict[str, float] = {}
        with _timed(timings, "rules"):
            rule_results = run_rules(store, quads, rules, rule_seconds, text=text)
        del text
        triples = len(store)
        # The rules' copy of the data goes before the work beside the engine begins: at 1M triples
        # the two together would hold more memory than the engine and that work do.
        del store
        if beside is not None:
            with _timed(timings, "beside"):
                beside()
        try:
            results_graph = shacl.result()
        except EngineError:
            raise
        except ShapesError as error:
            raise ShapesError(f"{shapes_dir}: {error}") from error
    with _timed(timings, "results"):
        index = LocationIndex(paths)
        found = refine(_read_results(results_graph, shapes) + rule_results, quads)
        results = [_locate(result, index) for result in found]
    if sources is not None:
        with _timed(timings, "evidence"):
            # A span the shapes already reject (past the end, start after end) is reported once.
            rejected = {result.focus.partition("#")[0] for result in results if result.severity == VIOLATION}
            results += [_locate(result, index) for result in _evidence_results(quads, sources, manifest)
                        if result.focus not in rejected]
    timings.update({f"rule {rule}": seconds for rule, seconds in rule_seconds.items()})
    return ValidationReport(results=_unique(results), triples=triples, seconds=time.perf_counter() - began,
                            files=[display_path(path) for path in paths], evidence_checked=sources is not None,
                            timings={key: round(value, 3) for key, value in timings.items()})


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - began


def _timed_call(timings: dict[str, float], name: str, function: Callable[..., T], *args: object,
                **options: object) -> T:
    with _timed(timings, name):
        return function(*args, **options)


def collect_files(extra: Iterable[Path] = (), *, data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR,
                  committed: bool = True) -> list[DataFile]:
    """The files to validate: the committed ones (unless ``committed`` is false) plus ``extra``.

    A file outside the data folders goes to the graph named after its folder, as if it were a
    document folder of ``graph/data``.

    :raises DataSyntaxError: when a committed file lies outside the folders that name graphs.
    """
    files = data_files(data_dir=data_dir, ontology_dir=ontology_dir) if committed else []
    known = {data_file.path.resolve() for data_file in files}
    for path in extra:
        if path.resolve() in known:
            continue
        known.add(path.resolve())
        files.append(DataFile(path, _graph_of(path, data_dir)))
    return files


def validate_files(files: Sequence[DataFile], *, sources: Path | None = None,
                   manifest: dict[str, SourceDocument] | None = None,
                   shapes_dir: Path = SHAPES_DIR, engine: str | None = None) -> ValidationReport:
    """Parse ``files`` and validate them together (``engine`` as for :func:`validate_quads`).

    :raises DataSyntaxError: when a file does not parse (with its line and column).
    :raises SourceError: when a document is missing or its hash changed.
    """
    began = time.perf_counter()
    quads: list[ox.Quad] = []
    for data_file in files:
        quads.extend(parse_file(data_file))
    report = validate_quads(quads, files=files, sources=sources, manifest=manifest, shapes_dir=shapes_dir,
                            engine=engine)
    report.seconds = time.perf_counter() - began
    return report


def _graph_of(path: Path, data_dir: Path) -> str:
    try:
        return graph_for_data_file(path.resolve().relative_to(data_dir.resolve()))
    except ValueError:  # outside the data folder, or misplaced in it (MisplacedDataFile)
        return source_graph(path.resolve().parent.name)


def _ordered_paths(files: Iterable[DataFile | Path]) -> list[Path]:
    # Entities are declared in the reference graph and then described by documents: point at
    # the declaration first, then the ontology, then the document files.
    def rank(item: DataFile | Path) -> int:
        graph = item.graph if isinstance(item, DataFile) else None
        return {str(REFERENCE_GRAPH): 0, str(ONTOLOGY_GRAPH): 1}.get(graph or "", 2)

    ordered = sorted(files, key=rank)
    return [item.path if isinstance(item, DataFile) else item for item in ordered]


def _read_results(results: Graph, shapes: Graph) -> list[ValidationResult]:
    found = []
    # Only the report's own results: nested ones (sh:detail) repeat what the outer result says.
    for node in results.objects(None, SH.result):
        focus = results.value(node, SH.focusNode)
        severity = results.value(node, SH.resultSeverity)
        constraint = results.value(node, SH.sourceConstraint)
        messages = list(shapes.objects(constraint, SH.message)) if constraint is not None else []
        messages = messages or list(results.objects(node, SH.resultMessage))
        component = results.value(node, SH.sourceConstraintComponent)
        value = results.value(node, SH.value)
        if str(focus) == DATASET_NODE and value is not None:
            # A rule over the whole graph binds the offending node as its value: report it there.
            focus, value = value, None
        found.append(ValidationResult(
            severity=str(severity).rpartition("#")[2] if severity is not None else VIOLATION,
            focus=str(focus),
            message=_english(messages) or f"fails {short_iri(str(component))}",
            path=_path_text(results.value(node, SH.resultPath), results),
            value=value,
            shape=_named_shape(results.value(node, SH.sourceShape), shapes),
            component=str(component) if component is not None else None,
        ))
    return found


def _english(messages: list[Node]) -> str | None:
    if not messages:
        return None
    english = [m for m in messages if getattr(m, "language", None) in ("en", None)]
    return str(sorted(english or messages, key=str)[0])


def _named_shape(shape: Node | None, shapes: Graph) -> str | None:
    """The IRI of a shape; for an anonymous property shape, the node shape that holds it."""
    if isinstance(shape, URIRef):
        return str(shape)
    if isinstance(shape, BNode):
        owner = shapes.value(predicate=SH.property, object=shape)
        return str(owner) if isinstance(owner, URIRef) else None
    return None


def _path_text(path: Node | None, graph: Graph) -> str | None:
    """A path as an IRI, or as SPARQL property-path text for the complex ones."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _short_path(inverse, graph)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "|".join(_short_path(item, graph) for item in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(_short_path(item, graph) for item in Collection(graph, path))
    for name, suffix in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        if (inner := graph.value(path, SH[name])) is not None:
            return _short_path(inner, graph) + suffix
    return None


def _short_path(path: Node, graph: Graph) -> str:
    text = _path_text(path, graph) or "?"
    return short_iri(text) if isinstance(path, URIRef) else f"({text})"


def _evidence_results(quads: Sequence[ox.Quad], sources: Path,
                      manifest: dict[str, SourceDocument] | None) -> list[ValidationResult]:
    return [
        ValidationResult(severity=VIOLATION, focus=problem.span.evidence, path=str(INV.spanSha256),
                         message=f"The evidence span does not match its document: {problem.message}.",
                         shape=str(INV.EvidenceShape), component=EVIDENCE_COMPONENT)
        for problem in check_evidence(quads, sources=sources, manifest=manifest)
    ]


def _locate(result: ValidationResult, index: LocationIndex) -> ValidationResult:
    location = index.locate(result.focus, result.path, result.value)
    if location is None:
        return result
    return replace(result, file=display_path(location.path), line=location.line)


def _unique(results: list[ValidationResult]) -> list[ValidationResult]:
    seen, unique = set(), []
    for result in results:
        key = (result.severity, result.focus, result.message, result.path, result.value)
        if key not in seen:
            seen.add(key)
            unique.append(result)
    return unique


__all__ = ["DATASET_NODE", "EVIDENCE_COMPONENT", "ShapesError", "collect_files", "validate_files", "validate_quads"]
