"""A server killed (SIGKILL) at random moments during writes leaves the store before or after the write."""

from __future__ import annotations

from pathlib import Path

from bench.crash import run


def test_crash_kill_during_writes_leaves_before_or_after_state(tmp_path: Path) -> None:
    outcomes = run(tmp_path / "store", 20, window=0.8, seed=11)
    assert sum(outcomes.values()) == 20
    assert set(outcomes) <= {"before", "after"}
