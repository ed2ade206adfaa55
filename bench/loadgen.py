"""Drive an endpoint with ``wrk`` over a fixed query mix and read back its figures.

Every server gets the same load generator, the same requests in the same order and the same
connection counts; ``wrk`` is native code, so on a two-core machine it takes less of the CPU
from the server under test than a Python client would.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.env import BENCH_DIR, require_wrk

SCRIPT = BENCH_DIR / "mix.lua"
RESULTS_JSON = "application/sparql-results+json"


@dataclass
class LoadResult:
    """What one ``wrk`` run measured."""

    clients: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_kinds: dict

    def as_dict(self) -> dict:
        """The result as plain JSON-ready values."""
        return asdict(self)


def request_path(endpoint_path: str, query: str) -> str:
    """The GET request target that sends ``query`` to the endpoint at ``endpoint_path``."""
    return f"{endpoint_path}?{urllib.parse.urlencode({'query': query})}"


def run_wrk(url: str, queries: list[str], *, clients: int, seconds: float, timeout: float = 30.0) -> LoadResult:
    """Send the query mix to the SPARQL endpoint ``url`` from ``clients`` connections for ``seconds``.

    :raises RuntimeError: when wrk fails or prints no summary.
    """
    split = urllib.parse.urlsplit(url)
    origin = f"{split.scheme}://{split.netloc}"
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as listing:
        listing.write("\n".join(request_path(split.path, query) for query in queries) + "\n")
    try:
        command = [require_wrk(), f"-t{min(2, clients)}", f"-c{clients}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={max(1, round(timeout))}s", "-s", str(SCRIPT), origin, "--", listing.name,
                   RESULTS_JSON]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False)
    finally:
        Path(listing.name).unlink(missing_ok=True)
    line = next((text for text in done.stdout.splitlines() if text.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    elapsed = raw["duration_us"] / 1e6
    kinds = raw["errors"]
    return LoadResult(clients=clients, seconds=round(elapsed, 2), requests=raw["requests"],
                      rps=round(raw["requests"] / elapsed, 3) if elapsed else 0.0,
                      p50_ms=raw["latency_us"]["p50"] / 1000, p90_ms=raw["latency_us"]["p90"] / 1000,
                      p99_ms=raw["latency_us"]["p99"] / 1000, max_ms=raw["latency_us"]["max"] / 1000,
                      errors=sum(kinds.values()), error_kinds=kinds)


@dataclass
class Answer:
    """One query sent once: status, number of result rows, seconds taken."""

    status: int
    rows: int | None
    seconds: float


def ask(url: str, query: str, *, timeout: float = 60.0) -> Answer:
    """Send one query by GET and count the rows of its JSON results (None when not JSON results)."""
    began = time.perf_counter()
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": RESULTS_JSON})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        return Answer(error.code, None, time.perf_counter() - began)
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return Answer(0, None, time.perf_counter() - began)
    seconds = time.perf_counter() - began
    try:
        return Answer(status, len(json.loads(body)["results"]["bindings"]), seconds)
    except (ValueError, KeyError, TypeError):
        return Answer(status, None, seconds)
