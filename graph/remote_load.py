"""Loading much data into the remote engine, and replacing its whole dataset by a new build.

Bulk loads go through Virtuoso's own loader when the store knows its SQL port (``isql``) and a
directory the server may read (``load_dir``, listed in the ini's ``DirsAllowed``): the quads are
written there as N-Quads and loaded with ``ld_dir`` and ``rdf_loader_run()``. Otherwise each graph
is sent with one Graph Store ``POST``.

A build replaces the dataset without readers seeing it half-loaded: the new graphs are loaded
under fresh names (``urn:inviolable:staging:…``) that no query's dataset includes, then switched
in by ONE update request (:func:`switch_operations`): each final graph cleared and the staging
graph added to it (``CLEAR`` + ``ADD``), the graphs the build no longer has cleared, and the
register rewritten. Virtuoso runs the operations of one request in one transaction, committed at
its end, so a reader sees either every old graph or every new one. ``MOVE`` is not used: Virtuoso
commits inside it (a reader was seen to find the old and the new triples in one graph at once).
The staging graphs are dropped afterwards, outside every dataset. A failure before the switch
drops them and leaves the previous data untouched; a switch the engine stops (its time limit)
is rolled back whole.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.remote_delta import engine_graph, register_rewritten, version_bump
from graph.remote_http import RemoteError

if TYPE_CHECKING:
    from graph.remote_store import RemoteStore

_CHUNK = 50_000


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        graphs.setdefault(engine_graph(quad.graph_name), []).append(ox.Triple(quad.subject, quad.predicate,
                                                                             quad.object))
    return graphs


def _isql(store: RemoteStore, script: str) -> str:
    program = shutil.which("isql-vt") or shutil.which("isql")
    if program is None:
        raise RemoteError("Virtuoso's isql (isql-vt) is not installed: it is needed for bulk loads")
    done = subprocess.run([program, store.isql or "", store.user or "dba", store.password or ""],
                          input=script.encode(), capture_output=True, timeout=store.timeout)
    output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    if done.returncode != 0 or "*** Error" in output:
        raise RemoteError(f"the bulk load failed: {output[-1500:]}")
    return output


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_files(store: RemoteStore, folder: Path, pattern: str, *, loaders: int = 1,
               default_graph: str | None = None) -> None:
    """Load the RDF files of ``folder`` matching ``pattern`` with Virtuoso's bulk loader: ``ld_dir``,
    ``loaders`` ``rdf_loader_run()`` in parallel (one per core at most: each takes one file at a
    time), then ``checkpoint`` (the loader writes no transaction log). N-Quads files give their own
    graphs (``default_graph`` for their triples without one); an N-Triples file ``x.nt`` goes into
    the graph named in ``x.nt.graph``.
    The folder must be readable by the server and listed in its ``DirsAllowed``.

    :raises RemoteError: when isql or the loader fails, or the loader refuses a file.
    """
    place, like = _sql_string(str(folder)), _sql_string(str(folder) + "%")
    runs = "rdf_loader_run();\n" if loaders <= 1 else "rdf_loader_run() &\n" * loaders + "wait_for_children;\n"
    graph = _sql_string(default_graph) if default_graph else "NULL"
    output = _isql(store, f"ld_dir({place}, {_sql_string(pattern)}, {graph});\n{runs}checkpoint;\n"
                          f"SELECT 'failed:', ll_file, ll_error FROM DB.DBA.load_list WHERE ll_file LIKE "
                          f"{like} AND ll_error IS NOT NULL;\n"
                          f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {like};\n")
    if "failed:" in output.split("ll_error", 1)[-1]:
        raise RemoteError(f"the bulk loader refused a file: {output[-1500:]}")


def _loader(store: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> None:
    folder = Path(store.load_dir or ".") / f"inviolable-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    try:
        for number, (graph, triples) in enumerate(graphs.items()):
            path = folder / f"part-{number}.nt"
            with path.open("wb") as handle:
                ox.serialize(triples, handle, format=ox.RdfFormat.N_TRIPLES)
            path.with_suffix(".nt.graph").write_text(graph + "\n")
        load_files(store, folder, "*.nt")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _graph_store(store: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> None:
    if store.graph_store_url is None:
        raise RemoteError("no Graph Store endpoint: set INVIOLABLE_REMOTE_GRAPH_STORE_URL")
    for graph, triples in graphs.items():
        # Triples sharing blank nodes must travel together: they all go in the first request.
        blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
        plain = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
        chunks = [blank + plain[:_CHUNK]] + [plain[i:i + _CHUNK] for i in range(_CHUNK, len(plain), _CHUNK)]
        for chunk in chunks:
            body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
            store._client.request("POST", store.graph_store_url, params=[("graph", graph)], body=body,
                                  headers={"Content-Type": "text/turtle"}, authenticated=True,
                                  timeout=store.timeout)


def load_graphs(store: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> None:
    """Add triples to engine graphs, with the bulk loader when configured; registers nothing."""
    if store.isql and store.load_dir:
        _loader(store, graphs)
    else:
        _graph_store(store, graphs)


def bulk_load(store: RemoteStore, quads: Iterable[ox.Quad]) -> None:
    """Add many quads, then register their graphs and bump the version."""
    graphs = _by_graph(quads)
    load_graphs(store, graphs)
    store._update(version_bump(uuid.uuid4().hex, register=graphs))


def switch_operations(staging: dict[str, str], gone: Iterable[str], version: str) -> str:
    """The one request that makes the staging graphs the dataset: ``staging`` maps each final
    graph to the staging graph holding its new triples; ``gone`` are the graphs to empty.

    >>> print(switch_operations({"urn:g": "urn:s"}, ["urn:old"], "v1").split("DELETE WHERE")[0])
    CLEAR SILENT GRAPH <urn:g> ;
    ADD SILENT <urn:s> TO <urn:g> ;
    CLEAR SILENT GRAPH <urn:old> ;
    <BLANKLINE>
    """
    operations = []
    for final, source in staging.items():
        operations += [f"CLEAR SILENT GRAPH <{final}>", f"ADD SILENT <{source}> TO <{final}>"]
    operations += [f"CLEAR SILENT GRAPH <{name}>" for name in sorted(gone)]
    operations.append(register_rewritten(staging, version))
    return " ;\n".join(operations)


def replace_all(store: RemoteStore, quads: Iterable[ox.Quad], *,
                progress: Callable[[str], None] = lambda message: None) -> None:
    """Make ``quads`` the whole dataset: load under staging names, then switch (see the module)."""
    token = uuid.uuid4().hex[:12]
    final = _by_graph(quads)
    staging = {name: f"urn:inviolable:staging:{token}:{number}" for number, name in enumerate(final)}
    previous = set(store._registered())
    drop_staging = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in staging.values())
    try:
        progress(f"load {sum(map(len, final.values()))} triples into {len(final)} staging graph(s)")
        load_graphs(store, {staging[name]: triples for name, triples in final.items()})
        progress("switch the new graphs in, in one transaction")
        store._update(switch_operations(staging, previous - set(final), uuid.uuid4().hex))
    except BaseException:
        if drop_staging:
            with contextlib.suppress(OSError):  # the first failure is the one to report
                store._update(drop_staging)
        raise
    if drop_staging:
        store._update(drop_staging)
