"""Set up the project environment and run its two jobs.

``python3 tasks.py run``  builds the graph if needed and serves it on localhost.
``python3 tasks.py test`` runs the whole test suite.

Both create ``.venv`` from ``requirements.lock`` on first use (and again when the lock
file or ``pyproject.toml`` changes); nothing else needs installing by hand.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".inviolable-installed"


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create or refresh the virtual environment when its inputs changed."""
    wanted = _inputs_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    print("Installing pinned dependencies from requirements.lock …", flush=True)
    subprocess.run([*pip, "install", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ensure_environment()
    job, rest = argv[0], argv[1:]
    if job == "run":
        command = [str(BIN / "inviolable"), "serve", "--build-if-needed", *rest]
    else:
        command = [str(BIN / "python"), "-m", "pytest", *rest]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
