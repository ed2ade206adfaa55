"""The separate environment that holds the comparison servers, the plot and the profiler.

They are pinned in ``bench/requirements.txt`` and installed into ``var/bench-env`` (ignored by
git), so that neither the project's lock file nor its ``.venv`` ever contains them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

from graph.config import PROJECT_ROOT

BENCH_DIR = Path(__file__).resolve().parent
REQUIREMENTS = BENCH_DIR / "requirements.txt"
BENCH_ENV = PROJECT_ROOT / "var" / "bench-env"
WORK_DIR = PROJECT_ROOT / "var" / "bench"
RESULTS_DIR = BENCH_DIR / "results"
_STAMP = BENCH_ENV / ".requirements"


class BenchEnvironmentError(RuntimeError):
    """A tool the benchmark drives is missing and cannot be installed here."""


def bench_bin(name: str) -> Path:
    """Path of a program installed in the bench environment."""
    return BENCH_ENV / "bin" / name


def ensure_bench_env(*, log=print) -> Path:
    """Create ``var/bench-env`` and install the pinned comparison tools when they changed.

    :param log: where progress messages go.
    :raises BenchEnvironmentError: when pip fails.
    """
    wanted = REQUIREMENTS.read_text()
    if _STAMP.exists() and _STAMP.read_text() == wanted:
        return BENCH_ENV
    if not bench_bin("python").exists():
        log(f"creating {BENCH_ENV}")
        venv.EnvBuilder(with_pip=True).create(BENCH_ENV)
    log("installing the comparison tools from bench/requirements.txt")
    done = subprocess.run([str(bench_bin("python")), "-m", "pip", "--disable-pip-version-check", "-q",
                           "install", "-r", str(REQUIREMENTS)], check=False)
    if done.returncode != 0:
        raise BenchEnvironmentError(f"pip could not install {REQUIREMENTS} into {BENCH_ENV}")
    _STAMP.write_text(wanted)
    return BENCH_ENV


def require_wrk() -> str:
    """The ``wrk`` load generator (Debian package ``wrk``), installed with apt when running as root.

    :raises BenchEnvironmentError: when it is missing and cannot be installed.
    """
    found = shutil.which("wrk")
    if found:
        return found
    if os.name == "posix" and os.getuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        raise BenchEnvironmentError("wrk is not installed: apt-get install wrk")
    return found
