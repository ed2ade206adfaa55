"""The scratch Virtuoso of the tests never outlives the run that started it, even a run killed by SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT
from tests.conftest import require_executable
from tests.virtuoso import _PIDS, _alive, remove_abandoned

_START_AND_WAIT = """
import json, sys, time
from tests.virtuoso import VirtuosoServer
server = VirtuosoServer(startup=180).start()
print(json.dumps({"pid": server.process.pid, "directory": str(server.directory)}), flush=True)
time.sleep(3600)
"""


def _ended_within(pid: int, seconds: float) -> bool:
    """Whether ``pid`` has ended after at most ``seconds`` (a liveness bound, not a speed figure)."""
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


def test_remote_harness_server_dies_with_a_killed_test_run() -> None:
    require_executable("virtuoso-t")
    run = subprocess.Popen([sys.executable, "-c", _START_AND_WAIT], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                           text=True, start_new_session=True)
    try:
        started = json.loads(run.stdout.readline())  # type: ignore[union-attr]
    except json.JSONDecodeError:
        run.kill()
        run.wait()
        pytest.fail("the scratch server did not start")
    server = int(started["pid"])
    assert _alive(server)
    os.kill(run.pid, signal.SIGKILL)  # no clean-up code runs in the test run
    run.wait()
    try:
        assert _ended_within(server, 60), f"virtuoso-t {server} outlived the run that started it"
    finally:
        if _alive(server):
            os.kill(server, signal.SIGKILL)
    assert remove_abandoned() and not Path(started["directory"]).exists()


def test_remote_harness_keeps_directories_of_live_runs(tmp_path: Path) -> None:
    live = tmp_path / "inviolable-virtuoso-live"
    live.mkdir()
    (live / _PIDS).write_text(f"{os.getpid()} 0\n")
    ended = subprocess.Popen(["true"])
    ended.wait()
    gone = tmp_path / "inviolable-virtuoso-gone"
    gone.mkdir()
    (gone / _PIDS).write_text(f"{ended.pid} {ended.pid}\n")
    assert remove_abandoned(tmp_path) == [gone]
    assert live.is_dir() and not gone.exists()
