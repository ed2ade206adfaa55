"""A server killed (SIGKILL) at random moments during writes leaves the store before or after the write."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bench.crash import run, stored

TRIALS = 20


def test_crash_kill_during_writes_leaves_before_or_after_state(tmp_path: Path) -> None:
    # Each trial asserts that the store is in the state before or after the interrupted write; what
    # is left to check here is that no acknowledged write was lost on the way: every trial's probe
    # (answered 200 before its kill) and the last write (after the final kill's restart) are stored.
    run(tmp_path / "store", TRIALS, window=0.8, seed=11)
    subjects = {quad.subject for quad in stored(tmp_path / "store") if quad.predicate == ox.NamedNode("urn:p")}
    assert subjects == {ox.NamedNode(f"urn:trial:{n}") for n in range(1, TRIALS + 1)} | {ox.NamedNode("urn:last")}
