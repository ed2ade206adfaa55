"""``graph.namespaces``: the one place that spells project IRIs, the slug pattern, the short display
of an IRI and the rule from data folders to graph names."""

from __future__ import annotations

import ast
from pathlib import Path, PurePath

import pytest

from graph.config import DATA_DIR, PROJECT_ROOT
from graph.loader import DataSyntaxError, data_files
from graph.namespaces import (
    BASE,
    ONTOLOGY_GRAPH,
    REFERENCE_GRAPH,
    SLUG_PATTERN,
    MisplacedDataFile,
    data_folder_for_graph,
    graph_for_data_file,
    inferred_graph,
    short_iri,
    source_graph,
)

PROJECT_IRI = BASE.removeprefix("https://")
SOURCE_TREES = ("graph", "server", "cli", "bench")
#: Modules that still spell project IRIs or the slug pattern themselves, each to move to
#: graph.namespaces by the module's owner; any other module that does so fails the test.
NOT_YET_MOVED: set[str] = set()


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module's code: docstrings and other bare strings (and so their
    doctests, which may show literal IRIs as values) are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    documentation = {id(node.value) for node in ast.walk(tree)
                     if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in documentation]


def _spelled_again(root: Path) -> list[str]:
    found = []
    for tree in SOURCE_TREES:
        for path in sorted((root / tree).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name == "graph/namespaces.py" or name in NOT_YET_MOVED:
                continue
            for line, value in _code_strings(path):
                if PROJECT_IRI in value or SLUG_PATTERN.pattern.strip("^$") in value:
                    found.append(f"{name}:{line}: {value[:60]!r}")
    return found


def test_namespaces_alone_spell_project_iris_and_the_slug_pattern():
    assert _spelled_again(PROJECT_ROOT) == [], "use graph.namespaces instead of spelling these again"


def test_namespaces_check_finds_an_iri_or_slug_pattern_spelled_again(tmp_path):
    module = tmp_path / "graph" / "extract" / "somewhere.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""Docs may show <https://w3id.org/inviolable/id/state/x>."""\n'
                      'import re\n'
                      'ONTOLOGY = "https://w3id.org/inviolable/ontology#"\n'
                      'SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")\n'
                      'def f():\n    """>>> f()\n    \'https://w3id.org/inviolable/\'\n    """\n',
                      encoding="utf-8")
    assert [entry.split(":")[1] for entry in _spelled_again(tmp_path)] == ["3", "4"]


@pytest.mark.parametrize(("relative", "graph"), [
    ("reference/states.ttl", str(REFERENCE_GRAPH)),
    ("reference/deeper/more.ttl", str(REFERENCE_GRAPH)),
    ("quito/facts.ttl", source_graph("quito")),
    ("quito/notes/more.ttl", source_graph("quito")),
    ("generated/quito/infobox.ttl", source_graph("quito")),
    ("quito/inferred/rules.ttl", inferred_graph("quito")),
    ("quito/inferred.ttl", source_graph("quito")),
])
def test_graph_for_data_file_follows_the_folders(relative, graph):
    assert graph_for_data_file(PurePath(relative)) == graph
    assert graph_for_data_file(relative) == graph


@pytest.mark.parametrize("relative", ["stray.ttl", "generated/stray.ttl"])
def test_graph_for_data_file_refuses_files_outside_graph_folders(relative):
    with pytest.raises(MisplacedDataFile, match="belong in"):
        graph_for_data_file(relative)


def test_data_folder_for_graph_inverts_the_rule_for_every_committed_folder():
    for data_file in data_files():
        if data_file.graph == str(ONTOLOGY_GRAPH):
            assert data_folder_for_graph(data_file.graph) is None
            continue
        folder = data_folder_for_graph(data_file.graph)
        assert folder is not None
        assert graph_for_data_file(folder / "file.ttl") == data_file.graph
    assert data_folder_for_graph("http://example.org/graph") is None
    assert data_folder_for_graph(source_graph("a/b")) is None


@pytest.mark.parametrize("slug", ["..", ".", "../inferred", "./inferred", "a b", "Quito", "quito\n", "generated",
                                  "generated/inferred", "reference/inferred", "a/b/inferred", "", "/inferred"])
def test_data_folder_for_graph_names_no_folder_for_a_graph_whose_document_part_is_no_slug(slug):
    assert data_folder_for_graph(source_graph(slug)) is None


@pytest.mark.parametrize("slug", ["quito", "inferred", "2024-raid"])
def test_data_folder_for_graph_round_trips_through_graph_for_data_file(slug):
    for graph in (source_graph(slug), inferred_graph(slug)):
        folder = data_folder_for_graph(graph)
        assert folder is not None and ".." not in folder.parts and not folder.is_absolute()
        assert graph_for_data_file(folder / "file.ttl") == graph


def test_loader_names_graphs_by_the_rule_including_the_inferred_layer(tmp_path):
    data, ontology = tmp_path / "data", tmp_path / "ontology"
    for relative in ("reference/r.ttl", "doc/facts.ttl", "doc/inferred/rules.ttl", "generated/doc/g.ttl"):
        (data / relative).parent.mkdir(parents=True, exist_ok=True)
        (data / relative).write_text("", encoding="utf-8")
    ontology.mkdir()
    graphs = {data_file.path.relative_to(data).as_posix(): data_file.graph
              for data_file in data_files(data_dir=data, ontology_dir=ontology)}
    assert graphs == {"reference/r.ttl": str(REFERENCE_GRAPH), "doc/facts.ttl": source_graph("doc"),
                      "doc/inferred/rules.ttl": inferred_graph("doc"), "generated/doc/g.ttl": source_graph("doc")}
    (data / "stray.ttl").write_text("", encoding="utf-8")
    with pytest.raises(DataSyntaxError, match="stray.ttl: data files belong in"):
        data_files(data_dir=data, ontology_dir=ontology)


def test_data_files_of_the_checkout_include_an_inferred_layer_graph():
    inferred = [f for f in data_files() if f.graph.endswith("/inferred")]
    assert inferred, "no committed inference layer to check the rule on"
    assert all(f.path.parent.name == "inferred" and f.path.is_relative_to(DATA_DIR) for f in inferred)


@pytest.mark.parametrize(("iri", "shown"), [
    (f"{BASE}id/state/ecuador", "<state/ecuador>"),
    (f"{BASE}ontology#Incident", "inv:Incident"),
    (f"{BASE}vocab/response-type/protest", "<https://w3id.org/inviolable/vocab/response-type/protest>"),
    ("http://www.w3.org/2001/XMLSchema#date", "xsd:date"),
    ("http://purl.org/dc/terms/format", "dct:format"),
    ("http://www.w3.org/ns/shacl#", "<http://www.w3.org/ns/shacl#>"),
    ("https://example.org/a", "<https://example.org/a>"),
])
def test_short_iri_is_a_prefixed_name_when_a_prefix_fits_else_the_bracketed_iri(iri, shown):
    assert short_iri(iri) == shown
