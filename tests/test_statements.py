"""The statement inventory: every statement listed is retrieved by structure, or counted as not."""

from __future__ import annotations

import pytest

from graph.query import run_query
from graph.sources import load_manifest, read_document
from graph.statements import INVENTORY_DIR, InventoryError, inventories, load_inventory, retrieved, span_matches
from tests.conftest import require_sources

INVENTORY = inventories()
ROWS = [statement for statements in INVENTORY.values() for statement in statements]


def test_inventory_covers_the_first_two_documents():
    assert {"quito-embassy-raid-wikipedia", "minneapolis-consulate-news"} <= set(INVENTORY)
    for document, statements in INVENTORY.items():
        assert len({s.id for s in statements}) == len(statements), document


@pytest.mark.parametrize("statement", ROWS, ids=lambda s: s.id)
def test_inventory_statement_retrieved_as_marked(store, statement):
    hit = retrieved(store, statement)
    if statement.expected:
        assert hit, f"{statement.document}:{statement.line}: not retrieved: {statement.statement}"
    else:
        assert not hit, (f"{statement.document}:{statement.line}: marked not retrieved but the query answers "
                         f"true; mark it yes: {statement.statement}")
        pytest.skip(f"counted as not retrieved: {statement.statement}")


def test_inventory_spans_state_the_statements():
    sources = require_sources()
    manifest = load_manifest()
    for document, statements in INVENTORY.items():
        text = read_document(manifest[document], sources)
        bad = [s.id for s in statements if not span_matches(s, text)]
        assert bad == [], f"{document}: spans that no longer match the document: {bad}"


def test_inventory_rejects_a_row_with_a_select_query(tmp_path):
    path = tmp_path / "doc.tsv"
    header = (INVENTORY_DIR / "minneapolis-consulate-news.tsv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\nx-1\ts\tp\t0\t5\tab\tyes\ta statement\tSELECT * { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"doc.tsv:2: the query must be an ASK query"):
        load_inventory(path)


def test_inventory_queries_ignore_the_inference_layer(store):
    article = [s for s in INVENTORY["minneapolis-consulate-news"] if "following" in s.sparql]
    assert article and all(retrieved(store, s) for s in article)
    ask = ("ASK { <https://w3id.org/inviolable/id/claim/minneapolis-attempted-entry-violated-consular-immunity> "
           "inv:invokes <https://w3id.org/inviolable/id/article/vccr-article-31> }")
    assert not run_query(store, ask)
    assert run_query(store, ask, inferences=True)
