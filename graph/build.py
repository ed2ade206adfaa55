"""Build the on-disk store from the ontology and the committed facts.

The store is written into a new generation folder inside the target and swapped in (one atomic
rename of the ``current`` symlink, see :mod:`graph.layout`) only when it is complete, its evidence
resolves and its data conforms; a failed build leaves the previous store. The writes accepted by
the server since (the journal, :mod:`graph.journal`) are replayed over the committed data first.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import journal
from graph.config import DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR
from graph.evidence import EvidenceProblem, check_evidence
from graph.journal import Entry
from graph.layout import GENERATIONS, MARKER, NotAStore, check_target, current_generation, new_generation, swap_in
from graph.loader import DataFile, data_files, parse_file
from graph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH, inferred_graph
from graph.sources import load_manifest, manifest_path
from graph.store import BUILD_INFO, OxigraphStore, open_built_store
from graph.summary import Summary, summarise
from graph.validation import ValidationReport, validate_quads

Progress = Callable[[str], None]
JOURNAL = "journal"


class BuildError(Exception):
    """The build stopped; the previous store, if any, is untouched."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []

    def __str__(self) -> str:
        return "\n".join([self.args[0], *(f"  {line}" for line in self.details)])


@dataclass
class BuildResult:
    """What a build produced: where, from which inputs, and the summary of its content."""

    path: Path
    inputs_digest: str
    summary: Summary
    seconds: float
    evidence_checked: bool
    validation: ValidationReport | None = field(default=None)


def inputs_digest(files: list[DataFile], shapes_dir: Path = SHAPES_DIR) -> str:
    """A digest of every input file's path and bytes, and of the shapes, to tell when a rebuild is due."""
    import hashlib

    digest = hashlib.sha256()
    shape_files = sorted(shapes_dir.glob("*.ttl")) if shapes_dir.is_dir() else []
    for path in [f.path for f in files] + shape_files:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_graph_folders(files: list[DataFile], data_dir: Path = DATA_DIR) -> None:
    documents = load_manifest(manifest_path(data_dir)).values()
    known = {document.graph for document in documents}
    known |= {inferred_graph(document.slug) for document in documents}
    known |= {str(ONTOLOGY_GRAPH), str(REFERENCE_GRAPH)}
    strays = sorted({(f.graph, str(f.path.parent)) for f in files if f.graph not in known})
    if strays:
        raise BuildError("data folders that match no document of the source manifest:",
                         details=[f"{folder} → {graph} (add the document with `inviolable add-source`)"
                                  for graph, folder in strays])


def _validate(quads: list[ox.Quad], files: list[DataFile], sources: Path | None) -> ValidationReport:
    report = validate_quads(quads, files=files, sources=sources)
    if not report.conforms:
        raise BuildError("the data does not conform to the shapes:", details=report.to_text().splitlines())
    return report


def build_store(data_dir: Path = DATA_DIR, *, path: Path, sources: Path | None = None,
                ontology_dir: Path = ONTOLOGY_DIR, shapes_dir: Path = SHAPES_DIR, validate: bool = True,
                progress: Progress = lambda message: None) -> BuildResult:
    """Build the store at ``path`` from the ontology and data, replacing it only on success.

    :param sources: directory of the source documents; when given, every evidence span is re-checked.
    :param shapes_dir: the folder of SHACL shapes to validate with (a scratch copy, in tests).
    :param validate: run the SHACL shapes and refuse a non-conforming dataset.
    :raises BuildError: when a file does not parse, a span does not resolve or the data does not conform.
    :raises SourceError: when a document is missing or its hash changed.
    """
    began = time.perf_counter()
    try:
        check_target(path)
    except NotAStore as error:
        raise BuildError(str(error)) from error
    files = data_files(data_dir=data_dir, ontology_dir=ontology_dir)
    _check_graph_folders(files, data_dir)
    quads: list[ox.Quad] = []
    for number, data_file in enumerate(files, 1):
        progress(f"parse [{number}/{len(files)}] {data_file.path.name}")
        quads.extend(parse_file(data_file))
    if sources is not None:
        progress(f"check evidence spans against {sources}")
        problems: list[EvidenceProblem] = check_evidence(
            quads, sources=sources, manifest=load_manifest(manifest_path(data_dir)))
        if problems:
            raise BuildError(f"{len(problems)} evidence span(s) do not match their document:",
                             details=[str(problem) for problem in problems])
    quads, entries = _replay_journal(quads, path, progress)
    journalled = len(entries)
    digest = inputs_digest(files, shapes_dir)
    before = _Footprint.of(path)
    # Unique even for two builds in one second: the serving generation is never written into.
    generation = new_generation(path, f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    report = None
    target = generation / "oxigraph"

    def write() -> None:
        progress(f"write {len(quads)} quads to a new store")
        write_store(target, quads)

    try:
        # The new store is written while the SHACL engine runs (once the rules, on the same core, are
        # done), and swapped in only once the data conforms: a failed build removes it and never
        # replaces the serving store.
        if validate:
            progress("validate against the shapes")
            # Spans were re-checked above; the shapes need not read the documents again.
            report = validate_quads(quads, files=files, sources=None, shapes_dir=shapes_dir, beside=write)
            if not report.conforms:
                if entries:
                    raise _journal_report(report, entries)
                raise BuildError("the data does not conform to the shapes:", details=report.to_text().splitlines())
        else:
            write()
        store = OxigraphStore(target)
        summary = summarise(store)
        del store
        (generation / BUILD_INFO).write_text(json.dumps({"inputs": digest, "quads": summary.total,
                                                         "journal_entries": journalled}, indent=2))
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        before.restore(path)
        raise
    swap_in(path, generation)
    progress("done")
    return BuildResult(path, digest, summary, time.perf_counter() - began, sources is not None, report)


def write_store(directory: Path, quads: list[ox.Quad]) -> None:
    """Write a new on-disk store at ``directory`` holding ``quads`` (Oxigraph's bulk loader drops duplicates).

    The quads are handed to the loader as they are: writing them out for it to read back took longer
    at 1M quads, for the same peak memory. The store is closed on return, for its caller to open.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = ox.Store(str(directory))
    target.bulk_extend(quads)
    target.flush()
    del target


@dataclass(frozen=True)
class _Footprint:
    """What of a build target existed before a build, so that a failed build leaves no more."""

    existed: bool
    marked: bool
    generations: bool

    @classmethod
    def of(cls, path: Path) -> _Footprint:
        return cls(path.exists(), (path / MARKER).exists(), (path / GENERATIONS).exists())

    def restore(self, path: Path) -> None:
        """Remove the marker, generations folder and target that the failed build created."""
        if not self.generations:
            shutil.rmtree(path / GENERATIONS, ignore_errors=True)
        if not self.marked:
            (path / MARKER).unlink(missing_ok=True)
        if not self.existed:
            shutil.rmtree(path, ignore_errors=True)


def _replay_journal(quads: list[ox.Quad], path: Path, progress: Progress) -> tuple[list[ox.Quad], list[Entry]]:
    """The committed data with the store's journalled writes applied in order."""
    try:
        found = list(journal.entries(path / JOURNAL))
    except (OSError, journal.JournalError) as error:
        raise BuildError(f"the write journal of {path} cannot be read: {error}") from error
    if not found:
        return quads, found
    progress(f"replay {len(found)} journalled write(s) from {path / JOURNAL}")
    return journal.replay(quads, found), found


def _journal_report(report: ValidationReport, found: list[Entry]) -> BuildError:
    """A refusal naming the journalled writes that touch the nodes which no longer conform."""
    focus = {result.focus for result in report.violations}
    culprits = [entry for entry in found if any(
        getattr(term, "value", None) in focus for quad in [*entry.removed, *entry.added]
        for term in (quad.subject, quad.object))]
    lines = [f"journalled write {entry.path} touches a node that no longer conforms" for entry in culprits]
    return BuildError("the committed data with the journalled writes does not conform to the shapes; "
                      "the previous store is unchanged. Export the writes (`inviolable writes export`), "
                      "reconcile them with the data files, then retire them:",
                      details=lines + report.to_text().splitlines())


def built_digest(path: Path) -> str | None:
    """The inputs digest recorded by the build at ``path``, or None when there is no complete build."""
    try:
        return json.loads((current_generation(path) / BUILD_INFO).read_text())["inputs"]
    except (OSError, ValueError, KeyError):
        return None


def is_current(path: Path, *, data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> bool:
    """True when the store at ``path`` was built from exactly the current inputs."""
    return built_digest(path) == inputs_digest(data_files(data_dir=data_dir, ontology_dir=ontology_dir))


__all__ = ["BuildError", "BuildResult", "build_store", "built_digest", "is_current", "open_built_store", "write_store"]
