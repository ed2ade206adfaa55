"""The lexical reading of request bodies: DATA-only updates split as the engine reads them, and
nesting counted through escapes in names and IRIs."""

from __future__ import annotations

import pyoxigraph as ox

from server.bodies import operations, rdf_nesting_depth

PROLOGUE = "PREFIX e: <http://e/>\n"


def _engine_reading(update: str) -> list[tuple[str, set[ox.Quad]]]:
    """Each operation's verb and quads, as the engine runs them one by one."""
    steps = []
    for verb, prologue, block in operations(update) or []:
        scratch = ox.Store()
        scratch.update(f"{prologue}\nINSERT DATA {block}")
        steps.append((verb, set(scratch)))
    return steps


def test_operations_reads_an_escaped_hash_in_a_name_as_part_of_the_name():
    # Read as a comment, the escape hid the '}' and the INSERT: the inserted triple was deleted instead.
    update = PROLOGUE + "DELETE DATA { e:s e:p e:o\\# } ; INSERT DATA { e:x e:y e:z\n}"
    ox.Store().update(update)  # the engine accepts the text
    steps = _engine_reading(update)
    assert [verb for verb, _ in steps] == ["DELETE", "INSERT"]
    inserted = ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/y"), ox.NamedNode("http://e/z"))
    assert steps[1][1] == {inserted}
    assert all(inserted not in quads for verb, quads in steps if verb == "DELETE")


def test_operations_reads_an_escaped_character_in_an_iri_as_part_of_the_iri():
    update = PROLOGUE + "INSERT DATA { <http://e/\\u0041#> e:p e:o } ; DELETE DATA { e:x e:y e:z\n}"
    ox.Store().update(update)
    assert [verb for verb, _ in _engine_reading(update)] == ["INSERT", "DELETE"]


def test_rdf_nesting_depth_counts_brackets_after_an_escaped_hash():
    assert rdf_nesting_depth("@prefix e: <http://e/> . e:a\\# e:b " + "[ e:c " * 100 + "]" * 100 + " .") == 100
    assert rdf_nesting_depth("<http://e/\\u0041#> <http://e/p> " + "( " * 50 + ")" * 50 + " .") == 50


def test_rdf_nesting_depth_still_skips_comments_strings_and_iris():
    assert rdf_nesting_depth('<http://e/a#[[> <p> "[[[" . # [[[[\n') == 0
